"""Figures: a training history, a grid of images with labels, a grid of feature maps.

Each function draws one figure. With ``show=True`` (the default) it is shown
(``plt.show()``) and the function returns None, so a notebook cell shows it
exactly once; with ``show=False`` the Figure is returned for further drawing,
saving or testing.

First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


def _finish(fig: Figure, show: bool, *, tight: bool = True) -> Figure | None:
    if tight:   # not with a colour bar placed beside the grid, which tight_layout cannot arrange
        fig.tight_layout()
    if show:
        plt.show()
        return None
    return fig


def draw_history(history: pd.DataFrame, axes: Sequence[plt.Axes], title: str | None = None) -> None:
    """Draw training vs validation loss on ``axes[0]`` and accuracy on ``axes[1]`` (the test
    accuracy, measured once after training, as a star at the last epoch), under ``title``
    (default: the device and profile recorded in ``history.attrs``). The training curve uses the
    points logged within the epochs when ``history.attrs["steps"]`` has them."""
    steps = history.attrs.get("steps") or []
    for ax, metric, label in ((axes[0], "loss", "loss"), (axes[1], "acc", "accuracy")):
        for split, style, name in (("train", "-", "training"), ("val", "--", "validation")):
            column = f"{split}_{metric}"
            if split == "train" and steps:   # logged within the epochs: a curve, not one point an epoch
                ax.plot([p["epoch"] for p in steps], [p[column] for p in steps], style, marker="o", markersize=2,
                        label=name)
            elif column in history and history[column].notna().any():
                ax.plot(history["epoch"], history[column], style, marker="o", markersize=3, label=name)
        test = history.attrs.get(f"test_{metric}")
        if test is not None and len(history):
            ax.plot([history["epoch"].iloc[-1]], [test], "k*", markersize=9, label="test (once)")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    if len(history):
        last = history.iloc[-1]
        if history.attrs.get("test_acc") is not None:
            axes[1].set_title(f"test acc {history.attrs['test_acc']:.3f}", fontsize=10)
        elif "val_acc" in history and history["val_acc"].notna().any():
            axes[1].set_title(f"val acc {last['val_acc']:.3f}", fontsize=10)
        else:
            axes[1].set_title(f"train acc {last['train_acc']:.3f}", fontsize=10)
        axes[0].set_title(f"train loss {last['train_loss']:.3f}", fontsize=10)
    if title is None:
        device, name = history.attrs.get("device"), history.attrs.get("profile")
        title = f"{device}, profile {name!r}" if device and name else None
    if title:
        axes[0].figure.suptitle(title, fontsize=10)


class LivePlot:
    """A ``train.fit`` callback: loss and accuracy redrawn after each epoch in one notebook output."""

    def on_train_begin(self, run) -> None:
        from IPython.display import display

        self.fig, self.axes = plt.subplots(1, 2, figsize=(8, 2.8))
        plt.close(self.fig)  # shown through the handle only, not again at the end of the cell
        self.handle = display(self.fig, display_id=True)

    def on_batch_end(self, run) -> None:
        pass

    def on_epoch_end(self, run, history: pd.DataFrame) -> None:
        for ax in self.axes:
            ax.clear()
        draw_history(history, self.axes)
        self.fig.tight_layout()
        self.handle.update(self.fig)

    def on_train_end(self, run, history: pd.DataFrame) -> None:
        pass

    def finish(self, history: pd.DataFrame) -> None:
        """The finished run, test result included, in the same figure."""
        self.on_epoch_end(None, history)


def plot_history(history: pd.DataFrame, title: str | None = None, *, show: bool = True) -> Figure | None:
    """Loss and accuracy per epoch, training vs validation (and the test result), side by side."""
    if not isinstance(history, pd.DataFrame):
        raise TypeError(f"plot_history takes the DataFrame that train.fit returns, got {type(history).__name__}.")
    missing = [c for c in ("epoch", "train_loss", "train_acc") if c not in history]
    if missing:
        raise ValueError(f"the history lacks the column(s) {', '.join(missing)}: pass what train.fit returns.")
    if history.empty:
        raise ValueError("the history is empty: train for at least one epoch first.")
    fig, axes = plt.subplots(1, 2, figsize=(8, 2.8))
    draw_history(history, axes, title)
    return _finish(fig, show)


def _steps(label: str, history) -> tuple[list[float], list[float]]:
    steps = history.attrs.get("steps") if isinstance(history, pd.DataFrame) else None
    if not steps or not history.attrs.get("train_examples"):
        raise ValueError(f"run {label!r} has no losses logged within its epochs: pass a history from train.fit "
                         f"(or a list of them, one per seed).")
    return ([point["epoch"] * history.attrs["train_examples"] for point in steps],
            [point["train_loss"] for point in steps])


def _mean_and_band(ax: plt.Axes, x: Sequence[float], rows: Sequence[Sequence[float]], label: str,
                   style: str) -> None:
    """The mean of ``rows`` (one per seed) against ``x``, and a band from their lowest to their highest."""
    values = torch.tensor(rows, dtype=torch.float64)
    line, = ax.plot(x, values.mean(0).tolist(), marker="o", markersize=3, linestyle=style,
                    label=f"{label} (mean of {len(rows)})" if len(rows) > 1 else label)
    if len(rows) > 1:
        ax.fill_between(x, values.min(0).values.tolist(), values.max(0).values.tolist(), color=line.get_color(),
                        alpha=0.2, linewidth=0)


def compare_losses(runs: dict, title: str | None = None, *, chance: float | None = None,
                   ax: plt.Axes | None = None, show: bool = True) -> Figure | None:
    """The training loss logged within each run (``history.attrs["steps"]``) against the number
    of training images seen, one curve per run: ``runs`` maps a label to what ``train.fit``
    returned, or to a list of such histories (one per seed, as ``train.over_seeds`` gives): then
    the curve is their mean and a band spans their lowest and highest loss at each point.
    ``chance`` draws a dotted line at the loss of a uniform guess (ln 10 for 10 classes). Pass
    ``ax`` to draw into a figure of yours."""
    if not isinstance(runs, dict) or not runs:
        raise TypeError("runs maps a label to a history from train.fit, e.g. {'SGD': h1, 'Adam': h2}.")
    own = ax is None
    fig, ax = plt.subplots(figsize=(6.5, 3)) if own else (ax.figure, ax)
    for i, (label, history) in enumerate(runs.items()):
        style = ("-", "--", "-.", ":")[i % 4]   # styles too: curves that coincide stay visible
        if isinstance(history, (list, tuple)):
            if not history:
                raise ValueError(f"run {label!r} is an empty list: pass one history per seed.")
            curves = [_steps(label, h) for h in history]
            seen = curves[0][0]
            if any(c[0] != seen for c in curves):
                raise ValueError(f"the runs of {label!r} logged their losses at different points: compare seeds "
                                 f"of one recipe.")
            _mean_and_band(ax, seen, [c[1] for c in curves], label, style)
        else:
            seen, losses = _steps(label, history)
            ax.plot(seen, losses, marker="o", markersize=3, label=label, linestyle=style)
    if chance is not None:
        ax.axhline(chance, color="gray", linestyle=":", label=f"{chance:.3f}: chance")
    ax.set_xlabel("training images seen")
    ax.set_ylabel("training loss")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    if len(runs) > 4:   # beside the plot, where it hides no curve
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    else:
        ax.legend(fontsize=8)
    return _finish(fig, show) if own else None


def compare_histories(runs: dict, column: str = "val_acc", title: str | None = None, *,
                      ax: plt.Axes | None = None, show: bool = True) -> Figure | None:
    """One curve per run of a history column (default ``val_acc``) against the epoch: ``runs``
    maps a label to what ``train.fit`` returned, or to a list of such histories (one per seed, as
    ``train.over_seeds`` gives): then the curve is their mean and a band spans their lowest and
    highest value at each epoch. Pass ``ax`` to draw into a figure of yours."""
    if not isinstance(runs, dict) or not runs:
        raise TypeError("runs maps a label to a history from train.fit, e.g. {'plain': h1, 'with BN': h2}.")
    own = ax is None
    fig, ax = plt.subplots(figsize=(6.5, 3)) if own else (ax.figure, ax)

    def checked(label, history):
        if not isinstance(history, pd.DataFrame) or column not in history:
            raise ValueError(f"run {label!r} has no column {column!r}: pass histories from train.fit (or a list of "
                             f"them, one per seed) and one of train_loss, train_acc, val_loss, val_acc.")
        return history

    for i, (label, history) in enumerate(runs.items()):
        style = ("-", "--", "-.", ":")[i % 4]   # curves that coincide stay visible
        if isinstance(history, (list, tuple)):
            if not history:
                raise ValueError(f"run {label!r} is an empty list: pass one history per seed.")
            histories = [checked(label, h) for h in history]
            epochs = histories[0]["epoch"].tolist()
            if any(h["epoch"].tolist() != epochs for h in histories):
                raise ValueError(f"the runs of {label!r} have different epochs: compare seeds of one recipe.")
            _mean_and_band(ax, epochs, [h[column].tolist() for h in histories], label, style)
        else:
            history = checked(label, history)
            ax.plot(history["epoch"], history[column], marker="o", markersize=3, label=label, linestyle=style)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))    # epochs are whole numbers
    ax.set_xlabel("epoch")
    ax.set_ylabel({"val_acc": "validation accuracy", "train_acc": "training accuracy", "val_loss": "validation loss",
                   "train_loss": "training loss"}.get(column, column))
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _finish(fig, show) if own else None


def _grid(n: int, ncols: int | None) -> tuple[int, int]:
    if n < 1:
        raise ValueError("nothing to draw: pass at least one image.")
    ncols = ncols or min(n, 8)
    return math.ceil(n / ncols), ncols


def _as_2d(img: torch.Tensor) -> torch.Tensor:
    img = torch.as_tensor(img).detach().float().cpu()
    if img.dim() == 3 and img.shape[0] == 1:
        img = img[0]
    if img.dim() != 2:
        raise ValueError(f"each image must be (H, W) or (1, H, W); got shape {tuple(img.shape)}.")
    return img


def show_images(images: torch.Tensor | Sequence[torch.Tensor], labels: Sequence[str] | None = None, *,
                ncols: int | None = None, scale: float = 1.3, cmap: str = "gray_r",
                show: bool = True) -> Figure | None:
    """A grid of grey images, each titled with its label (like d2l's ``show_images``)."""
    images = list(images)
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels.")
    nrows, ncols = _grid(len(images), ncols)
    lines = max((str(label).count("\n") + 1 for label in labels), default=1) if labels is not None else 1
    height = nrows * scale * (1.0 + 0.15 * lines)  # room for one- or multi-line titles
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * scale, height), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(_as_2d(images[i]).numpy(), cmap=cmap)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=8)
    return _finish(fig, show)


def show_mistakes(images: torch.Tensor, truths: torch.Tensor, guesses: torch.Tensor, classes: Sequence[str], *,
                  ncols: int = 8, scale: float = 1.4, show: bool = True) -> Figure | None:
    """Images a net got wrong (e.g. from ``train.find_mistakes``), each titled with its true
    class and, after ✗, the net's answer."""
    if len(images) == 0:
        raise ValueError("no mistakes to show: the net got every example right.")
    titles = [f"{classes[t]}\n✗ {classes[g]}" for t, g in zip(truths.tolist(), guesses.tolist())]
    return show_images(images, titles, ncols=ncols, scale=scale, show=show)


def show_feature_maps(maps: torch.Tensor, *, titles: Sequence[str] | None = None, ncols: int | None = None,
                      scale: float = 1.3, cmap: str = "viridis", centred: bool = False,
                      vmin: float | None = None, vmax: float | None = None, colorbar: bool = False,
                      show: bool = True) -> Figure | None:
    """The channels of one feature map, (C, H, W) or (1, C, H, W), one panel each.

    By default each panel has its own colour scale (``centred`` makes it symmetric about 0, for
    signed maps and a diverging ``cmap`` such as ``"RdBu_r"``). To compare panels by eye, give
    one scale to all: ``vmin``/``vmax`` (e.g. 0 and 1 for sigmoid outputs), and ``colorbar=True``
    to draw it once beside the grid."""
    maps = torch.as_tensor(maps).detach().float().cpu()
    if maps.dim() == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.dim() != 3:
        raise ValueError(f"feature maps must be (C, H, W) or (1, C, H, W); got shape {tuple(maps.shape)}.")
    if titles is not None and len(titles) != maps.shape[0]:
        raise ValueError(f"{maps.shape[0]} channels but {len(titles)} titles.")
    if (vmin is None) != (vmax is None):
        raise ValueError("give both vmin and vmax (one colour scale for every panel), or neither.")
    if colorbar and vmin is None:
        raise ValueError("a colour bar needs the scale shared by all panels: give vmin and vmax too.")
    nrows, ncols = _grid(maps.shape[0], ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * scale + (0.6 if colorbar else 0), nrows * scale * 1.15),
                             squeeze=False)
    image = None
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < maps.shape[0]:
            if vmin is not None:
                limits = {"vmin": vmin, "vmax": vmax}
            else:
                limit = float(maps[i].abs().max()) or 1.0
                limits = {"vmin": -limit, "vmax": limit} if centred else {}
            image = ax.imshow(maps[i].numpy(), cmap=cmap, **limits)
            ax.set_title(titles[i] if titles is not None else f"channel {i}", fontsize=8)
    if colorbar and image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8)
    return _finish(fig, show, tight=not colorbar)


def show_confusion(counts: torch.Tensor, classes: Sequence[str], *, title: str | None = None,
                   show: bool = True) -> Figure | None:
    """A confusion matrix (rows: true class, columns: predicted) as a heat map of row shares,
    each cell labelled with its count."""
    counts = torch.as_tensor(counts).detach().cpu()
    if counts.dim() != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(classes):
        raise ValueError(f"expected a square matrix with one row per class ({len(classes)}), "
                         f"got shape {tuple(counts.shape)}.")
    shares = counts.float() / counts.sum(dim=1, keepdim=True).clamp(min=1)
    n = len(classes)
    fig, ax = plt.subplots(figsize=(0.55 * n + 2, 0.5 * n + 1))
    ax.imshow(shares.numpy(), cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            if counts[i, j]:
                ax.text(j, i, str(int(counts[i, j])), ha="center", va="center", fontsize=7,
                        color="white" if shares[i, j] > 0.5 else "black")
    ax.set_xticks(range(n), classes, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n), classes, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title, fontsize=10)
    return _finish(fig, show)
