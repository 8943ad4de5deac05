"""Self-checks: a student passes an answer and learns whether it is right, and why.

Each check computes the right answer from the question's own numbers (nothing
is looked up in a hidden table), prints one verdict line plus the reasoning,
and returns a :class:`Verdict` (truthy when right). An answer left as ``None`` or ``...`` is "not
answered yet", never an error, so a student edition runs top to bottom.

    check.output_shape(your_answer, n=(8, 8), k=(3, 5), p=(0, 1), s=(3, 4))

First explained in ``notebooks/01-convolution.ipynb``.
"""
from __future__ import annotations

import math
import numbers
from typing import Sequence

import numpy as np
import torch

from .inspection import as_pair, conv_output_size

RIGHT, WRONG, OPEN = "✓ right", "✗ not quite", "… not answered yet"


class Verdict:
    """The outcome of a check: ``ok`` is True, False, or None (not answered yet).

    It is truthy only when right, and shows nothing as a cell's last value (the
    check has already printed its verdict)."""

    def __init__(self, ok: bool | None):
        self.ok = ok

    def __bool__(self) -> bool:
        return bool(self.ok)

    def __repr__(self) -> str:
        return f"Verdict({ {True: 'right', False: 'wrong', None: 'not answered'}[self.ok]})"

    def _ipython_display_(self) -> None:
        pass


def _unanswered(answer) -> bool:
    return answer is None or answer is Ellipsis


def _normalise(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.item() if value.size == 1 else tuple(_normalise(v) for v in value.tolist())
    if isinstance(value, torch.Tensor):
        return value.item() if value.numel() == 1 else tuple(value.tolist())
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v) for v in value)
    return value


def _same(answer, expected, rel_tol: float) -> bool:
    answer, expected = _normalise(answer), _normalise(expected)
    if isinstance(expected, tuple):
        return isinstance(answer, tuple) and len(answer) == len(expected) and all(
            _same(a, e, rel_tol) for a, e in zip(answer, expected))
    if isinstance(expected, numbers.Integral) and not isinstance(expected, bool) and rel_tol is None:
        # counts are exact: 1,849,688,065 is not 1,849,688,064, however close
        return isinstance(answer, numbers.Real) and not isinstance(answer, bool) and answer == expected
    if isinstance(expected, numbers.Number) and not isinstance(expected, bool):
        return (isinstance(answer, numbers.Real) and not isinstance(answer, bool)
                and math.isclose(answer, expected, rel_tol=rel_tol or 1e-9, abs_tol=1e-12))
    return answer == expected


def value(answer, expected, *, what: str, why: str = "", rel_tol: float | None = None) -> Verdict:
    """Compare ``answer`` with ``expected`` (numbers, shapes, tuples, one-element tensors).

    ``what`` names the quantity ("the output shape"); ``why`` is the reasoning
    shown with the verdict. Whole numbers (counts, sizes) must match exactly; other numbers
    within ``rel_tol`` (default 1e-9; give one to accept rounded answers).
    """
    if _unanswered(answer):
        print(f"{OPEN}: replace the ... with {what}.")
        return Verdict(None)
    ok = _same(answer, expected, rel_tol)
    shown = _normalise(answer)
    if isinstance(shown, str) and not isinstance(_normalise(expected), str):
        print(f"{WRONG}: your answer is the text {shown!r}, not a number or shape: write {what} without "
              f"quotation marks ({shown.strip()} rather than {shown!r}).")
        return Verdict(False)
    if ok:
        print(f"{RIGHT}: {what} is {shown}.")
    else:
        print(f"{WRONG}: {what} is not {shown}.")
    if why:
        print("  " + why)
    return Verdict(ok)


def output_shape(answer, *, n, k, p=0, s=1) -> Verdict:
    """Check the (height, width) output of a convolution or pooling window.

    ``n``, ``k``, ``p``, ``s``: input size, window size, padding per side and
    stride, each one number or a (height, width) pair.
    """
    (nh, nw), (kh, kw), (ph, pw), (sh, sw) = as_pair(n), as_pair(k), as_pair(p), as_pair(s)
    expected = (conv_output_size(nh, kh, ph, sh), conv_output_size(nw, kw, pw, sw))
    why = (f"height ⌊({nh} − {kh} + 2·{ph}) / {sh}⌋ + 1 = {expected[0]}, "
           f"width ⌊({nw} − {kw} + 2·{pw}) / {sw}⌋ + 1 = {expected[1]}.")
    return value(answer, expected, what="the output shape (height, width)", why=why)


def _positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"the question's {name} must be a whole number of at least 1, got {value!r}.")
    return int(value)


def conv_params(answer, *, c_in: int, c_out: int, k, bias: bool = True) -> Verdict:
    """Check the number of parameters of a convolutional layer."""
    c_in, c_out = _positive("c_in", c_in), _positive("c_out", c_out)
    kh, kw = (_positive("kernel size k", side) for side in as_pair(k))
    weights = c_out * c_in * kh * kw
    expected = weights + (c_out if bias else 0)
    why = f"{c_out} kernels of {c_in}×{kh}×{kw} weights = {weights}" + (
        f", plus one bias per output channel: {weights} + {c_out} = {expected}." if bias else ", no biases.")
    return value(answer, expected, what="the number of parameters", why=why)


def conv_multiplications(answer, *, c_in: int, c_out: int, n, k, p=0, s=1) -> Verdict:
    """Check the multiplications of one forward pass of a convolution (one example)."""
    c_in, c_out = _positive("c_in", c_in), _positive("c_out", c_out)
    (nh, nw), (kh, kw), (ph, pw), (sh, sw) = as_pair(n), as_pair(k), as_pair(p), as_pair(s)
    oh, ow = conv_output_size(nh, kh, ph, sh), conv_output_size(nw, kw, pw, sw)
    expected = c_out * oh * ow * c_in * kh * kw
    why = (f"each of the {c_out}×{oh}×{ow} outputs takes {c_in}×{kh}×{kw} = {c_in * kh * kw} products: "
           f"{expected:,} in all (and about as many additions).")
    return value(answer, expected, what="the number of multiplications", why=why)


def receptive_field(answer, *, layers: Sequence[tuple[int, int]]) -> Verdict:
    """Check the receptive field (in input pixels, along one side) of a stack of
    ``(kernel, stride)`` layers, listed from the input upwards."""
    rf, jump, steps = 1, 1, []
    if not all(isinstance(layer, (tuple, list)) and len(layer) == 2 for layer in layers):
        raise ValueError(f"layers is a list of (kernel, stride) pairs from the input up, e.g. [(3, 1), (2, 2)]; "
                         f"got {layers!r}.")
    for k, s in layers:
        k, s = _positive("kernel", k), _positive("stride", s)
        rf += (k - 1) * jump
        steps.append(f"+({k}−1)·{jump}")
        jump *= s
    why = f"r = 1 {' '.join(steps)} = {rf}: each layer adds (kernel − 1) × the product of the strides below it."
    return value(answer, rf, what="the receptive field", why=why)
