"""A training run's checkpoint: saved after every epoch, resumed only by the same run.

A checkpoint holds the weights, the optimiser's and schedule's state, the random state, the
history so far, and the run's *identity*: its recipe, the network's structure (every layer and
its settings, as PyTorch prints them), the classes and the loss. :class:`Checkpoint` refuses to
resume a file written by another run, naming each difference and the two ways out, so that a
changed setting never silently continues an old run. Every file is read with
``torch.load(weights_only=True)`` (a checkpoint cannot run code), written through a unique
temporary file, and guarded by a lock so that two runs never write one file at once.

Beside ``name.pt`` goes ``name.json``: the recipe, history and test result in plain text, which
``train.load_history`` reads without loading any weights.

First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import json
import os
import socket
import tempfile
from pathlib import Path

import torch

FORMAT = 2


class CheckpointError(ValueError):
    """A checkpoint cannot be read, or was written by another run; the message says what to do."""


def _ways_out(path: Path, name: str | None = None, ours: bool = True) -> str:
    other = f"{name}-2" if name else str(path.with_name(f"{path.stem}-2{path.suffix}"))
    if not ours:
        return (f"It is left alone: give another checkpoint name (e.g. checkpoint='{other}'), or move the file "
                f"away yourself if you no longer need it.")
    return (f"Either pass restart=True to train from scratch (the file is replaced after the first epoch), "
            f"or give another checkpoint name (e.g. checkpoint='{other}') to keep both.")


def describe_loss(loss: torch.nn.Module) -> str:
    """The loss by its class and the settings that differ from the class's defaults, e.g.
    ``CrossEntropyLoss`` or ``CrossEntropyLoss(label_smoothing=0.1)``."""
    def settings(module):
        found = {k: v for k, v in vars(module).items()
                 if not k.startswith("_") and k != "training" and isinstance(v, (int, float, str, bool, type(None)))}
        found.update({k: b.tolist() for k, b in module.named_buffers() if b is not None})
        return found

    try:
        defaults = settings(type(loss)())
    except TypeError:  # a loss that needs arguments: every setting is shown
        defaults = {}
    changed = {k: v for k, v in settings(loss).items() if defaults.get(k, object()) != v}
    return type(loss).__name__ + (f"({', '.join(f'{k}={v!r}' for k, v in sorted(changed.items()))})"
                                  if changed else "")


def describe_net(net: torch.nn.Module) -> list[str]:
    """The network's structure as lines: each layer with its settings (activation, dropout rate,
    kernel size, channels, ...), as ``print(net)`` shows it."""
    return [line.rstrip() for line in repr(net).splitlines()]


def _net_difference(saved: list[str], current: list[str]) -> str | None:
    if saved == current:
        return None
    for i, (a, b) in enumerate(zip(saved, current)):
        if a != b:
            return f"the network differs at line {i + 1} of print(net): {a.strip()!r} there, {b.strip()!r} here"
    longer = "there" if len(saved) > len(current) else "here"
    return f"the network has more layers {longer} ({len(saved)} vs {len(current)} lines of print(net))"


def _pair(value):
    return value if isinstance(value, (tuple, list)) else (value,)


def _shown(value) -> str:
    return "None" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


class Checkpoint:
    """The checkpoint file of one run (``path``) and its JSON history beside it."""

    def __init__(self, path: str | os.PathLike, name: str | None = None):
        text = os.fspath(path)
        if text.endswith(("/", os.sep)) or Path(text).expanduser().is_dir():
            raise ValueError(f"checkpoint {text!r} is a folder; a checkpoint is a file: give a path ending in .pt "
                             f"(e.g. {str(Path(text) / 'net.pt')!r}) or a plain name such as 'lenet'.")
        if Path(text).suffix != ".pt":
            raise ValueError(f"checkpoint {text!r}: a checkpoint file ends in .pt (fit also writes a .json beside "
                             f"it); give e.g. {str(Path(text).with_suffix('.pt'))!r} or a plain name such as 'lenet'.")
        self.path, self.name = Path(text).expanduser(), name  # name: what the user passed, when not a path
        self.json_path = self.path.with_suffix(".json")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._locked = False
        self.resumed_steps: list[dict] = []   # the points within epochs of a resumed run

    def __repr__(self) -> str:
        return f"Checkpoint({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists()

    # ------------------------------------------------------------ before the first epoch
    def acquire(self) -> None:
        """Check that the folder is writable and that no other run writes this file; take the lock."""
        folder = self.path.parent
        if self.json_path.exists():
            try:
                record = json.loads(self.json_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = None
            if not isinstance(record, dict) or "recipe" not in record or "history" not in record:
                raise CheckpointError(f"{self.json_path} exists and is not the history fit writes beside "
                                      f"{self.path.name}; fit would replace it. " + _ways_out(self.path, self.name,
                                                                                             ours=False))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.", suffix=".probe")
            os.close(fd)
            os.remove(probe)
        except OSError as err:
            if getattr(err, "errno", None) == 36:  # ENAMETOOLONG
                raise ValueError(f"the checkpoint name is too long for this file system ({len(self.path.name)} "
                                 f"characters): choose a shorter name.") from None
            raise PermissionError(f"cannot write the checkpoint {self.path} ({err.strerror or err}): make "
                                  f"{folder} writable, or pass checkpoint= a path in a folder you can write "
                                  f"(or checkpoint=None to keep no checkpoint).") from None
        me = f"{socket.gethostname()} {os.getpid()}"
        for _ in range(2):
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                if self._lock_is_alive():
                    raise RuntimeError(f"another training run (process {self._lock_owner()}) is writing "
                                       f"{self.path}; wait until it finishes, or give this run another "
                                       f"checkpoint name.") from None
                self.lock_path.unlink(missing_ok=True)  # left behind by a run that died
                continue
            with os.fdopen(fd, "w") as f:
                f.write(me)
            self._locked = True
            return

    def _lock_owner(self) -> str:
        try:
            return self.lock_path.read_text().strip()
        except OSError:
            return ""

    def _lock_is_alive(self) -> bool:
        host, _, pid = self._lock_owner().partition(" ")
        if host != socket.gethostname() or not pid.isdigit():
            return bool(host)  # another machine's run (shared folder): assume it is alive
        if int(pid) == os.getpid():
            return False       # this process's own lock, left by an interrupted fit
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def check_replaceable(self) -> None:
        """restart=True replaces the file: only if fit wrote it (never a user's weights or notes)."""
        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception:
            state = None
        if not (isinstance(state, dict) and "model" in state and "history" in state):
            raise CheckpointError(f"restart=True would replace {self.path}, which fit did not write. "
                                  + _ways_out(self.path, self.name, ours=False))

    def release(self) -> None:
        if self._locked:
            self.lock_path.unlink(missing_ok=True)
            self._locked = False

    # ------------------------------------------------------------ reading
    def load(self) -> dict:
        """The saved state, checked; a :class:`CheckpointError` naming the file and the fix otherwise."""
        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as err:  # truncated, empty, not a zip, unsafe pickle: all end the same way
            reason = str(err).strip().splitlines()[0].split(". ")[0] if str(err).strip() else type(err).__name__
            if "Weights only load failed" in str(err):
                reason = "it holds Python objects that are not loaded, for safety (weights_only=True)"
            raise CheckpointError(f"{self.path} cannot be read as a checkpoint ({reason[:160]}): it is truncated, "
                                  f"empty or not written by fit. " + _ways_out(self.path, self.name, ours=False)
                                  ) from None
        if isinstance(state, dict) and state and all(isinstance(v, torch.Tensor) for v in state.values()):
            raise CheckpointError(f"{self.path} holds plain weights (a state_dict), not a checkpoint of fit: load "
                                  f"it with net.load_state_dict(torch.load(path)). "
                                  + _ways_out(self.path, self.name, ours=False))
        if not isinstance(state, dict) or "model" not in state or "history" not in state:
            raise CheckpointError(f"{self.path} is not a checkpoint written by fit. "
                                  + _ways_out(self.path, self.name, ours=False))
        if state.get("format") != FORMAT or not {"recipe", "net", "optimizer", "rng"} <= set(state):
            raise CheckpointError(f"{self.path} was written by an older version of d2lhelpers, which did not "
                                  f"save the run's recipe, so it cannot be checked. " + _ways_out(self.path, self.name))
        return state

    def refuse_another_run(self, state: dict, identity: dict) -> None:
        """Raise :class:`CheckpointError` unless ``state`` was written by the run ``identity`` describes.

        One difference is allowed: more epochs than saved, when the recipe has no schedule (a
        constant learning rate does not depend on the number of epochs, so the run so far is the
        same)."""
        from .recipes import Recipe

        saved, current = Recipe.from_dict(state["recipe"]), Recipe.from_dict(identity["recipe"])
        differences = []
        for field, there, here in saved.differences(current):
            if field == "epochs" and here > there and current.schedule is None:
                continue
            differences.append(f"{field} {_shown(there)} there, {_shown(here)} here")
        net = _net_difference(state["net"], identity["net"])
        if net:
            differences.append(net)
        for key, what in (("classes", "the classes"), ("loss", "the loss")):
            if state.get(key) != identity.get(key):
                differences.append(f"{what} {state.get(key)} there, {identity.get(key)} here")
        saved_facts, facts = state.get("facts") or {}, identity.get("facts") or {}
        for key, what in (("train_examples", "training images"), ("val_examples", "validation images"),
                          ("input_size", "input size"), ("train_data", "the training images' fingerprint"),
                          ("val_data", "the validation images' fingerprint"),
                          ("start_weights", "the starting weights' fingerprint")):
            there, here = saved_facts.get(key), facts.get(key)
            if there is not None and here is not None and tuple(_pair(there)) != tuple(_pair(here)):
                differences.append(f"{what} {there} there, {here} here")
        if differences:
            done = len(state["history"])
            raise CheckpointError(f"{self.path} holds {done} epoch(s) of another run, so it is not resumed: "
                                  + "; ".join(differences) + ". " + _ways_out(self.path, self.name))

    def resume(self, record: dict, net, optimizer, scheduler, device, epochs: int, verbose: bool):
        """Load the saved run into ``net`` (and, to continue it, the optimiser, schedule and random
        state) after checking it is the run ``record`` describes. Returns (history rows, device)."""
        state = self.load()
        self.refuse_another_run(state, record)
        net.load_state_dict(state["model"])
        rows = list(state["history"])
        self.resumed_steps = list(state.get("steps") or [])
        if len(rows) < epochs:
            optimizer.load_state_dict(state["optimizer"])
            if scheduler is not None and state.get("scheduler") is not None:
                scheduler.load_state_dict(state["scheduler"])
            torch.set_rng_state(state["rng"]["cpu"])
            if torch.device(device).type == "cuda" and state["rng"].get("cuda"):
                torch.cuda.set_rng_state_all(state["rng"]["cuda"])
        if verbose:
            print(f"Loaded {self.path.name}: {len(rows)} epoch(s) done"
                  + (f", training {epochs - len(rows)} more." if len(rows) < epochs else "."))
        return rows, state.get("device", record.get("device"))

    # ------------------------------------------------------------ writing
    def save(self, state: dict) -> None:
        """Write ``state`` through a temporary file of its own (never half a checkpoint, and two
        processes never share a temporary file), then its JSON history."""
        self._atomic_write(self.path, lambda f: torch.save({**state, "format": FORMAT}, f))
        self.save_json(state)

    def save_run(self, record: dict, rows: list, net, optimizer, scheduler, device, steps: list | None = None) -> None:
        """After an epoch: everything needed to resume, and the history so far (``steps``: the
        points logged within the epochs)."""
        rng = {"cpu": torch.get_rng_state(),
               "cuda": torch.cuda.get_rng_state_all() if torch.device(device).type == "cuda" else []}
        self.save({**record, "model": net.state_dict(), "optimizer": optimizer.state_dict(),
                   "scheduler": scheduler.state_dict() if scheduler is not None else None,
                   "history": rows, "steps": list(steps or []), "rng": rng})

    def save_json(self, state: dict, test: dict | None = None) -> None:
        record = {key: state.get(key) for key in ("recipe", "recipe_line", "history", "steps", "device", "profile",
                                                  "meta", "facts")}
        record["test"] = test  # measured on these weights, or None: never an earlier run's
        text = json.dumps(record, indent=1, default=_plain)
        self._atomic_write(self.json_path, lambda f: f.write(text.encode("utf-8")))

    def read_json(self) -> dict:
        try:
            return json.loads(self.json_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise CheckpointError(f"{self.json_path} cannot be read ({err}); the history is also in "
                                  f"{self.path}, or train again with restart=True.") from None

    @staticmethod
    def _atomic_write(target: Path, write) -> None:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _plain(value):
    if isinstance(value, (tuple, set)):
        return list(value)
    if isinstance(value, torch.Tensor):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} cannot be saved in a checkpoint's history")
