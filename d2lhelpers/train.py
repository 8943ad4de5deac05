"""Training and evaluating a classifier: :func:`fit`, :func:`evaluate`, :func:`init_weights`.

:func:`fit` is d2l's ``train_ch6`` (Xavier initialisation, SGD, cross-entropy)
with what a class needs on top: any device (CUDA, Apple MPS or the CPU), bf16
autocast and channels_last on CUDA, lazy layers initialised too, a progress bar
and a live plot in a notebook (a line per epoch elsewhere), a checkpoint per
epoch that a re-run resumes from, seeding, and a pandas DataFrame history.

First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import torch
from torch import nn

from . import profile

CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"
HISTORY_COLUMNS = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds", "examples_per_sec"]


def checkpoint_path(name: str, profile_name: str | None = None) -> Path:
    """Where a notebook keeps a net's checkpoint: ``checkpoints/<name>-<profile>.pt`` in the
    repository (git-ignored), one per profile so that a quick run never stands in for a full one."""
    if not name or "/" in name or "\\" in name:
        raise ValueError(f"a checkpoint name is a plain file name such as 'lenet', got {name!r}.")
    return CHECKPOINT_DIR / f"{name}-{profile.current(profile_name).name}.pt"


INIT_SCHEMES = ("xavier", "kaiming")


def init_weights(net: nn.Module, example: torch.Tensor | None = None, scheme: str = "xavier",
                 bias: float | None = None) -> nn.Module:
    """Xavier-uniform weights in every Conv2d and Linear layer, as d2l's ``train_ch6`` does.

    ``scheme="kaiming"`` uses He (Kaiming) normal weights for ReLU networks instead, with
    zero biases: the variance of the activations then stays constant through deep stacks of
    ReLU layers, which helps networks without normalisation (such as NiN) start learning.
    ``bias`` sets every Conv2d and Linear bias to that constant (a small positive value keeps
    more ReLUs active at the start).

    Every layer is reset first (``reset_parameters``), so biases get their usual
    initial values from the current random state: after a seed, the same net.

    Lazy layers have no weights until they see data: pass ``example`` (one batch)
    and they are materialised first, then initialised like the rest (d2l's own
    check, ``type(m) == nn.Linear``, silently skips them).
    """
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"unknown initialisation {scheme!r}; choose one of {', '.join(INIT_SCHEMES)}.")
    if _has_lazy(net):
        if example is None:
            raise ValueError("this net has lazy layers: pass one example batch so that their shapes are known.")
        was_training = net.training
        net.eval()
        with torch.no_grad():
            net(example)
        net.train(was_training)
    for m in net.modules():
        if hasattr(m, "reset_parameters"):
            m.reset_parameters()  # biases too: a seeded init gives the same net every time
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if scheme == "xavier":
                nn.init.xavier_uniform_(m.weight)
            else:
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            if bias is not None and m.bias is not None:
                nn.init.constant_(m.bias, bias)
    return net


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _prepare(X: torch.Tensor, y: torch.Tensor, device: torch.device, channels_last: bool):
    X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
    if channels_last and X.dim() == 4:
        X = X.contiguous(memory_format=torch.channels_last)
    return X, y


def evaluate(net: nn.Module, data_iter: Iterable, device: torch.device | str | None = None, *,
             loss: nn.Module | None = None, amp: bool = False, channels_last: bool = False) -> tuple[float, float]:
    """Mean loss and accuracy of ``net`` over ``data_iter`` (in eval mode, no gradients)."""
    device = torch.device(device) if device is not None else next(net.parameters()).device
    loss = loss or nn.CrossEntropyLoss()
    net.eval()
    total_loss, correct, n = 0.0, 0, 0
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
        for X, y in data_iter:
            X, y = _prepare(X, y, device, channels_last)
            y_hat = net(X)
            total_loss += float(loss(y_hat.float(), y)) * y.numel()
            correct += int((y_hat.argmax(dim=1) == y).sum())
            n += y.numel()
    if n == 0:
        raise ValueError("the evaluation data produced no batches.")
    return total_loss / n, correct / n


class _LivePlot:
    """Loss and accuracy redrawn after each epoch in one notebook output."""

    def __init__(self):
        from IPython.display import display
        import matplotlib.pyplot as plt

        from . import plot

        self._plot = plot
        self.fig, self.axes = plt.subplots(1, 2, figsize=(8, 2.8))
        plt.close(self.fig)  # shown through the handle only, not again at the end of the cell
        self.handle = display(self.fig, display_id=True)

    def update(self, history: pd.DataFrame) -> None:
        for ax in self.axes:
            ax.clear()
        self._plot.draw_history(history, self.axes)
        self.fig.tight_layout()
        self.handle.update(self.fig)


def _save_checkpoint(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)  # never leave half a checkpoint behind


def fit(net: nn.Module, train_iter: Iterable, test_iter: Iterable, num_epochs: int, lr: float = 0.1, *,
        optimizer: torch.optim.Optimizer | Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer] | None = None,
        scheduler: Callable[[torch.optim.Optimizer, int], object] | None = None,
        loss: nn.Module | None = None, device: torch.device | str | None = None,
        amp: bool | None = None, channels_last: bool | None = None, init: bool | str = True,
        init_bias: float | None = None,
        checkpoint: str | os.PathLike | None = None, seed: int | None = 0,
        progress: bool | None = None, live_plot: bool | None = None, verbose: bool = True,
        profile_name: str | None = None, meta: dict | None = None) -> pd.DataFrame:
    """Train ``net`` and return its history, one row an epoch.

    Columns: ``epoch``, ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc``,
    ``seconds`` (the whole epoch, evaluation included) and ``examples_per_sec``
    (training examples over the wall-clock time of the training pass, data
    included). ``history.attrs`` records the device and profile.

    - ``optimizer``: an optimizer, or a function of the parameters that makes
      one; default ``SGD(lr=lr)`` as in the book.
    - ``scheduler``: a function ``(optimizer, total_steps) -> scheduler``,
      stepped after every batch (e.g. ``OneCycleLR``).
    - ``amp`` / ``channels_last``: default on for CUDA (bf16 autocast where
      the GPU supports it), off elsewhere.
    - ``init``: Xavier initialisation as in the book (lazy layers included);
      ``"kaiming"`` for He initialisation (see :func:`init_weights`); False keeps the weights.
      ``init_bias``: a constant for every bias (default: each scheme's own).
    - ``checkpoint``: a file written after every epoch; when it exists, training
      resumes from it, and a finished run is loaded instead of retrained.
    - ``meta``: facts about the run to keep in the checkpoint and in
      ``history.attrs`` (e.g. the recipe), beside the input size, batch size and
      number of training examples that ``fit`` reads from ``train_iter``;
      :func:`load_history` reads them back.
    - ``seed``: seeds torch, NumPy and Python before initialising; None leaves them.
    - ``progress``: a tqdm progress bar; by default on unless ``TQDM_DISABLE`` is
      set (which tqdm's notebook bar itself ignores).
    - ``live_plot``: redraw loss and accuracy after each epoch; default on in a
      notebook. Outside a notebook a line per epoch is printed instead.
    """
    device = torch.device(device) if device is not None else profile.pick_device()
    run = profile.current(profile_name, device)
    if num_epochs < 0:
        raise ValueError(f"num_epochs must be 0 or more, got {num_epochs}.")
    num_batches = len(train_iter)  # type: ignore[arg-type]
    if num_batches == 0:
        raise ValueError("the training data produced no batches: is the batch size larger than the "
                         "data set with drop_last=True, or the subset empty?")
    on_cuda = device.type == "cuda"
    amp = (on_cuda and torch.cuda.is_bf16_supported()) if amp is None else amp
    channels_last = on_cuda if channels_last is None else channels_last
    if on_cuda:
        torch.backends.cudnn.benchmark = True
    in_notebook = _in_notebook()
    live_plot = in_notebook if live_plot is None else live_plot
    loss_fn = loss or nn.CrossEntropyLoss()

    if seed is not None:
        profile.set_seed(seed)
    if init:
        example = next(iter(train_iter))[0][:2].to(device) if _has_lazy(net) else None
        net.to(device)
        init_weights(net, example, "xavier" if init is True else init, bias=init_bias)
    net.to(device)
    if channels_last:
        net.to(memory_format=torch.channels_last)
    if optimizer is None:
        opt = torch.optim.SGD(net.parameters(), lr=lr)
    elif isinstance(optimizer, torch.optim.Optimizer):
        opt = optimizer
    else:
        opt = optimizer(net.parameters())
    sched = scheduler(opt, num_epochs * num_batches) if scheduler is not None else None

    facts = {}  # what the data says about the run, kept with the history
    size = getattr(train_iter, "resize", None) or getattr(getattr(train_iter, "images", None), "shape", (None,))[-2:]
    if size and None not in size:
        facts["input_size"] = tuple(int(s) for s in size)
    for key, attr in (("batch_size", "batch_size"), ("train_examples", "num_examples")):
        if isinstance(getattr(train_iter, attr, None), int):
            facts[key] = getattr(train_iter, attr)
    meta = {**facts, **(meta or {})}
    rows: list[dict] = []
    start_epoch = 0
    loaded_from = None  # the device a finished checkpoint was trained on
    ckpt_path = Path(checkpoint) if checkpoint is not None else None
    if ckpt_path is not None and ckpt_path.exists():
        state = torch.load(ckpt_path, map_location=device, weights_only=False)
        try:
            net.load_state_dict(state["model"])
        except RuntimeError as err:
            raise ValueError(f"the checkpoint {ckpt_path} was saved from a different network; delete it "
                             f"to train this one from scratch. ({str(err).splitlines()[0]})") from err
        rows = state["history"][:num_epochs]
        start_epoch = len(rows)
        loaded_from = state.get("device")
        if start_epoch < num_epochs:
            opt.load_state_dict(state["optimizer"])
            if sched is not None and state.get("scheduler") is not None:
                sched.load_state_dict(state["scheduler"])
            torch.set_rng_state(state["rng"])
        if verbose:
            print(f"Loaded {ckpt_path.name}: {len(state['history'])} epoch(s) done"
                  + (f", training {num_epochs - start_epoch} more." if start_epoch < num_epochs else "."))

    if verbose and start_epoch < num_epochs:
        examples = getattr(train_iter, "num_examples", None)
        size = f"{examples:,} examples, " if examples else ""
        print(f"Training {type(net).__name__} on {profile.describe_device(device)}, profile {run.name!r}: "
              f"{num_epochs} epochs, {size}{num_batches} batches per epoch, "
              f"bf16 autocast {'on' if amp else 'off'}, channels_last {'on' if channels_last else 'off'}")

    live = _LivePlot() if live_plot and start_epoch < num_epochs else None
    bar = None
    if progress is None:
        progress = os.environ.get("TQDM_DISABLE", "").strip().lower() in ("", "0", "false", "no")
    if progress and start_epoch < num_epochs:
        from tqdm.auto import tqdm

        bar = tqdm(total=(num_epochs - start_epoch) * num_batches, unit="batch", leave=False)
    try:
        for epoch in range(start_epoch, num_epochs):
            if hasattr(train_iter, "set_epoch"):
                train_iter.set_epoch(epoch)
            net.train()
            t0 = time.perf_counter()
            total_loss, correct, n = 0.0, 0, 0
            for X, y in train_iter:
                X, y = _prepare(X, y, device, channels_last)
                with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                    y_hat = net(X)
                    batch_loss = loss_fn(y_hat.float(), y)
                opt.zero_grad(set_to_none=True)
                batch_loss.backward()
                opt.step()
                if sched is not None:
                    sched.step()
                with torch.no_grad():  # accumulate on the device; one sync per epoch
                    total_loss += batch_loss.detach() * y.numel()
                    correct += (y_hat.argmax(dim=1) == y).sum()
                n += y.numel()
                if bar is not None:
                    bar.update(1)
            train_loss, train_acc = float(total_loss) / n, int(correct) / n
            train_seconds = time.perf_counter() - t0
            if not math.isfinite(train_loss):
                raise FloatingPointError(f"the training loss became {train_loss} in epoch {epoch + 1}: "
                                         f"the learning rate ({lr}) is probably too high for this net.")
            test_loss, test_acc = evaluate(net, test_iter, device, loss=loss_fn, amp=amp,
                                           channels_last=channels_last)
            rows.append({"epoch": epoch + 1, "train_loss": train_loss, "train_acc": train_acc,
                         "test_loss": test_loss, "test_acc": test_acc,
                         "seconds": time.perf_counter() - t0, "examples_per_sec": n / train_seconds})
            if bar is not None:
                bar.set_description(f"epoch {epoch + 1}/{num_epochs}")
                bar.set_postfix(loss=f"{train_loss:.3f}", test_acc=f"{test_acc:.3f}")
            if ckpt_path is not None:
                _save_checkpoint(ckpt_path, {
                    "model": net.state_dict(), "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict() if sched is not None and hasattr(sched, "state_dict") else None,
                    "history": rows, "rng": torch.get_rng_state(),
                    "device": profile.describe_device(device), "profile": run.name, "meta": meta})
            history = _history(rows, device, run.name, meta)
            if live is not None:
                live.update(history)
            if verbose and not in_notebook:
                print(_epoch_line(rows[-1], num_epochs), flush=True)
    finally:
        if bar is not None:
            bar.close()
    trained_on = loaded_from if (loaded_from and start_epoch >= num_epochs) else device
    history = _history(rows, trained_on, run.name, meta)
    if verbose and rows and in_notebook:
        print(_epoch_line(rows[-1], num_epochs))
    return history


def _has_lazy(net: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.lazy.LazyModuleMixin) for m in net.modules())


def _history(rows: list[dict], device: torch.device | str, profile_name: str, meta: dict | None = None) -> pd.DataFrame:
    history = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    device = device if isinstance(device, str) else profile.describe_device(device)
    history.attrs.update(dict(meta or {}), device=device, profile=profile_name)
    return history


def load_history(path: str | os.PathLike) -> pd.DataFrame:
    """The history saved in a checkpoint written by :func:`fit`, with the device, profile and
    ``meta`` of the run that wrote it in ``attrs``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}: run the notebook that trains this network "
                                f"(it writes the file) or train it here with fit(..., checkpoint=...).")
    state = torch.load(path, map_location="cpu", weights_only=False)
    return _history(state["history"], state.get("device", "unknown device"), state.get("profile", "unknown"),
                    state.get("meta"))


def _epoch_line(row: dict, num_epochs: int) -> str:
    return (f"epoch {row['epoch']:>{len(str(num_epochs))}}/{num_epochs}: train loss {row['train_loss']:.3f}, "
            f"train acc {row['train_acc']:.3f}, test loss {row['test_loss']:.3f}, test acc {row['test_acc']:.3f}, "
            f"{row['seconds']:.1f} s, {row['examples_per_sec']:,.0f} examples/s")


def confusion_matrix(net: nn.Module, data_iter: Iterable, num_classes: int = 10) -> torch.Tensor:
    """Counts of (true class, predicted class) over ``data_iter``: row = truth, column = prediction."""
    device = next(net.parameters()).device
    counts = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    net.eval()
    with torch.no_grad():
        for X, y in data_iter:
            predicted = net(X.to(device)).argmax(dim=1).cpu()
            counts += torch.bincount(y.cpu() * num_classes + predicted, minlength=num_classes ** 2).reshape(
                num_classes, num_classes)
    return counts


def predict(net: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Predicted labels of ``net`` for a batch ``X`` (eval mode, no gradients)."""
    device = next(net.parameters()).device
    net.eval()
    with torch.no_grad():
        return net(X.to(device)).argmax(dim=1).cpu()
