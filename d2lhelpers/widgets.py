"""Interactive explorers (ipywidgets): output sizes, kernels, pooling.

Each explorer returns a widget box; put it last in a cell to show it. Moving a
control redraws the figure and updates a one-line status. Settings that cannot
work (a window larger than the padded input, pooling padding over half the window)
give a message in the status line, not a traceback. Without a browser (nbval,
nbconvert) the widgets are built and drawn once, and nothing fails.

The drawing and computing parts are plain functions (``output_size_status``,
``draw_windows``, ``apply_kernel``, ``pool``), usable and tested without widgets.

First explained in ``notebooks/02-padding-and-stride.ipynb`` (output sizes),
``notebooks/01-convolution.ipynb`` (kernels) and ``notebooks/04-pooling.ipynb``.
"""
from __future__ import annotations

import numbers

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Rectangle
from torch.nn import functional as F

from . import i18n
from .i18n import tr, tr_figure
from .inspection import as_pair, conv_output_size

#: 3x3 kernels to start from in the kernel playground.
KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "vertical edge [1, -1]": [[0, 0, 0], [0, 1, -1], [0, 0, 0]],
    "horizontal edge": [[0, 0, 0], [0, 1, 0], [0, -1, 0]],
    "Sobel (vertical edges)": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "box blur": [[1 / 9] * 3] * 3,
    "Gaussian blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "Laplacian (outline)": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}


def _subplots(*args, **kwargs):
    """plt.subplots with a font for Chinese titles when the helpers speak Chinese."""
    if i18n.language() == "zh":
        i18n.cjk_font()
    return plt.subplots(*args, **kwargs)


def _show(fig) -> None:
    fig.tight_layout()
    plt.show()
    plt.close(fig)


# ---------------------------------------------------------------- output sizes

def output_size_status(n: int, k: int, p: int, s: int, d: int = 1) -> tuple[int | None, str]:
    """The output side and a one-line explanation, or (None, the reason it is impossible)."""
    try:
        out = conv_output_size(n, k, p, s, d)
    except (ValueError, TypeError) as err:
        return None, tr("Impossible: {error}", error=err)
    span = d * (k - 1) + 1
    kernel = f"{k}" if d == 1 else tr("{k} dilated to {span}", k=k, span=span)
    return out, tr("output {out} × {out}: ⌊({n} + 2·{p} − {span}) / {s}⌋ + 1 = {out} (input {n}, kernel {kernel}, "
                   "padding {p}, stride {s})", out=out, n=n, p=p, span=span, s=s, kernel=kernel)


def draw_windows(ax: plt.Axes, n: int | tuple[int, int], k: int | tuple[int, int], p: int | tuple[int, int],
                 s: int | tuple[int, int], d: int | tuple[int, int] = 1, *,
                 every_window: bool = False) -> int | tuple[int, int] | None:
    """Draw the padded input (hatched: padding), the first window's taps (orange, red
    frame) and every window's top-left corner (blue dots); with ``every_window``, each
    window's frame too (dashed blue), and the input pixels no window reads in pale red.

    ``n``, ``k``, ``p`` (per side), ``s`` and ``d`` are each one number or a
    (height, width) pair, as in ``nn.Conv2d``. Returns the output side (a
    (height, width) pair when any setting is a pair), or None when no window fits."""
    pairs = not all(isinstance(v, numbers.Integral) for v in (n, k, p, s, d))
    (nh, nw), (kh, kw), (ph, pw), (sh, sw), (dh, dw) = (as_pair(v) for v in (n, k, p, s, d))
    rows, cols = nh + 2 * ph, nw + 2 * pw
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for i in range(rows):
        for j in range(cols):
            inside = ph <= i < ph + nh and pw <= j < pw + nw
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor="white" if inside else "0.85",
                                   edgecolor="0.6", linewidth=0.5, hatch=None if inside else "//"))
    try:
        oh, ow = conv_output_size(nh, kh, ph, sh, dh), conv_output_size(nw, kw, pw, sw, dw)
    except (ValueError, TypeError):
        return None
    for i in range(kh):
        for j in range(kw):
            ax.add_patch(Rectangle((j * dw, i * dh), 1, 1, facecolor="tab:orange", alpha=0.6))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    ax.add_patch(Rectangle((0, 0), span_w, span_h, fill=False, edgecolor="tab:red", linewidth=2))
    if every_window:
        read_rows = {r * sh + i * dh for r in range(oh) for i in range(kh)}
        read_cols = {c * sw + j * dw for c in range(ow) for j in range(kw)}
        for i in range(ph, ph + nh):
            for j in range(pw, pw + nw):
                if i not in read_rows or j not in read_cols:   # an input pixel no window reads
                    ax.add_patch(Rectangle((j, i), 1, 1, facecolor="tab:red", alpha=0.25))
        for r in range(oh):
            for c in range(ow):
                ax.add_patch(Rectangle((c * sw + 0.08, r * sh + 0.08), span_w - 0.16, span_h - 0.16, fill=False,
                                       edgecolor="tab:blue", linewidth=1, linestyle="--"))
    starts = [(r * sh + 0.5, c * sw + 0.5) for r in range(oh) for c in range(ow)]
    ax.scatter([x for _, x in starts], [y for y, _ in starts], s=12, color="tab:blue", zorder=3)
    return (oh, ow) if pairs else oh


def output_size_explorer(n: int = 8, k: int = 3, p: int = 1, s: int = 2, d: int = 1) -> widgets.VBox:
    """Sliders for input size, kernel, padding, stride and dilation; the picture
    shows the padded input (hatched: padding), the first window (orange taps,
    red frame) and where every window starts (blue dots)."""
    controls = {
        "n": widgets.IntSlider(n, 1, 24, description=tr("input n")),
        "k": widgets.IntSlider(k, 1, 9, description=tr("kernel k")),
        "p": widgets.IntSlider(p, 0, 4, description=tr("padding p")),
        "s": widgets.IntSlider(s, 1, 6, description=tr("stride s")),
        "d": widgets.IntSlider(d, 1, 4, description=tr("dilation d")),
    }
    status = widgets.Label()

    def render(n, k, p, s, d):
        out, status.value = output_size_status(n, k, p, s, d)
        fig, ax = _subplots(figsize=(3.6, 3.6))
        draw_windows(ax, n, k, p, s, d)
        ax.set_title(tr_figure("Impossible") if out is None else tr_figure("output {out} × {out}", out=out), fontsize=9)
        _show(fig)

    out = widgets.interactive_output(render, controls)
    return widgets.VBox([widgets.HBox([widgets.VBox(list(controls.values())[:3]),
                                       widgets.VBox(list(controls.values())[3:])]), status, out])


# ---------------------------------------------------------------- kernels

def apply_kernel(image: torch.Tensor, kernel) -> torch.Tensor:
    """Cross-correlate a (H, W) image with a square kernel, padded to keep its size."""
    K = torch.as_tensor(kernel, dtype=torch.float32)
    if K.dim() != 2 or K.shape[0] != K.shape[1] or K.shape[0] % 2 == 0:
        raise ValueError(tr("the kernel must be square with an odd side, got shape {shape}.", shape=tuple(K.shape)))
    X = torch.as_tensor(image, dtype=torch.float32)
    if X.dim() != 2:
        raise ValueError(tr("the image must be (H, W), got shape {shape}.", shape=tuple(X.shape)))
    return F.conv2d(X[None, None], K[None, None], padding=K.shape[0] // 2)[0, 0]


def kernel_playground(image: torch.Tensor, kernel: str = "vertical edge [1, -1]") -> widgets.VBox:
    """Edit a 3x3 kernel (or pick one) and see the feature map of ``image`` (H, W)."""
    preset = widgets.Dropdown(options=list(KERNELS), value=kernel, description=tr("start from"))
    cells = [widgets.FloatText(value=0.0, layout=widgets.Layout(width="70px")) for _ in range(9)]
    status = widgets.Label()
    out = widgets.Output()
    busy = {"setting": False}

    def render(*_):
        if busy["setting"]:
            return
        K = torch.tensor([c.value for c in cells]).reshape(3, 3)
        Y = apply_kernel(image, K)
        status.value = tr("kernel sum {total:.3g}; feature map from {low:.3g} to {high:.3g}", total=float(K.sum()),
                          low=float(Y.min()), high=float(Y.max()))
        out.clear_output(wait=True)
        with out:
            fig, axes = _subplots(1, 2, figsize=(6, 3))
            axes[0].imshow(torch.as_tensor(image).float().numpy(), cmap="gray_r")
            axes[0].set_title(tr_figure("input"), fontsize=9)
            im = axes[1].imshow(Y.numpy(), cmap="RdBu_r", vmin=-float(Y.abs().max()), vmax=float(Y.abs().max()))
            axes[1].set_title(tr_figure("feature map (red +, blue −)"), fontsize=9)
            fig.colorbar(im, ax=axes[1], fraction=0.046)
            for ax in axes:
                ax.axis("off")
            _show(fig)

    def load(change=None):
        busy["setting"] = True
        for cell, v in zip(cells, sum(KERNELS[preset.value], [])):
            cell.value = round(float(v), 4)
        busy["setting"] = False
        render()

    preset.observe(load, names="value")
    for cell in cells:
        cell.observe(render, names="value")
    load()
    return widgets.VBox([preset, widgets.GridBox(cells, layout=widgets.Layout(
        grid_template_columns="repeat(3, 80px)")), status, out])


# ---------------------------------------------------------------- pooling

def pool(image: torch.Tensor, window: int, stride: int, padding: int = 0, mode: str = "max") -> torch.Tensor:
    """Max or average pooling of a (H, W) image, with torch's rules checked first."""
    if mode not in ("max", "avg"):
        raise ValueError(tr("mode must be 'max' or 'avg', got {mode!r}.", mode=mode))
    if padding > window // 2:
        raise ValueError(tr("padding {padding} is more than half the window {window}: PyTorch's pooling layers "
                            "allow padding up to window // 2 = {half}.", padding=padding, window=window,
                            half=window // 2))
    X = torch.as_tensor(image, dtype=torch.float32)[None, None]
    for side in X.shape[-2:]:
        conv_output_size(side, window, padding, stride)  # raises when no window fits
    if mode == "max":
        return F.max_pool2d(X, window, stride, padding)[0, 0]
    return F.avg_pool2d(X, window, stride, padding)[0, 0]


def pooling_explorer(image: torch.Tensor, window: int = 2, stride: int = 2, padding: int = 0,
                     mode: str = "max") -> widgets.VBox:
    """Window, stride, padding and max vs average pooling on ``image`` (H, W), the input and
    the pooled map drawn on the input's colour scale."""
    controls = {
        "window": widgets.IntSlider(window, 1, 8, description=tr("window")),
        "stride": widgets.IntSlider(stride, 1, 8, description=tr("stride")),
        "padding": widgets.IntSlider(padding, 0, 4, description=tr("padding")),
        "mode": widgets.ToggleButtons(options=["max", "avg"], value=mode, description=tr("pooling")),
    }
    status = widgets.Label()

    def render(window, stride, padding, mode):
        try:
            Y = pool(image, window, stride, padding, mode)
        except ValueError as err:
            status.value = tr("Impossible: {error}", error=err)
            return
        H, W = torch.as_tensor(image).shape
        status.value = tr("{mode} pooling, window {window}, stride {stride}, padding {padding}: {h} × {w} → "
                          "{oh} × {ow}", mode=mode, window=window, stride=stride, padding=padding, h=H, w=W,
                          oh=Y.shape[0], ow=Y.shape[1])
        fig, axes = _subplots(1, 2, figsize=(6, 3))
        X = torch.as_tensor(image).float()
        scale = dict(vmin=float(X.min()), vmax=float(X.max()))   # one colour scale: averaging greys, max darkens
        axes[0].imshow(X.numpy(), cmap="gray_r", **scale)
        axes[0].set_title(tr_figure("input {h} × {w}", h=H, w=W), fontsize=9)
        axes[1].imshow(Y.numpy(), cmap="gray_r", **scale)
        axes[1].set_title(tr_figure("{mode} pooled {h} × {w}", mode=mode, h=Y.shape[0], w=Y.shape[1]), fontsize=9)
        for ax in axes:
            ax.axis("off")
        _show(fig)

    out = widgets.interactive_output(render, controls)
    return widgets.VBox([widgets.HBox([widgets.VBox([controls["window"], controls["stride"]]),
                                       widgets.VBox([controls["padding"], controls["mode"]])]), status, out])
