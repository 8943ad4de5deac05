"""Looking inside a network: output sizes, and a table of its layers.

- :func:`conv_output_size`: ``floor((n + 2p - d(k - 1) - 1) / s) + 1``, the
  side of a convolution's or pooling's output, with a clear message for
  settings where no window fits.
- :func:`layer_table`: for any ``nn.Module`` and input shape, one row per layer
  call: output shape, parameters, FLOPs (``torch.utils.flop_counter``: a
  multiply-add counts 2; only convolutions and matrix products count), and the
  receptive field and jump (distance in input pixels between neighbouring
  outputs) of each spatial layer.

First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import numbers

import pandas as pd
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def whole(value, name: str, minimum: int = 1, allow_none: bool = False) -> int | None:
    """``value`` as an int, or a one-line error naming ``name``: a TypeError for anything but a
    whole number (``None`` too, unless ``allow_none``), a ValueError below ``minimum``. Shared by
    the helpers that take sizes, counts and recipe fields."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number{' or None' if allow_none else ''}, "
                        f"got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def conv_output_size(n: int, k: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Output side for input side ``n``, kernel ``k``, padding ``p`` (each side),
    stride ``s`` and dilation ``d``: ``floor((n + 2p - d(k - 1) - 1) / s) + 1``,
    which for ``d = 1`` is the book's ``floor((n - k + 2p) / s) + 1``.
    """
    n, k = whole(n, "input size n", 1), whole(k, "kernel size k", 1)
    p, s, d = whole(p, "padding p", 0), whole(s, "stride s", 1), whole(d, "dilation d", 1)
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        dilated = f" (dilated to {span})" if d > 1 else ""
        raise ValueError(f"kernel size {k}{dilated} is larger than the padded input {n} + 2*{p} = {n + 2 * p}: "
                         f"no window fits; use a smaller kernel or more padding.")
    return (n + 2 * p - span) // s + 1


def as_pair(v) -> tuple[int, int]:
    """One number or a (height, width) pair, as a pair: ``3 -> (3, 3)``."""
    if isinstance(v, numbers.Integral):
        return int(v), int(v)
    v = tuple(v)
    if len(v) != 2:
        raise ValueError(f"expected one number or a (height, width) pair, got {v!r}.")
    return int(v[0]), int(v[1])


def _window(module: nn.Module):
    """(kernel, stride, dilation) along the height of a conv/pool layer, or None."""
    if isinstance(module, (nn.Conv2d, nn.Conv1d, nn.Conv3d)):
        return as_pair(module.kernel_size)[0], as_pair(module.stride)[0], as_pair(module.dilation)[0]
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        stride = module.stride if module.stride is not None else module.kernel_size
        dilation = getattr(module, "dilation", 1)
        return as_pair(module.kernel_size)[0], as_pair(stride)[0], as_pair(dilation)[0]
    return None


_GLOBAL = (nn.Linear, nn.Flatten, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


def layer_table(net: nn.Module, input_shape: tuple[int, ...], *,
                device: torch.device | str | None = None) -> pd.DataFrame:
    """One row per leaf layer call of ``net`` on a zero input of ``input_shape``.

    Columns: ``name``, ``layer`` (its class), ``output_shape``, ``params``,
    ``flops``, ``receptive_field`` and ``jump`` (in input pixels, along the
    height; ``"all"`` once a layer sees the whole input). Lazy layers are
    materialised by the pass, which runs in eval mode on ``device`` (default:
    where the net's parameters are); the net's mode is restored afterwards.
    """
    if isinstance(input_shape, torch.Tensor) or not isinstance(input_shape, (tuple, list, torch.Size)) or not all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 1 for d in input_shape):
        shown = f"a tensor of shape {tuple(input_shape.shape)}" if isinstance(input_shape, torch.Tensor) else (
            repr(input_shape))
        raise TypeError(f"input_shape is a tuple of positive whole numbers such as (1, 1, 28, 28), got {shown}.")
    if len(input_shape) < 2:
        raise ValueError(f"input_shape must include the batch dimension, e.g. (1, 1, 28, 28); got {input_shape}.")
    names = {m: name for name, m in net.named_modules()}
    calls: list[tuple[nn.Module, tuple, torch.Tensor]] = []

    def record(module, inputs, output):
        calls.append((module, tuple(x.detach() for x in inputs if isinstance(x, torch.Tensor)), output))

    leaves = [m for m in net.modules() if not list(m.children())] or [net]
    hooks = [m.register_forward_hook(record) for m in leaves]
    was_training = net.training
    net.eval()
    if device is None:
        device = next(net.parameters(), torch.zeros(0)).device
    rows, rf, jump, counted = [], 1, 1, set()
    try:
        X = torch.zeros(input_shape, device=device)
        with torch.no_grad():
            try:
                net(X)
            except RuntimeError as err:
                raise ValueError(f"the net cannot take an input of shape {tuple(input_shape)}: {err}") from err
        for h in hooks:
            h.remove()
        # each layer again, for its FLOPs: still in eval mode, so that batch normalization's
        # running statistics (and anything else a training-mode pass updates) stay untouched
        for module, inputs, output in calls:
            with torch.no_grad(), FlopCounterMode(display=False) as counter:
                module(*inputs)
            window = _window(module)
            if rf != "all":
                if window is not None:
                    k, s, d = window
                    rf, jump = rf + (d * (k - 1)) * jump, jump * s
                elif isinstance(module, _GLOBAL):
                    rf = jump = "all"
            counted_before = module in counted
            rows.append({"name": names.get(module, ""), "layer": type(module).__name__,
                         "output_shape": tuple(output.shape) if isinstance(output, torch.Tensor) else None,
                         # a layer called twice (shared weights) counts its parameters once
                         "params": 0 if counted_before else sum(p.numel() for p in module.parameters(recurse=False)),
                         "flops": int(counter.get_total_flops()), "receptive_field": rf, "jump": jump})
            counted.add(module)
    finally:
        for h in hooks:
            h.remove()
        net.train(was_training)
    return pd.DataFrame(rows)


def print_shapes(net: nn.Module, input_shape: tuple[int, ...]) -> None:
    """Print each layer's output shape, as the book does after building a net."""
    for row in layer_table(net, input_shape).itertuples():
        print(f"{row.layer + ' output shape:':<28}{row.output_shape}")


def _last_map(table: pd.DataFrame) -> tuple[int, ...] | None:
    """The (channels, height, width) of the last 4-D output before the net turns to vectors."""
    shapes = [s for s in table.output_shape if len(s) == 4]
    return tuple(shapes[-1][1:]) if shapes else None


def summary(table: pd.DataFrame) -> dict:
    """What a layer table says in five numbers: parameters, GFLOPs per example, the share of the
    FLOPs in the convolutions, the share of the parameters in the dense layers, and the last
    feature map (channels, height, width) before the net turns to vectors."""
    conv = table.layer.str.startswith("Conv")
    dense = table.layer == "Linear"
    flops, params = float(table.flops.sum()), int(table.params.sum())
    return {"parameters": params, "GFLOPs": flops / 1e9,
            "conv FLOP share": float(table.flops[conv].sum()) / flops if flops else float("nan"),
            "dense parameter share": float(table.params[dense].sum()) / params if params else float("nan"),
            "last map": _last_map(table)}


def compare_sizes(build, sizes: dict[str, int], channels: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same network at several input sizes, side by side: ``build()`` gives a fresh net,
    ``sizes`` names each input side (``{"book, 224 px": 224, "trained, 99 px": 99}``).

    Returns (layers, totals): ``layers`` has a row per layer with its output shape and
    parameters at each size; ``totals`` has a row per size with :func:`summary`'s numbers, so
    a notebook can print both and say what differs (parameters, the last map, the FLOP split)."""
    if not isinstance(sizes, dict) or not sizes:
        raise TypeError("sizes names each input side, e.g. {'book, 224 px': 224, 'trained, 99 px': 99}.")
    tables = {name: layer_table(build(), (1, channels, whole(side, f"size {name!r}"), side))
              for name, side in sizes.items()}
    first = next(iter(tables.values()))
    lengths = {len(t) for t in tables.values()}
    if len(lengths) != 1:
        raise ValueError("the network has a different number of layers at these sizes; compare them one by one.")
    layers = pd.DataFrame({"layer": first.layer})
    for name, table in tables.items():
        layers[f"output ({name})"] = [tuple(s[1:]) for s in table.output_shape]
        layers[f"params ({name})"] = table.params.values
    totals = pd.DataFrame([{"size": name, **summary(table)} for name, table in tables.items()]).set_index("size")
    return layers, totals


def dead_channels(net: nn.Module, batches) -> list[int]:
    """The output channels of ``net`` that are 0 at every position for every image of
    ``batches`` (pairs of images and labels), in evaluation mode and without gradients: for a
    net ending in a ReLU, the units that are dead on these data. Pass a front part of a network,
    e.g. ``model[:-2]`` for the class maps of NiN before its pooling (notebook 08)."""
    parameter = next(net.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    peak = None
    net.eval()
    with torch.no_grad():
        for X, _ in batches:
            out = net(X.to(device)).float()
            if out.dim() < 2:
                raise ValueError(f"dead_channels needs outputs of shape (batch, channels, ...), got {tuple(out.shape)}.")
            top = out.transpose(0, 1).reshape(out.shape[1], -1).amax(dim=1).cpu()
            peak = top if peak is None else torch.maximum(peak, top)
    if peak is None:
        raise ValueError("dead_channels got no batches; pass e.g. the validation batches.")
    return [i for i in range(len(peak)) if peak[i] == 0]
