"""Self-checks: a student passes an answer and learns whether it is right, and why.

Each check computes the right answer from the question's own numbers, or, where those numbers
would give it away, looks it up by the exercise's name (:func:`exercise`), so that a student
edition's cells never show an answer. It prints one verdict line and returns a
:class:`Verdict` (truthy when right). A right answer gets the worked reasoning. A wrong one gets a
hint, and the name of a typical slip where it recognises one (FLOPs for multiplications, the full
4-D shape, a forgotten bias, total padding for padding per side, a missing floor); the worked
answer comes only after a right answer, after three tries, or when asked for with
``reveal=True``. An answer left as ``None`` or ``...`` is "not answered yet", never an error, so a
student edition runs top to bottom.

    check.output_shape(your_answer, n=(8, 8), k=(3, 5), p=(0, 1), s=(3, 4))
    check.exercise("02-8", answer_8)            # an answer the question's numbers would give away
    check.exercise("02-8", answer_8, reveal=True)

First explained in ``notebooks/01-convolution.ipynb``.
"""
from __future__ import annotations

import math
import numbers
from typing import Sequence

import numpy as np
import torch

from .i18n import N_, tr
from .inspection import as_pair, conv_output_size

#: the verdicts, in English (:func:`tr` gives them in the language chosen)
RIGHT, WRONG, OPEN = N_("✓ right"), N_("✗ not quite"), N_("… not answered yet")
#: wrong answers before the worked answer is shown without asking
REVEAL_AFTER = 3
_tries: dict[str, int] = {}


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


def value(answer, expected, *, what: str, why: str = "", rel_tol: float | None = None, hint: str = "",
          slips: Sequence[tuple[object, str]] = (), reveal: bool = False, key: str | None = None) -> Verdict:
    """Compare ``answer`` with ``expected`` (numbers, shapes, tuples, one-element tensors).

    ``what`` names the quantity ("the output shape"); ``why`` is the worked reasoning, shown
    with a right answer, after :data:`REVEAL_AFTER` wrong ones, or with ``reveal=True``; ``hint``
    is shown with a wrong answer; ``slips`` are ``(wrong value, what that slip is)`` pairs named
    when the answer equals one. Whole numbers (counts, sizes) must match exactly; other numbers
    within ``rel_tol`` (default 1e-9; give one to accept rounded answers). ``key`` counts the
    tries of one question (default: ``what``).
    """
    key = key or what
    if _unanswered(answer):
        print(tr("{label}: replace the ... with {what}.", label=tr(OPEN), what=what))
        if reveal:
            _show_answer(expected, why)
        return Verdict(None)
    ok = _same(answer, expected, rel_tol)
    shown = _normalise(answer)
    if isinstance(shown, str) and not isinstance(_normalise(expected), str):
        print(tr("{label}: your answer is the text {shown!r}, not a number or shape: write {what} without "
                 "quotation marks ({bare} rather than {shown!r}).", label=tr(WRONG), shown=shown, what=what,
                 bare=shown.strip()))
        return Verdict(False)
    if ok:
        _tries.pop(key, None)
        print(tr("{label}: {what} is {shown}.", label=tr(RIGHT), what=what, shown=shown))
        if why:
            print("  " + why)
        return Verdict(True)
    _tries[key] = tries = _tries.get(key, 0) + 1
    print(tr("{label}: {what} is not {shown}.", label=tr(WRONG), what=what, shown=shown))
    slip = next((name for wrong, name in slips if _same(answer, wrong, rel_tol)), None)
    if slip:
        print("  " + slip)
    elif hint:
        print(tr("  Hint: {hint}", hint=hint))
    if reveal or tries >= REVEAL_AFTER:
        _show_answer(expected, why)
    else:
        print(tr("  Try again; the worked answer appears after {tries} tries, or now with reveal=True.",
                 tries=REVEAL_AFTER))
    return Verdict(False)


def _show_answer(expected, why: str) -> None:
    print(tr("  The answer: {answer}.", answer=_normalise(expected)) + (f" {why}" if why else ""))


def output_shape(answer, *, n, k, p=0, s=1) -> Verdict:
    """Check the (height, width) output of a convolution or pooling window.

    ``n``, ``k``, ``p``, ``s``: input size, window size, padding per side and
    stride, each one number or a (height, width) pair.
    """
    (nh, nw), (kh, kw), (ph, pw), (sh, sw) = as_pair(n), as_pair(k), as_pair(p), as_pair(s)
    expected = (conv_output_size(nh, kh, ph, sh), conv_output_size(nw, kw, pw, sw))
    why = tr("height ⌊({nh} − {kh} + 2·{ph}) / {sh}⌋ + 1 = {oh}, width ⌊({nw} − {kw} + 2·{pw}) / {sw}⌋ + 1 = {ow}.",
             nh=nh, kh=kh, ph=ph, sh=sh, oh=expected[0], nw=nw, kw=kw, pw=pw, sw=sw, ow=expected[1])
    slips = []
    if (ph, pw) != (0, 0):   # the padding counted once, as if it were the total over both sides
        slips.append(((max(0, (nh - kh + ph) // sh + 1), max(0, (nw - kw + pw) // sw + 1)),
                      tr("That counts the padding once: p is the padding on each side, so the input grows by 2p.")))
    exact = ((nh - kh + 2 * ph) / sh + 1, (nw - kw + 2 * pw) / sw + 1)
    if exact != tuple(float(e) for e in expected):
        slips.append((tuple(math.ceil(x) for x in exact),
                      tr("That rounds up: a window that does not fit is not computed, so the division is floored.")))
        slips.append((exact, tr("That leaves out the floor: only whole steps of the stride fit.")))
    if expected[0] != expected[1]:
        slips.append(((expected[1], expected[0]), tr("Height first, then width.")))
    given = None if _unanswered(answer) else _normalise(answer)
    if isinstance(given, tuple) and len(given) == 4 and _same(given[2:], expected, None):
        slips.append((given, tr("Those are the numbers of the full 4-D shape: give only (height, width).")))
    return value(answer, expected, what=tr("the output shape (height, width)"), why=why,
                 hint=tr("output side = ⌊(n − k + 2p) / s⌋ + 1, for height and width separately."),
                 slips=slips, key=f"shape {n} {k} {p} {s}")


def _positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(tr("the question's {name} must be a whole number of at least 1, got {value!r}.",
                            name=name, value=value))
    return int(value)


def conv_params(answer, *, c_in: int, c_out: int, k, bias: bool = True) -> Verdict:
    """Check the number of parameters of a convolutional layer."""
    c_in, c_out = _positive("c_in", c_in), _positive("c_out", c_out)
    kh, kw = (_positive("kernel size k", side) for side in as_pair(k))
    weights = c_out * c_in * kh * kw
    expected = weights + (c_out if bias else 0)
    kernels = tr("one kernel") if c_out == 1 else tr("{c_out} kernels", c_out=c_out)
    if bias:
        why = tr("{kernels} of {c_in}×{kh}×{kw} weights = {weights}, plus one bias per output channel: "
                 "{weights} + {c_out} = {expected}.", kernels=kernels, c_in=c_in, kh=kh, kw=kw, weights=weights,
                 c_out=c_out, expected=expected)
    else:
        why = tr("{kernels} of {c_in}×{kh}×{kw} weights = {weights}, no biases.", kernels=kernels, c_in=c_in,
                 kh=kh, kw=kw, weights=weights)
    slips = [(weights, tr("The weights are right; a layer also has one bias per output channel."))] if bias else []
    slips.append((c_out * kh * kw + (c_out if bias else 0),
                  tr("Each kernel has one k×k slice per input channel: count the input channels too.")))
    return value(answer, expected, what=tr("the number of parameters"), why=why, slips=slips,
                 hint=tr("one kernel per output channel, each with c_in × k_h × k_w weights; then the biases."),
                 key=f"params {c_in} {c_out} {k} {bias}")


def conv_multiplications(answer, *, c_in: int, c_out: int, n, k, p=0, s=1) -> Verdict:
    """Check the multiplications of one forward pass of a convolution (one example)."""
    c_in, c_out = _positive("c_in", c_in), _positive("c_out", c_out)
    (nh, nw), (kh, kw), (ph, pw), (sh, sw) = as_pair(n), as_pair(k), as_pair(p), as_pair(s)
    oh, ow = conv_output_size(nh, kh, ph, sh), conv_output_size(nw, kw, pw, sw)
    expected = c_out * oh * ow * c_in * kh * kw
    why = tr("each of the {c_out}×{oh}×{ow} outputs takes {c_in}×{kh}×{kw} = {per} products: {expected:,} in all "
             "(and about as many additions).", c_out=c_out, oh=oh, ow=ow, c_in=c_in, kh=kh, kw=kw,
             per=c_in * kh * kw, expected=expected)
    slips = [(2 * expected, tr("That counts FLOPs (a multiply-add is two operations); the question asks for "
                               "multiplications only.")),
             (c_out * nh * nw * c_in * kh * kw, tr("Count the outputs from the output size, not the input size."))]
    return value(answer, expected, what=tr("the number of multiplications"), why=why, slips=slips,
                 hint=tr("outputs (c_out × o_h × o_w) times products per output (c_in × k_h × k_w)."),
                 key=f"mults {c_in} {c_out} {n} {k} {p} {s}")


def receptive_field(answer, *, layers: Sequence[tuple[int, int]]) -> Verdict:
    """Check the receptive field (in input pixels, along one side) of a stack of
    ``(kernel, stride)`` layers, listed from the input upwards."""
    rf, jump, steps = 1, 1, []
    if not all(isinstance(layer, (tuple, list)) and len(layer) == 2 for layer in layers):
        raise ValueError(tr("layers is a list of (kernel, stride) pairs from the input up, e.g. [(3, 1), (2, 2)]; "
                            "got {layers!r}.", layers=layers))
    for k, s in layers:
        k, s = _positive("kernel", k), _positive("stride", s)
        rf += (k - 1) * jump
        steps.append(f"+({k}−1)·{jump}")
        jump *= s
    why = tr("r = 1 {steps} = {rf}: each layer adds (kernel − 1) × the product of the strides below it.",
             steps=" ".join(steps), rf=rf)
    no_strides = 1 + sum(k - 1 for k, _ in layers)
    slips = [(no_strides, tr("That adds (kernel − 1) per layer as if every stride were 1: a stride below a layer "
                             "spreads its window further over the input."))] if no_strides != rf else []
    slips.append((sum(k for k, _ in layers), tr("That adds the kernel sizes; neighbouring windows overlap, so each "
                                                 "layer adds (kernel − 1), not kernel.")))
    return value(answer, rf, what=tr("the receptive field"), why=why, slips=slips,
                 hint=tr("start from 1 pixel; each layer adds (kernel − 1) × the product of the strides below it."),
                 key=f"rf {layers}")

#: Exercises whose answer the question's own numbers would give away: the expected value, the
#: worked answer, a hint and typical slips, by "<notebook>-<exercise>" (the student edition's
#: cells name only the key).
EXERCISES = {
    "01-2.5": dict(expected=4, what="the minimum number of taps for the third derivative",
                   why="d + 1 taps are needed for d + 1 conditions (polynomials of degree < d to 0, x^d to d!): "
                       "4 for d = 3.",
                   hint="count the conditions the kernel must meet: every polynomial of degree below d goes to 0, "
                        "and x^d goes to d!.",
                   slips=[(3, "With d taps the first d conditions alone force every tap to 0.")]),
    "01-6": dict(expected=28 * 28 * 24 * 24 + 24 * 24,
                 what="the number of parameters of the fully connected layer",
                 why="every one of the 784 inputs connects to every one of the 576 outputs: 784 × 576 = 451,584 "
                     "weights, plus 576 biases = 452,160.",
                 hint="count one weight per (input pixel, output pixel) pair, then one bias per output.",
                 slips=[(28 * 28 * 24 * 24, "The weights are right; each output also has a bias."),
                        (28 * 28 * 28 * 28 + 28 * 28, "The output is 24×24, not 28×28: the convolution shrinks it "
                                                      "by 5 − 1 = 4."),
                        (26, "That is the convolution's count; the fully connected layer shares nothing.")]),
    "02-8": dict(expected=3, what="the padding per side for a 7×7 kernel",
                 why="same size needs n + 2p − k + 1 = n, so p = (k − 1)/2 = 3.",
                 hint="write the output size with padding p on each side and set it equal to n.",
                 slips=[(6, "That is the total padding over both sides; the question asks for one side."),
                        (7, "Padding the kernel size is too much: the output would grow.")]),
    "03-3": dict(expected=4, what="the growth factor",
                 why="the cost c_o · o_h · o_w · c_i · k_h · k_w is proportional to c_i · c_o: 2 · 2 = 4.",
                 hint="which factors of the cost c_o · o_h · o_w · c_i · k_h · k_w change?",
                 slips=[(2, "Both channel counts double, and the cost is proportional to their product.")]),
    "04-4": dict(expected=64 * 28 * 28 * 8, what="the number of comparisons",
                 why="64 × 28 × 28 outputs (⌊(56 + 2 − 3)/2⌋ + 1 = 28), 9 − 1 = 8 comparisons each "
                     "(every window counted as 9 values, padding included).",
                 hint="outputs (channels × o_h × o_w, with the output-size formula) times comparisons per window.",
                 slips=[(64 * 28 * 28 * 9, "A maximum of 9 values takes 8 comparisons, not 9."),
                        (64 * 56 * 56 * 8, "Stride 2 halves each side: count the outputs, not the inputs."),
                        (64 * (28 * 28 * 8 - 54 * 3 - 5), "That counts only the real values in the windows at "
                         "the padded border; the question counts every window as 9 values, padding included.")]),
    "05-6": dict(expected=16 * 6 * 6 * 120 + 120, what="the number of parameters of the first dense layer",
                 why="32 → 32 (padding 2) → 16 → 12 → 6: the layer reads 16 × 6 × 6 = 576 values; 576 × 120 = 69,120 "
                     "weights, plus 120 biases = 69,240.",
                 hint="follow the side through the layers (the output-size formula, then halve at each pooling), "
                      "flatten channels × height × width, then count a weight per input and output and a bias "
                      "per output.",
                 slips=[(16 * 5 * 5 * 120 + 120, "That is the count for 28×28 inputs, the one in section 1's table."),
                        (16 * 6 * 6 * 120, "The weights are right; a dense layer also has one bias per output."),
                        (16 * 7 * 7 * 120 + 120, "The second convolution has no padding: 16 − 5 + 1 = 12, "
                                                 "then the pooling halves it.")]),
    "10-9": dict(expected=1024 / 1023, what="the factor between the two variances", rel_tol=1e-4,
                 why="a channel's statistics average over every position of every image, m = 16 × 8 × 8 = 1,024 "
                     "values; the running variance takes the unbiased estimate (divided by m − 1), the "
                     "normalisation the biased one (divided by m): a factor m / (m − 1) = 1,024 / 1,023.",
                 hint="count the values one channel's mean and variance are taken over, then compare dividing "
                      "the squared deviations by that count and by one less.",
                 slips=[(16 / 15, "That counts the images only: a convolution's batch normalization averages each "
                                  "channel over every position of every image too."),
                        (1, "The two variances differ: PyTorch's running variance is the unbiased estimate."),
                        (1023 / 1024, "That is the other way round: dividing by m − 1 gives the larger value.")]),
    "11-6": dict(expected=64 * 128 + 128, what="the number of parameters of the 1x1 shortcut convolution",
                 why="a 1x1 convolution has one weight per pair of input and output channels, 64 × 128 = 8,192, "
                     "and one bias per output channel, 128: 8,320. The stride changes where it looks, not how "
                     "many weights it has.",
                 hint="a 1x1 kernel has one weight for each input channel, for each output channel; do not forget "
                      "the biases.",
                 slips=[(64 * 128, "That leaves out one number per output channel."),
                        (128 * 128 + 128, "The shortcut reads the block's input, which has 64 channels, not 128."),
                        (9 * 64 * 128 + 128, "That is a 3x3 convolution; the shortcut's kernel is 1x1."),
                        (64 * 128 // 4 + 128, "The stride of 2 does not change the number of weights.")]),
    "12-4": dict(expected=((-2.0, 0.0, 0.0), (0.0, 2.0, 0.0)), rel_tol=1e-6,
                 what="the affine_grid matrix of a left-right flip with a zoom out by 2",
                 why="theta maps each output position to the input position it reads, in coordinates from -1 to 1: "
                     "for the image to shrink to half its size, each output pixel reads from twice as far from "
                     "the centre (2 on the diagonal; positions beyond ±1 read the zero padding), a flip negates "
                     "the x it reads (the first column), and no shift leaves the last column at 0: "
                     "[[-2, 0, 0], [0, 2, 0]].",
                 hint="theta says where in the input each output pixel reads from, the inverse of what the image "
                      "undergoes; a flip reads x from the other side.",
                 slips=[(((-0.5, 0.0, 0.0), (0.0, 0.5, 0.0)), "That zooms in: theta maps output positions to "
                                                              "input ones, the inverse of what the image undergoes."),
                        (((2.0, 0.0, 0.0), (0.0, 2.0, 0.0)), "That zooms out, but does not flip."),
                        (((2.0, 0.0, 0.0), (0.0, -2.0, 0.0)), "That flips top to bottom; left to right is x, "
                                                             "the first column."),
                        (((-2.0, 0.0, 0.0), (0.0, -2.0, 0.0)), "That also flips top to bottom: a rotation by 180°.")]),
    "13-5": dict(expected=128 * 5 + 5, what="the number of parameters trained with the body frozen",
                 why="only the output layer learns: a dense layer from the 128 features of the last stage to 5 "
                     "classes has 128 × 5 = 640 weights and 5 biases: 645 of the network's 308,997.",
                 hint="with the body frozen, only the new output layer is trained; count a dense layer's weights "
                      "and biases.",
                 slips=[(128 * 5, "That leaves out one number per class."),
                        (128 * 10 + 10, "The target task has 5 classes, not Fashion-MNIST's 10."),
                        (308_997, "That is the whole network; the frozen layers are not updated.")]),
    "09-2": lambda: _throughput_at_224(),   # computed when asked: defined below
}


def _vgg_gflops(side: int) -> float:
    """GFLOPs per image of notebook 07's narrow VGG-11 at side x side, counted from the network."""
    from . import inspection, models
    return inspection.summary(inspection.layer_table(models.build("vgg"), (1, 1, side, side)))["GFLOPs"]


_THROUGHPUT_WHY = N_("the throughput scales with the inverse of the FLOPs per image: {rate:.0f} × {small:.3f} / "
                     "{large:.2f} ≈ {result:.0f} (FLOPs counted from the network).")


def _throughput_at_224(rate: float = 600.0) -> dict:
    # 09, exercise 2: the expected value is computed from the network's own FLOP counts, not from
    # the rounded numbers the question quotes (the tolerance covers their rounding).
    small, large = _vgg_gflops(64), _vgg_gflops(224)
    numbers = dict(rate=rate, small=small, large=large, result=rate * small / large)
    return dict(expected=rate * small / large, what="examples per second at 224 px", rel_tol=0.02,
                why=_THROUGHPUT_WHY.format(**numbers), why_template=_THROUGHPUT_WHY, why_fields=numbers,
                hint="if the time per image grows with the arithmetic, the images per second shrink by the "
                     "same factor.",
                slips=[(rate * large / small, "That is the other way round: more arithmetic per image means fewer "
                                              "images per second."),
                       (586 * small / large, "That starts from the measured rate; the question supposes 600 "
                                             "examples per second at 64 px.")])


def entry(key: str) -> dict:
    """The registered self-check ``key`` of :data:`EXERCISES` (expected value, explanation, hint,
    slips), computed first where it is computed from a network."""
    if key not in EXERCISES:
        raise ValueError(tr("no self-check called {key!r}; the known ones are {known}.", key=key,
                            known=", ".join(EXERCISES)))
    found = EXERCISES[key]
    return found() if callable(found) else found


def exercise(key: str, answer, *, reveal: bool = False) -> Verdict:
    """Check the answer of exercise ``key`` (e.g. ``"02-8"``) against :data:`EXERCISES`."""
    found = entry(key)
    # a worked answer computed when asked is translated before its numbers go in
    why = tr(found["why_template"], **found["why_fields"]) if "why_fields" in found else tr(found["why"])
    return value(answer, found["expected"], what=tr(found["what"]), why=why, hint=tr(found["hint"]),
                 slips=[(wrong, tr(name)) for wrong, name in found["slips"]], rel_tol=found.get("rel_tol"),
                 reveal=reveal, key=key)
