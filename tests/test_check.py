"""d2lhelpers.check: verdicts, reasons, and open answers that never crash."""
import pytest
import torch

from d2lhelpers import check


def test_open_answers_are_not_errors(capsys):
    assert check.output_shape(..., n=8, k=3).ok is None
    assert check.value(None, 3, what="the answer").ok is None
    assert capsys.readouterr().out.count("… not answered yet") == 2


def test_output_shape_right_and_wrong_with_the_reason(capsys):
    assert check.output_shape((2, 2), n=(8, 8), k=(3, 5), p=(0, 1), s=(3, 4)).ok is True
    assert check.output_shape(torch.Size([2, 2]), n=8, k=(3, 5), p=(0, 1), s=(3, 4)).ok is True
    out = capsys.readouterr().out
    assert out.startswith("✓ right: the output shape (height, width) is (2, 2).")
    assert "height ⌊(8 − 3 + 2·0) / 3⌋ + 1 = 2, width ⌊(8 − 5 + 2·1) / 4⌋ + 1 = 2." in out
    assert check.output_shape((3, 2), n=8, k=(3, 5), p=(0, 1), s=(3, 4)).ok is False
    assert check.output_shape(2, n=8, k=(3, 5), p=(0, 1), s=(3, 4)).ok is False
    out = capsys.readouterr().out
    assert "✗ not quite: the output shape (height, width) is not (3, 2)." in out
    assert "(2, 2)" not in out and "= 2," not in out                      # the answer stays hidden


def test_parameters_multiplications_receptive_field(capsys):
    assert check.conv_params(760, c_in=3, c_out=10, k=5).ok is True
    assert check.conv_params(750, c_in=3, c_out=10, k=5).ok is False
    assert check.conv_params(750, c_in=3, c_out=10, k=5, bias=False).ok is True
    assert check.conv_multiplications(3 * 2 * 2 * 2, c_in=2, c_out=3, n=3, k=2).ok is False  # kernel forgotten
    assert check.conv_multiplications(3 * 2 * 2 * 2 * 2 * 2, c_in=2, c_out=3, n=3, k=2).ok is True
    assert check.receptive_field(5, layers=[(3, 1), (3, 1)]).ok is True
    assert check.receptive_field(6, layers=[(2, 2), (2, 2)]).ok is False
    assert "r = 1 +(2−1)·1 +(2−1)·2 = 4" not in capsys.readouterr().out   # no worked answer on a first try
    check.receptive_field(4, layers=[(2, 2), (2, 2)])
    assert "r = 1 +(2−1)·1 +(2−1)·2 = 4" in capsys.readouterr().out      # ... but with a right one


def test_values_tolerate_float_noise_and_tensors():
    assert check.value(0.1 + 0.2, 0.3, what="x").ok is True
    assert check.value(torch.tensor(4.0), 4, what="x").ok is True
    assert check.value(True, 1, what="x").ok is False
    assert check.value("4", 4, what="x").ok is False


def test_a_verdict_is_truthy_only_when_right_and_silent_in_a_notebook():
    assert check.value(3, 3, what="x") and not check.value(2, 3, what="x") and not check.value(..., 3, what="x")
    assert repr(check.value(2, 3, what="x")) == "Verdict(wrong)"
    assert hasattr(check.Verdict(True), "_ipython_display_")


def test_numpy_answers_are_accepted_and_text_answers_explained(capsys):
    import numpy as np

    assert check.value(np.int64(12), 12, what="the count").ok is True
    assert check.value(np.float32(0.5), 0.5, what="the share").ok is True
    assert check.output_shape(np.array([2, 2]), n=8, k=(3, 5), p=(0, 1), s=(3, 4)).ok is True
    capsys.readouterr()
    assert check.value("12", 12, what="the count").ok is False
    out = capsys.readouterr().out
    assert "your answer is the text '12', not a number or shape" in out and "without quotation marks" in out


def test_whole_numbers_must_match_exactly(capsys):
    assert check.value(1_849_688_065, 1_849_688_064, what="the multiplications").ok is False
    assert check.value(1_849_688_064.0, 1_849_688_064, what="the multiplications").ok is True
    assert check.value(26, 500 * 0.054 / 1.02, what="x", rel_tol=0.02).ok is True   # a rounded answer, allowed
    assert check.value(0.1 + 0.2, 0.3, what="a sum").ok is True                      # floats: within 1e-9


def test_a_question_with_impossible_numbers_is_refused():
    import pytest

    with pytest.raises(ValueError, match="the question's c_in must be a whole number of at least 1, got -2"):
        check.conv_params(3, c_in=-2, c_out=4, k=3)
    with pytest.raises(ValueError, match="kernel size k must be a whole number of at least 1, got 0"):
        check.conv_params(3, c_in=1, c_out=4, k=0)
    with pytest.raises(ValueError, match="list of \\(kernel, stride\\) pairs"):
        check.receptive_field(5, layers=[3, 3])
    with pytest.raises(ValueError, match="stride must be a whole number of at least 1, got -1"):
        check.receptive_field(5, layers=[(3, -1)])



def fresh_tries():
    check._tries.clear()


def test_a_wrong_answer_gets_a_hint_or_its_slip_never_the_answer(capsys):
    fresh_tries()
    cases = [  # (call, what a typical slip prints)
        (lambda: check.output_shape((55, 55), n=224, k=11, p=1, s=4), "rounds up"),
        (lambda: check.output_shape((54.75, 54.75), n=224, k=11, p=1, s=4), "leaves out the floor"),
        (lambda: check.output_shape((1, 1, 54, 54), n=224, k=11, p=1, s=4), "full 4-D shape"),
        (lambda: check.output_shape((3, 3), n=8, k=3, p=2, s=3), "counts the padding once"),
        (lambda: check.conv_params(2400, c_in=6, c_out=16, k=5), "one bias per output channel"),
        (lambda: check.conv_multiplications(2 * 442368, c_in=3, c_out=16, n=32, k=3, p=1), "counts FLOPs"),
        (lambda: check.receptive_field(6, layers=[(3, 1), (2, 2), (3, 1)]), "as if every stride were 1"),
        (lambda: check.exercise("02-8", 6), "total padding over both sides"),
    ]
    for call, slip in cases:
        fresh_tries()
        assert call().ok is False
        out = capsys.readouterr().out
        assert slip in out and "The answer" not in out, out


def test_the_worked_answer_comes_after_three_tries_or_when_asked(capsys):
    fresh_tries()
    for wrong in (5, 4):
        check.exercise("02-8", wrong)
        assert "The answer" not in capsys.readouterr().out
    check.exercise("02-8", 2)
    assert "The answer: 3. same size needs" in capsys.readouterr().out
    fresh_tries()
    assert check.exercise("02-8", ..., reveal=True).ok is None
    out = capsys.readouterr().out
    assert out.startswith("… not answered yet") and "The answer: 3." in out
    assert check.exercise("02-8", 3) and "✓ right" in capsys.readouterr().out
    import pytest

    with pytest.raises(ValueError, match="no self-check called '99-1'"):
        check.exercise("99-1", 3)


@pytest.mark.parametrize("key", sorted(check.EXERCISES))
def test_every_registered_exercise_accepts_its_answer_and_hides_it_from_a_wrong_one(key, capsys):
    fresh_tries()
    entry = check.entry(key)

    def shifted(value):                     # a wrong answer of the same form (a number, or rows of numbers)
        return tuple(shifted(v) for v in value) if isinstance(value, tuple) else value + 1000

    def shown(value):
        return str(value) if isinstance(value, tuple) else f"{value:g}"

    wrong = shifted(entry["expected"])
    assert check.exercise(key, wrong).ok is False
    out = capsys.readouterr().out
    verdict = "\n".join(line for line in out.splitlines() if not line.strip().startswith("Try again"))
    assert shown(entry["expected"]) not in verdict.replace(shown(wrong), "") and entry["why"] not in out
    assert "The answer" not in out
    assert check.exercise(key, entry["expected"]).ok is True


def test_the_throughput_check_counts_the_flops_of_the_network_itself():
    """09, exercise 2: the expected value comes from VGG-11/4's FLOP counts, not from the question's rounded
    numbers, and the question's rounding stays within the tolerance."""
    from d2lhelpers import inspection, models

    flops = {side: inspection.layer_table(models.vgg(models.small_arch()), (1, 1, side, side)).flops.sum()
             for side in (64, 224)}
    assert check.entry("09-2")["expected"] == pytest.approx(600 * flops[64] / flops[224])
    assert check.exercise("09-2", 600 * 0.115 / 1.02).ok            # the question's numbers
    assert not check.exercise("09-2", 600 * 1.02 / 0.115).ok        # the other way round
