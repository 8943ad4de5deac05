"""Training and evaluating a classifier: :func:`fit`, :func:`evaluate`, :func:`init_weights`.

:func:`fit` is d2l's ``train_ch6`` (Xavier initialisation, SGD, cross-entropy) driven by a
:class:`~d2lhelpers.recipes.Recipe`, with what a class needs on top: any device (CUDA, Apple
MPS or the CPU), bf16 autocast and channels_last where they pay, lazy layers initialised too, a
validation set each epoch and the test set once at the end, a checkpoint per epoch that only the
same run resumes (:mod:`~d2lhelpers.checkpoint`), a progress bar and a live plot in a notebook (a
line per epoch elsewhere), the training doctor (:mod:`~d2lhelpers.doctor`), and a pandas
DataFrame history.

The loop itself is :func:`train_epoch`; everything else in :func:`fit` is set-up and
book-keeping. First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import json
import math
import os
import time
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd
import torch
from torch import nn

from . import doctor, profile
from .checkpoint import Checkpoint, CheckpointError, describe_loss, describe_net
from .i18n import N_, tr
from .recipes import Recipe, output_layer

__all__ = ["fit", "fit_quietly", "describe_runs", "over_seeds", "seed_summary", "evaluate", "train_epoch",
           "init_weights", "checkpoint_path", "load_history", "find_mistakes", "confusion_matrix",
           "describe_confusions", "predict", "reestimate_bn", "Callback", "CheckpointError"]

CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"
#: Training-loss points logged within the epochs of a run, at least (two an epoch at the least).
POINTS_PER_RUN = 20
#: A dry run ($D2L_DRY_RUN) trains at most this many epochs: enough to pass from one to the next.
DRY_RUN_EPOCHS = 2
HISTORY_COLUMNS = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "seconds", "examples_per_sec"]


def checkpoint_path(name: str, profile_name: str | None = None) -> Path:
    """Where a notebook keeps a net's checkpoint: ``checkpoints/<name>-<profile>.pt`` in the
    repository (git-ignored), one per profile so that a quick run never stands in for a full one."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", ".."):
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
        _materialise(net, example)
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


def _materialise(net: nn.Module, example: torch.Tensor) -> torch.Tensor:
    """One forward pass in eval mode without gradients (lazy layers get their shapes; batch
    normalization's running statistics are left alone); the net's mode is restored."""
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            return net(example)
    finally:
        net.train(was_training)


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


def _capped(batches: Iterable) -> Iterable:
    """``batches``, or only their first ``$D2L_DRY_RUN`` in a dry run."""
    cap = profile.dry_run_batches()
    return batches if cap is None else itertools.islice(batches, cap)


def _evaluate(net, data_iter, device, loss, amp, channels_last, num_classes=None, train_mode=False):
    """(mean loss, accuracy, counts): counts is None, or (2, num_classes) of true and predicted labels."""
    net.train(train_mode)
    total_loss, correct, n = 0.0, 0, 0
    counts = None
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
        for X, y in _capped(data_iter):
            X, y = _prepare(X, y, device, channels_last)
            y_hat = net(X)
            total_loss += float(loss(y_hat.float(), y)) * y.numel()
            predicted = y_hat.argmax(dim=1)
            correct += int((predicted == y).sum())
            n += y.numel()
            if num_classes:
                both = torch.stack([torch.bincount(y, minlength=num_classes)[:num_classes],
                                    torch.bincount(predicted, minlength=num_classes)[:num_classes]])
                counts = both if counts is None else counts + both
    if n == 0:
        raise ValueError("the evaluation data produced no batches.")
    return total_loss / n, correct / n, counts


def evaluate(net: nn.Module, data_iter: Iterable, device: torch.device | str | None = None, *,
             loss: nn.Module | None = None, amp: bool = False, channels_last: bool = False,
             train_mode: bool = False) -> tuple[float, float]:
    """Mean loss and accuracy of ``net`` over ``data_iter``, without gradients or updates.

    By default in evaluation mode: dropout off, batch normalization with its running statistics,
    which stay as they are. ``train_mode=True`` evaluates in training mode instead (dropout on,
    batch normalization with each batch's own statistics, which also moves its running ones), to
    show what that mode does; the net is left in evaluation mode either way."""
    if device is None:
        parameter = next(net.parameters(), None)
        device = parameter.device if parameter is not None else torch.device("cpu")
    device = profile.usable_device(device)
    total_loss, acc, _ = _evaluate(net, data_iter, device, loss or nn.CrossEntropyLoss(), amp, channels_last,
                                   train_mode=train_mode)
    net.eval()
    return total_loss, acc


class Callback:
    """Something to do during :func:`fit`: each method is called with the run's state."""

    def on_train_begin(self, run: "Run") -> None: ...
    def on_batch_end(self, run: "Run") -> None: ...
    def on_epoch_end(self, run: "Run", history: pd.DataFrame) -> None: ...
    def on_train_end(self, run: "Run", history: pd.DataFrame) -> None: ...


class ProgressBar(Callback):
    """A tqdm bar over the batches still to train."""

    def on_train_begin(self, run):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=(run.recipe.epochs - run.start_epoch) * run.num_batches, unit="batch", leave=False)

    def on_batch_end(self, run):
        self.bar.update(1)

    def on_epoch_end(self, run, history):
        last = history.iloc[-1]
        self.bar.set_description(f"epoch {int(last.epoch)}/{run.recipe.epochs}")
        self.bar.set_postfix(loss=f"{last.train_loss:.3f}", val_acc=f"{last.val_acc:.3f}")

    def on_train_end(self, run, history):
        self.bar.close()


class EpochLines(Callback):
    """A line per epoch (outside a notebook, where no live plot shows the progress)."""

    def on_epoch_end(self, run, history):
        print(_epoch_line(history.iloc[-1], run.recipe.epochs), flush=True)


class Run:
    """What callbacks see of a run in progress."""

    def __init__(self, net, recipe, device, num_batches, start_epoch):
        self.net, self.recipe, self.device = net, recipe, device
        self.num_batches, self.start_epoch, self.epoch = num_batches, start_epoch, start_epoch


def train_epoch(net: nn.Module, batches: Iterable, optimizer: torch.optim.Optimizer, scheduler, loss: nn.Module,
                device: torch.device, *, amp: bool = False, channels_last: bool = False,
                on_batch=None, log_points: int = 0, on_log=None,
                keep_eval: Sequence[nn.Module] = ()) -> tuple[float, float, int]:
    """One pass over ``batches``: forward, loss, backward, step (and the schedule's step) per
    batch. Returns the mean training loss, the accuracy and the number of examples.

    With ``log_points`` > 0 and ``on_log``, ``on_log(fraction, loss, accuracy)`` is called that
    many times an epoch, evenly spread, with the mean over the batches since the last call
    (``fraction`` of the epoch done: 0.2, 0.4, ... 1.0 for 5 points). The modules in ``keep_eval``
    stay in evaluation mode (a frozen body's batch normalization keeps its statistics)."""
    net.train()
    for module in keep_eval:
        module.eval()
    total_loss, correct, n = 0.0, 0, 0
    try:
        num_batches = len(batches)
    except TypeError:  # an iterable without a length: no points within the epoch
        num_batches = 0
    cap = profile.dry_run_batches()
    if cap is not None:
        num_batches = min(num_batches, cap)
    batches = _capped(batches)
    marks = ({round(k * num_batches / log_points) for k in range(1, log_points + 1)}
             if on_log is not None and log_points > 0 and num_batches else set())
    seg_loss, seg_correct, seg_n, seen = 0.0, 0, 0, 0
    for X, y in batches:
        X, y = _prepare(X, y, device, channels_last)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            y_hat = net(X)
            batch_loss = loss(y_hat.float(), y)
        optimizer.zero_grad(set_to_none=True)
        batch_loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():  # accumulate on the device; a sync only where a point is logged
            batch_total, batch_correct = batch_loss.detach() * y.numel(), (y_hat.argmax(dim=1) == y).sum()
            total_loss += batch_total
            correct += batch_correct
            if marks:
                seg_loss, seg_correct = seg_loss + batch_total, seg_correct + batch_correct
        n += y.numel()
        seen += 1
        if marks:
            seg_n += y.numel()
            if seen in marks:
                on_log(seen / num_batches, float(seg_loss) / seg_n, int(seg_correct) / seg_n)
                seg_loss, seg_correct, seg_n = 0.0, 0, 0
        if on_batch is not None:
            on_batch()
    if n == 0:
        raise ValueError("the training data produced no batches.")
    return float(total_loss) / n, int(correct) / n, n


def weights_fingerprint(net: nn.Module) -> str:
    """A short hash of every parameter and buffer of ``net``: equal for equal weights."""
    import hashlib

    digest = hashlib.sha256()
    for name, tensor in itertools.chain(net.named_parameters(), net.named_buffers()):
        digest.update(name.encode())
        digest.update(tensor.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _frozen_body(net: nn.Module, freeze: bool):
    """With ``freeze``: every parameter but the output layer's stops needing gradients (restored
    after), and the body's modules are yielded, to stay in evaluation mode while training."""
    if not freeze:
        yield ()
        return
    head = output_layer(net)
    head_ids = {id(m) for m in head.modules()}
    body = [m for m in net.modules() if id(m) not in head_ids and m is not net]
    params = [p for m in body for p in m.parameters(recurse=False)]
    flags = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad_(False)
    try:
        yield body
    finally:
        for p, flag in zip(params, flags):
            p.requires_grad_(flag)


def _length(batches, what: str) -> int:
    try:
        return len(batches)
    except TypeError:
        raise TypeError(f"the {what} data must know its number of batches (len()); pass data.Batches or a "
                        f"DataLoader, not a {type(batches).__name__}.") from None


def _check_data(train_iter, val_iter, recipe: Recipe) -> None:
    """The batches must be the ones the recipe describes (else the saved recipe would lie)."""
    train_classes, val_classes = getattr(train_iter, "classes", None), getattr(val_iter, "classes", None)
    if train_classes and val_classes and tuple(train_classes) != tuple(val_classes):
        raise ValueError(f"the training and validation batches name other classes ({', '.join(train_classes[:3])}, "
                         f"... and {', '.join(val_classes[:3])}, ...): are they from the same data set?")
    held_out = _num_examples(val_iter) if val_iter is not None else 0
    if isinstance(held_out, int) and held_out != recipe.validation:
        raise ValueError(f"the validation batches hold {held_out:,} images, the recipe says validation="
                         f"{recipe.validation:,}. Build them from it: data.load_splits(recipe), or "
                         f"recipe.replace(validation={held_out}).")
    facts = {"batch_size": getattr(train_iter, "batch_size", None),
             "input_size": getattr(train_iter, "input_size", None)}
    wanted = {"batch_size": recipe.batch_size, "input_size": (recipe.input_size, recipe.input_size)}
    if isinstance(_num_examples(train_iter), int) and recipe.train_subset is not None:
        facts["train_subset"], wanted["train_subset"] = _num_examples(train_iter), recipe.train_subset
    wrong = [f"{k} {facts[k]} in the batches, {wanted[k]} in the recipe" for k in wanted
             if facts[k] is not None and tuple(_pairs(facts[k])) != tuple(_pairs(wanted[k]))]
    if wrong:
        raise ValueError("the training batches do not match the recipe: " + "; ".join(wrong)
                         + ". Build them from it: data.load_splits(recipe).")


def _num_examples(batches) -> int | None:
    """How many examples ``batches`` holds: data.Batches know it, a DataLoader's dataset too."""
    if isinstance(getattr(batches, "num_examples", None), int):
        return batches.num_examples
    try:
        return len(batches.dataset)
    except (AttributeError, TypeError):
        return None


def _pairs(value):
    return value if isinstance(value, (tuple, list)) else (value,)


def _first_batch(net: nn.Module, batches, device, num_classes: int | None, recipe: Recipe, what: str):
    """Run two examples of the first batch through the net before training: clear errors for
    images or labels of the wrong kind, a wrong input size or output count; lazy layers are
    materialised."""
    try:
        X, y = next(iter(batches))
    except StopIteration:
        raise ValueError(tr("the {what} data produced no batches: is the batch size larger than the data set "
                            "with drop_last=True, or the subset empty?", what=tr(what))) from None
    except (TypeError, ValueError):
        raise TypeError(tr("each {what} batch must be a pair (X, y) of tensors.", what=tr(what))) from None
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(tr("each {what} batch must be a pair (X, y) of tensors, got ({x_type}, {y_type}).",
                           what=tr(what), x_type=type(X).__name__, y_type=type(y).__name__))
    if not X.is_floating_point():
        raise TypeError(tr("the {what} images are {dtype}; the net needs floating-point images in [0, 1] "
                           "(data.Batches converts uint8 images; elsewhere divide by 255 and call .float()).",
                           what=tr(what), dtype=X.dtype))
    if X.numel() and float(X.detach().abs().max()) > 20:
        raise ValueError(tr("the {what} images reach {top:.0f}: they look like 0-255 pixel values; divide them by "
                            "255 (data.Batches does) so that the net sees values in [0, 1].", what=tr(what),
                            top=float(X.abs().max())))
    if y.dim() != 1 or y.dtype != torch.int64:
        raise TypeError(tr("the {what} labels must be a 1-D int64 tensor of class numbers, got {dtype} of shape "
                           "{shape} (use y.long(), or y.flatten() for an (N, 1) tensor).", what=tr(what),
                           dtype=y.dtype, shape=tuple(y.shape)))
    if tuple(X.shape[-2:]) != (recipe.input_size, recipe.input_size):
        raise ValueError(tr("the {what} images are {h}x{w} pixels, the recipe says input_size={size}. Build the "
                            "batches from the recipe (data.load_splits(recipe)) or change input_size.",
                            what=tr(what), h=X.shape[-2], w=X.shape[-1], size=recipe.input_size))
    if what == "training" and X.shape[0] != recipe.batch_size and _length(batches, what) > 1:
        raise ValueError(tr("the training batches hold {n} images, the recipe says batch_size={size}. Build them "
                            "from the recipe (data.load_splits(recipe)).", n=X.shape[0], size=recipe.batch_size))
    X = X[:2].to(device)
    try:
        out = _materialise(net, X)
    except RuntimeError as err:
        from .models import MIN_SIZE

        sizes = ", ".join(f"{k} {v}" for k, v in MIN_SIZE.items())
        raise ValueError(tr("the net cannot take inputs of shape {shape}: {error}. Is the input size too small for "
                            "the net (smallest sides, models.MIN_SIZE: {sizes}), or has it the wrong number of "
                            "channels?", shape=tuple(X.shape[1:]), error=str(err).splitlines()[0][:200],
                            sizes=sizes)) from None
    if out.dim() != 2 or (num_classes and out.shape[1] != num_classes):
        raise ValueError(tr("the net outputs shape {shape} for a batch of {n}, but the data has {classes} classes: "
                            "its last layer must give (batch, {classes}), e.g. nn.LazyLinear({classes}).",
                            shape=tuple(out.shape), n=X.shape[0], classes=num_classes))
    if y.numel() and not 0 <= int(y.min()) <= int(y.max()) < out.shape[1]:
        raise ValueError(tr("the {what} labels run from {low} to {high}, but the net has {outputs} outputs "
                            "(classes 0 to {last}).", what=tr(what), low=int(y.min()), high=int(y.max()),
                            outputs=out.shape[1], last=out.shape[1] - 1))


def fit(net: nn.Module, train_iter: Iterable, val_iter: Iterable | None, recipe: Recipe, *,
        test_iter: Iterable | None = None, checkpoint: str | os.PathLike | None = None, restart: bool = False,
        device: torch.device | str | None = None, loss: nn.Module | None = None,
        progress: bool | None = None, live_plot: bool | None = None, verbose: bool = True,
        callbacks: Sequence[Callback] = (), profile_name: str | None = None, meta: dict | None = None
        ) -> pd.DataFrame:
    """Train ``net`` as ``recipe`` says and return its history, one row an epoch.

    Columns: ``epoch``, ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, ``seconds``
    (the whole epoch, validation included) and ``examples_per_sec`` (training examples over
    the wall-clock time of the training pass, data included). ``history.attrs`` holds the
    recipe, device, profile, data facts, the doctor's diagnoses and, when ``test_iter`` is
    given, ``test_loss`` and ``test_acc``: the test set is evaluated once, after training.

    - ``train_iter``, ``val_iter``, ``test_iter``: from ``data.load_splits(recipe)``; the
      training batches must match the recipe's batch size, input size and subset.
    - ``checkpoint``: a name (``"lenet"``: ``checkpoints/lenet-<profile>.pt``) or a path; written
      after every epoch. A re-run of the same run resumes it (or loads it, when finished); a
      checkpoint of another run is refused with the differences named. ``restart=True`` trains
      from scratch and replaces it.
    - ``device``: default the best one here (``D2L_DEVICE`` overrides); ``loss``: default
      cross-entropy; ``meta``: plain facts to keep with the history (e.g. the net's name).
    - ``progress``: a tqdm bar (default on unless ``TQDM_DISABLE`` is set); ``live_plot``:
      redraw loss and accuracy after each epoch (default on in a notebook; outside one a line
      per epoch is printed), and draw the finished run once, test result included (also when
      it was loaded from its checkpoint); ``callbacks``: more :class:`Callback` objects.

    The training loss and accuracy are also logged within each epoch (``history.attrs["steps"]``:
    fractional epoch, loss, accuracy, at least 20 points a run), so a run of two epochs draws
    a curve, not two points. ``$D2L_DRY_RUN`` (:func:`profile.dry_run_batches`) trains at most
    2 epochs, caps every epoch and evaluation at a few batches and keeps no checkpoint.
    """
    if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple)):
        raise TypeError("callbacks is a list of Callback objects, e.g. callbacks=[MyCallback()].")
    if loss is not None and not isinstance(loss, nn.Module):
        raise TypeError(f"loss is a loss object such as nn.CrossEntropyLoss() (with the parentheses), got "
                        f"{loss!r}.")
    device, run_profile, meta = _check_arguments(net, train_iter, val_iter, recipe, device, profile_name, meta,
                                                 callbacks)
    num_batches = _length(train_iter, "training")
    classes = tuple(getattr(train_iter, "classes", ()) or ())
    amp, channels_last = recipe.resolved(device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    loss_fn = loss or nn.CrossEntropyLoss()
    _initialise(net, train_iter, val_iter, recipe, device, classes, channels_last)
    opt = recipe.make_optimizer(recipe.param_groups(net))
    sched = recipe.make_scheduler(opt, num_batches)
    facts = {"input_size": (recipe.input_size, recipe.input_size), "batch_size": recipe.batch_size,
             "train_examples": _num_examples(train_iter),
             "val_examples": _num_examples(val_iter) if val_iter is not None else None, "classes": list(classes),
             "train_data": train_iter.fingerprint() if hasattr(train_iter, "fingerprint") else None,
             "val_data": val_iter.fingerprint() if hasattr(val_iter, "fingerprint") else None,
             # weights fit did not set itself (init="none": loaded, pretrained, trained before) are part of the
             # run: a checkpoint started from other weights is not resumed
             "start_weights": weights_fingerprint(net) if recipe.init == "none" else None}
    # what a checkpoint must match to be resumed, and what it keeps beside the weights
    record = {"recipe": recipe.to_dict(), "net": describe_net(net), "classes": list(classes),
              "loss": describe_loss(loss_fn), "recipe_line": recipe.describe(device), "facts": facts,
              "meta": meta, "profile": run_profile.name, "device": profile.describe_device(device)}
    attrs = {"recipe": record["recipe"], "recipe_line": record["recipe_line"], **facts,
             "profile": run_profile.name, **meta}
    evaluate_on = functools.partial(_evaluate, device=device, loss=loss_fn, amp=amp, channels_last=channels_last)

    dry_run = profile.dry_run_batches()
    if dry_run is not None and verbose:
        print(f"Dry run ({profile.DRY_RUN_ENV}={dry_run}): at most {DRY_RUN_EPOCHS} epochs of {dry_run} batch(es), "
              f"{dry_run} batch(es) per evaluation, no checkpoint kept; the numbers below mean nothing.")
    ckpt = _open_checkpoint(checkpoint, run_profile.name) if dry_run is None else None
    log_points = max(2, math.ceil(POINTS_PER_RUN / recipe.epochs))
    steps: list[dict] = []
    try:
        rows, trained_on = [], record["device"]
        if ckpt is not None and ckpt.exists() and not restart:
            rows, trained_on = ckpt.resume(record, net, opt, sched, device, recipe.epochs, verbose)
            steps = [point for point in ckpt.resumed_steps if point["epoch"] <= len(rows)]
        elif ckpt is not None and ckpt.exists():
            ckpt.check_replaceable()
            if verbose:
                print(f"restart=True: training from scratch; {ckpt.path.name} is replaced after the first epoch.")
        start_epoch = len(rows)
        if verbose and start_epoch < recipe.epochs:
            sizes = f"{facts['train_examples']:,} training images, " if facts["train_examples"] else ""
            if facts["val_examples"]:
                sizes += f"{facts['val_examples']:,} validation, "
            print(f"Training {type(net).__name__} on {record['device']}, profile {run_profile.name!r}: "
                  f"{sizes}{num_batches} batches per epoch")
            print(f"Recipe: {record['recipe_line']}")
        elif verbose:   # a finished run, loaded: its output still names the device, profile and recipe
            print(f"Trained {type(net).__name__} on {trained_on}, profile {run_profile.name!r}, all "
                  f"{recipe.epochs} epoch(s) in the checkpoint")
            print(f"Recipe: {record['recipe_line']}")

        # The loop: an epoch of training, one of validation, a checkpoint, the callbacks.
        run = Run(net, recipe, device, num_batches, start_epoch)
        hooks = _callbacks(callbacks, progress, live_plot, verbose) if start_epoch < recipe.epochs else []
        attrs["steps"] = steps
        on_batch = (lambda: [hook.on_batch_end(run) for hook in hooks]) if hooks else None
        for hook in hooks:
            hook.on_train_begin(run)
        history, counts = _history(rows, trained_on, attrs), None
        try:
            last_epoch = recipe.epochs if dry_run is None else min(recipe.epochs, DRY_RUN_EPOCHS)
            for epoch in range(start_epoch, last_epoch):
                run.epoch = epoch
                if hasattr(train_iter, "set_epoch"):
                    train_iter.set_epoch(epoch)
                t0 = time.perf_counter()
                def log(fraction, seg_loss, seg_acc, epoch=epoch):
                    steps.append({"epoch": round(epoch + fraction, 4), "train_loss": seg_loss, "train_acc": seg_acc})

                with _frozen_body(net, recipe.freeze_body) as keep_eval:
                    train_loss, train_acc, n = train_epoch(net, train_iter, opt, sched, loss_fn, device, amp=amp,
                                                           channels_last=channels_last, on_batch=on_batch,
                                                           log_points=log_points, on_log=log, keep_eval=keep_eval)
                train_seconds = time.perf_counter() - t0
                if not math.isfinite(train_loss):
                    raise FloatingPointError(doctor.divergence_message(train_loss, epoch + 1, opt))
                val_loss, val_acc, counts = (evaluate_on(net, val_iter, num_classes=len(classes) or None)
                                             if val_iter is not None else (math.nan, math.nan, None))
                rows.append({"epoch": epoch + 1, "train_loss": train_loss, "train_acc": train_acc,
                             "val_loss": val_loss, "val_acc": val_acc,
                             "seconds": time.perf_counter() - t0, "examples_per_sec": n / train_seconds})
                trained_on = record["device"]
                history = _history(rows, trained_on, attrs)
                if ckpt is not None:
                    ckpt.save_run(record, rows, net, opt, sched, device, steps=steps)
                for hook in hooks:
                    hook.on_epoch_end(run, history)
        finally:
            for hook in hooks:
                hook.on_train_end(run, history)

        # After training: the classes never predicted, the doctor, and the test set, once.
        if val_iter is not None and classes:
            if counts is None:  # a finished run loaded from its checkpoint
                counts = evaluate_on(net, val_iter, num_classes=len(classes))[2]
            history.attrs["val_never_predicted"] = [classes[c] for c in range(len(classes))
                                                    if counts[0, c] > 0 and counts[1, c] == 0]
        diagnoses = doctor.diagnose(history, net)
        history.attrs["diagnoses"] = [str(d) for d in diagnoses]
        if test_iter is not None:
            test_loss, test_acc, _ = evaluate_on(net, test_iter)
            history.attrs.update(test_loss=test_loss, test_acc=test_acc,
                                 test_examples=_num_examples(test_iter))
            if ckpt is not None:
                ckpt.save_json({**record, "history": rows, "steps": steps, "device": trained_on},
                               test={"loss": test_loss, "acc": test_acc, "examples": history.attrs["test_examples"]})
    finally:
        if ckpt is not None:
            ckpt.release()
    if live_plot if live_plot is not None else _in_notebook():
        live = next((hook for hook in hooks if hasattr(hook, "finish")), None)
        if live is not None:
            live.finish(history)   # the live figure, redrawn with the test result
        else:                      # loaded from its checkpoint: drawn once, here
            from .plot import plot_history

            plot_history(history)
    if verbose:
        if _in_notebook():
            print(_epoch_line(history.iloc[-1], recipe.epochs))
        if test_iter is not None:
            print(f"test accuracy {history.attrs['test_acc']:.3f} (test loss {history.attrs['test_loss']:.3f}), "
                  f"measured once, after training")
        for d in diagnoses:
            print(d)
    return history


def _check_arguments(net, train_iter, val_iter, recipe, device, profile_name, meta, callbacks):
    """Every argument checked before any work: (device, profile, meta) or a one-line error."""
    if not isinstance(recipe, Recipe):
        raise TypeError(f"fit's fourth argument is a recipes.Recipe (it holds the epochs, learning rate, "
                        f"optimiser, ...), got {type(recipe).__name__}: e.g. "
                        f"fit(net, train_iter, val_iter, recipes.Recipe(lr=0.1, epochs=10)).")
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}.")
    meta = dict(meta or {})
    try:
        json.dumps(meta)
    except (TypeError, ValueError):
        raise TypeError("meta must hold plain values (numbers, strings, lists, dicts) to be saved with the "
                        "history.") from None
    device = profile.usable_device(device) if device is not None else profile.pick_device()
    if not any(True for _ in net.parameters()) and not _has_lazy(net):
        raise ValueError("the net has no parameters to train: add layers with weights (e.g. nn.LazyLinear).")
    if not all(not isinstance(cb, type) and hasattr(cb, "on_epoch_end") for cb in callbacks):
        raise TypeError("callbacks is a list of Callback objects (instances), e.g. callbacks=[MyCallback()].")
    if _length(train_iter, "training") == 0:
        raise ValueError("the training data produced no batches: is the batch size larger than the "
                         "data set with drop_last=True, or the subset empty?")
    _check_data(train_iter, val_iter, recipe)
    return device, profile.current(profile_name, device), meta


def _initialise(net, train_iter, val_iter, recipe: Recipe, device, classes, channels_last: bool) -> None:
    """The net on the device, checked on a first batch and initialised from the recipe's seed."""
    profile.set_seed(recipe.seed)
    net.to(device)
    _first_batch(net, train_iter, device, len(classes) or None, recipe, N_("training"))
    if val_iter is not None:
        _first_batch(net, val_iter, device, len(classes) or None, recipe, N_("validation"))
    if recipe.init != "none":
        init_weights(net, scheme=recipe.init, bias=recipe.init_bias)
    elif recipe.init_bias is not None:
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
                nn.init.constant_(m.bias, recipe.init_bias)
    if channels_last:
        net.to(memory_format=torch.channels_last)


def progress_wanted() -> bool:
    """Whether to draw progress bars: yes unless ``TQDM_DISABLE`` is set (as the test suite and
    ``scripts/execute_notebooks.py`` set it), the variable tqdm itself reads."""
    return os.environ.get("TQDM_DISABLE", "").strip().lower() in ("", "0", "false", "no")


def progress(iterable: Iterable, description: str | None = None, **kwargs):
    """``iterable`` with a tqdm bar (a widget in a notebook) for a long loop, say of training runs,
    or without one when :func:`progress_wanted` says no, like :func:`fit`'s own bar. ``kwargs``
    go to tqdm."""
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=description, disable=not progress_wanted(), **kwargs)


def _callbacks(extra, progress, live_plot, verbose) -> list[Callback]:
    """The progress bar, the live plot (in a notebook) or a line per epoch (elsewhere), then ``extra``."""
    in_notebook = _in_notebook()
    if progress is None:
        progress = progress_wanted()
    hooks: list[Callback] = [ProgressBar()] if progress else []
    if live_plot if live_plot is not None else in_notebook:
        from .plot import LivePlot  # plotting lives in plot; train only calls it back

        hooks.append(LivePlot())
    hooks += list(extra)
    if verbose and not in_notebook:
        hooks.append(EpochLines())
    return hooks


def _open_checkpoint(checkpoint, profile_name: str) -> Checkpoint | None:
    """The run's checkpoint, writable and locked for this run (released by fit), or None."""
    if checkpoint is None:
        return None
    name = checkpoint if isinstance(checkpoint, str) and not any(c in checkpoint for c in "/\\") else None
    ckpt = Checkpoint(_checkpoint_file(checkpoint, profile_name), name)
    ckpt.acquire()
    return ckpt


def _checkpoint_file(checkpoint, profile_name: str) -> str | os.PathLike:
    if isinstance(checkpoint, str) and not any(c in checkpoint for c in "/\\") and not checkpoint.endswith(".pt"):
        return checkpoint_path(checkpoint, profile_name)
    if not isinstance(checkpoint, (str, os.PathLike)):
        raise TypeError(f"checkpoint is a name ('lenet') or a path, got {type(checkpoint).__name__}.")
    return checkpoint  # Checkpoint checks it (a trailing slash means a folder: refused)


def _has_lazy(net: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.lazy.LazyModuleMixin) for m in net.modules())


def _history(rows: list[dict], device: str, attrs: dict) -> pd.DataFrame:
    history = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    history.attrs.update(attrs, device=device)
    return history


def fit_quietly(net: nn.Module, recipe: Recipe, checkpoint: str | os.PathLike | None = None, *,
                dataset: str = "fashion-mnist", test: bool = False, **kwargs) -> pd.DataFrame:
    """:func:`fit` on the recipe's own training and validation sets (``data.load_splits(recipe,
    dataset)``), with no progress bar, plot or lines: for the short runs and exercise variants a
    chapter trains beside its network. With ``checkpoint``, a second run of the same recipe loads
    it; ``test=True`` evaluates the recipe's test set once, after training. ``kwargs`` go to
    :func:`fit`."""
    from . import data

    splits = data.load_splits(recipe, dataset)
    return fit(net, splits.train, splits.val, recipe, test_iter=splits.test if test else None, checkpoint=checkpoint,
               progress=False, live_plot=False, verbose=False, **kwargs)


def describe_runs(runs: dict[str, pd.DataFrame]) -> str:
    """A line a run of ``{label: history}``: the first and last training loss logged, the last
    validation accuracy, the classes never predicted on the validation set and the time."""
    if not runs:
        raise ValueError("describe_runs got no runs; pass {label: history} with the histories fit returned.")
    width = max(map(len, runs))
    lines = []
    for label, h in runs.items():
        losses = [point["train_loss"] for point in h.attrs["steps"]]
        never = h.attrs.get("val_never_predicted")
        lines.append(f"{label:<{width}} training loss: first point {losses[0]:.3f}, last point {losses[-1]:.3f}; "
                     f"validation accuracy {h.val_acc.iloc[-1]:.3f}; "
                     + (f"classes never predicted {len(never)}; " if never is not None else "")
                     + f"{h.seconds.sum():.0f} s")
    return "\n".join(lines)


def over_seeds(build, recipe: Recipe, seeds: Sequence[int], checkpoint: str | None = None, *,
               dataset: str = "fashion-mnist", nets: bool = False, **kwargs) -> list:
    """Train a fresh ``build()`` once per seed with :func:`fit_quietly` (``recipe`` with its
    ``seed`` replaced: the training subset, order and initial weights change with it) and return
    the histories, or with ``nets=True`` (net, history) pairs, for a look at the trained nets.
    With ``checkpoint``, run ``s`` is kept as ``<checkpoint>-seed<s>``."""
    if not callable(build) or isinstance(build, nn.Module):
        raise TypeError(f"over_seeds takes a function that builds a fresh net (e.g. models.lenet), "
                        f"got {type(build).__name__}.")
    if not seeds:
        raise ValueError("over_seeds needs at least one seed, e.g. seeds=(0, 1, 2).")
    runs = []
    for seed in seeds:
        net = build()
        history = fit_quietly(net, recipe.replace(seed=seed), dataset=dataset,
                              checkpoint=None if checkpoint is None else f"{checkpoint}-seed{seed}", **kwargs)
        runs.append((net, history) if nets else history)
    return runs


def seed_summary(histories: Sequence[pd.DataFrame]) -> dict:
    """What runs of one variant over several seeds give: the last validation accuracy's mean and
    range (min–max), the classes never predicted on the validation set per seed, and the mean
    time per run."""
    if not histories:
        raise ValueError("seed_summary got no histories; pass the list over_seeds returned.")
    accs = [float(h.val_acc.iloc[-1]) for h in histories]
    return {"validation accuracy (mean)": round(sum(accs) / len(accs), 3),
            "range": f"{min(accs):.3f}–{max(accs):.3f}",
            "classes never predicted, per seed": [len(h.attrs.get("val_never_predicted", [])) for h in histories],
            "seconds per run": round(sum(float(h.seconds.sum()) for h in histories) / len(histories), 1)}


def reestimate_bn(net: nn.Module, batches: Iterable, num_batches: int = 20, *,
                  device: torch.device | str | None = None) -> nn.Module:
    """Recompute the running averages of every batch-normalization layer of ``net`` with its final
    weights, from ``num_batches`` batches of ``batches`` (training batches): batch k enters with
    weight 1/k, so the averages become the plain mean of the batches' statistics. After a short run
    at a high learning rate the moving averages lag behind the weights (notebook 10, section 3.2).
    Training mode without gradients, so no weight changes; returns ``net`` in evaluation mode, each
    layer's momentum as it was. Layers are found by their running averages (PyTorch's and any
    module with ``running_mean``, ``running_var`` and ``momentum``)."""
    from .inspection import whole

    whole(num_batches, "num_batches (how many batches to average over)", 1)
    layers = [m for m in net.modules() if all(hasattr(m, a) for a in ("running_mean", "running_var", "momentum"))
              and getattr(m, "running_mean", None) is not None]
    if not layers:
        raise ValueError(f"{type(net).__name__} has no batch-normalization layer with running averages to re-estimate.")
    if device is None:
        device = next((p.device for p in net.parameters()), torch.device("cpu"))
    momenta = [m.momentum for m in layers]
    seen = 0
    net.train()
    try:
        with torch.no_grad():
            for k, (X, _) in enumerate(itertools.islice(batches, num_batches), start=1):
                for m in layers:
                    m.momentum = 1 / k
                net(X.to(device))
                seen = k
    finally:
        for m, momentum in zip(layers, momenta):
            m.momentum = momentum
        net.eval()
    if not seen:
        raise ValueError("reestimate_bn got no batches; pass the training batches, e.g. data.load_splits(recipe).train.")
    return net


def load_history(path: str | os.PathLike) -> pd.DataFrame:
    """The history of a run that :func:`fit` checkpointed (a path, or a name as ``fit`` takes
    it: ``"lenet"``), without loading its weights: read from
    the JSON file beside the checkpoint (``name.json`` for ``name.pt``), with the recipe, device,
    profile, data facts, ``meta`` and (when measured) the test result in ``attrs``."""
    ckpt = Checkpoint(_checkpoint_file(path, profile.current().name))
    if not ckpt.json_path.exists():
        if ckpt.exists():
            raise CheckpointError(f"{ckpt.json_path} is missing beside {ckpt.path}: the checkpoint was written "
                                  f"by an older version of d2lhelpers; train again with restart=True.")
        raise FileNotFoundError(f"no checkpoint at {ckpt.path}: run the notebook that trains this network "
                                f"(it writes the file) or train it here with fit(..., checkpoint=...).")
    record = ckpt.read_json()
    if not isinstance(record, dict) or not isinstance(record.get("history"), list):
        raise CheckpointError(f"{ckpt.json_path} is not a history written by fit.")
    facts = dict(record.get("facts") or {})
    if facts.get("input_size"):
        facts["input_size"] = tuple(facts["input_size"])
    attrs = {"recipe": record.get("recipe"), "recipe_line": record.get("recipe_line"), **facts,
             "profile": record.get("profile", "unknown"), **(record.get("meta") or {})}
    attrs["steps"] = list(record.get("steps") or [])
    test = record.get("test")
    if test:
        attrs.update(test_loss=test["loss"], test_acc=test["acc"], test_examples=test.get("examples"))
    return _history(record["history"], record.get("device", "unknown device"), attrs)


def _epoch_line(row, num_epochs: int) -> str:
    val = (f", val loss {row['val_loss']:.3f}, val acc {row['val_acc']:.3f}"
           if not math.isnan(row["val_loss"]) else "")
    return (f"epoch {int(row['epoch']):>{len(str(num_epochs))}}/{num_epochs}: train loss {row['train_loss']:.3f}, "
            f"train acc {row['train_acc']:.3f}{val}, {row['seconds']:.1f} s, "
            f"{row['examples_per_sec']:,.0f} examples/s")


def confusion_matrix(net: nn.Module, data_iter: Iterable, num_classes: int = 10) -> torch.Tensor:
    """Counts of (true class, predicted class) over ``data_iter``: row = truth, column = prediction."""
    device = next(net.parameters()).device
    counts = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    net.eval()
    with torch.no_grad():
        for X, y in _capped(data_iter):
            predicted = net(X.to(device)).argmax(dim=1).cpu()
            if int(max(y.max(), predicted.max())) >= num_classes:
                raise ValueError(f"labels or predictions reach class {int(max(y.max(), predicted.max()))}, "
                                 f"beyond num_classes={num_classes}: pass the number of classes of the data.")
            counts += torch.bincount(y.cpu() * num_classes + predicted, minlength=num_classes ** 2).reshape(
                num_classes, num_classes)
    return counts


def describe_confusions(counts: torch.Tensor, classes: Sequence[str], k: int = 5) -> str:
    """What a confusion matrix (:func:`confusion_matrix`) says in a few lines: how many images are
    right, the classes never predicted, and the ``k`` most frequent (true, predicted) mistakes."""
    counts = torch.as_tensor(counts)
    n = len(classes)
    if counts.shape != (n, n):
        raise ValueError(f"counts has shape {tuple(counts.shape)} but there are {n} class names; "
                         f"pass the matrix confusion_matrix returned and the data set's classes.")
    never = [classes[i] for i in range(n) if int(counts[:, i].sum()) == 0]
    mistakes = counts.clone()
    mistakes.fill_diagonal_(0)
    lines = [f"{int(counts.trace()):,} of {int(counts.sum()):,} images right; classes never predicted: "
             f"{', '.join(never) if never else 'none'}; the most frequent confusions:"]
    top = mistakes.flatten().topk(min(k, n * n))
    for n_wrong, index in zip(top.values.tolist(), top.indices.tolist()):
        if n_wrong:
            lines.append(f"{n_wrong:4d} × {classes[index // n]:<11} taken for {classes[index % n]}")
    return "\n".join(lines)


def find_mistakes(net: nn.Module, data_iter: Iterable, n: int = 16) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The first ``n`` examples of ``data_iter`` that ``net`` gets wrong, in order: (images,
    true labels, predicted labels), on the CPU. Fewer when the net makes fewer mistakes."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n is how many mistakes to find, a whole number of at least 1; got {n!r}.")
    images, truths, guesses = [], [], []
    found = 0
    for X, y in _capped(data_iter):
        predicted = predict(net, X)
        wrong = (predicted != y.cpu()).nonzero().flatten()[: n - found]
        images.append(X.cpu()[wrong])
        truths.append(y.cpu()[wrong])
        guesses.append(predicted[wrong])
        found += len(wrong)
        if found == n:
            break
    if not images:
        raise ValueError("the data produced no batches.")
    return torch.cat(images), torch.cat(truths), torch.cat(guesses)


def predict(net: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Predicted labels of ``net`` for a batch ``X`` (eval mode, no gradients)."""
    device = next(net.parameters()).device
    net.eval()
    with torch.no_grad():
        return net(X.to(device)).argmax(dim=1).cpu()


def seconds_per_step(build, size: int, recipe: Recipe, *, steps: int = 3, batch_size: int | None = None,
                     bf16: bool | None = None, device: torch.device | str | None = None,
                     num_classes: int = 10) -> float:
    """The median time of one training step (forward, backward and an update with ``recipe``'s
    optimiser) of ``build()`` on a batch of random ``size`` x ``size`` one-channel images, after
    one warm-up step: what a step of ``fit`` costs here, without the data pipeline.

    ``bf16`` None uses what ``fit`` would on ``device`` (``recipe.resolved``), as does the memory
    layout; ``batch_size`` None is the recipe's. To estimate a whole run, divide its images by
    ``batch_size / seconds``."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps is how many steps to time, a whole number of at least 1; got {steps!r}.")
    device = torch.device(device) if device is not None else profile.current().device
    batch_size = batch_size or recipe.batch_size
    fit_bf16, channels_last = recipe.resolved(device)
    bf16 = fit_bf16 if bf16 is None else bf16
    net = build().to(device)
    X, y = _prepare(torch.rand(batch_size, 1, size, size), torch.randint(0, num_classes, (batch_size,)), device,
                    channels_last)
    _materialise(net, X[:2])                                         # lazy layers find their sizes
    if channels_last:
        net.to(memory_format=torch.channels_last)
    optimizer, loss = recipe.make_optimizer(net.parameters()), nn.CrossEntropyLoss()
    net.train()
    times = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            batch_loss = loss(net(X).float(), y)
        optimizer.zero_grad()
        batch_loss.backward()
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    timed = sorted(times[1:])
    return timed[len(timed) // 2]
