"""d2lhelpers.check: verdicts, reasons, and open answers that never crash."""
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
    assert "✗ not quite: the output shape (height, width) is not (3, 2)." in capsys.readouterr().out


def test_parameters_multiplications_receptive_field(capsys):
    assert check.conv_params(760, c_in=3, c_out=10, k=5).ok is True
    assert check.conv_params(750, c_in=3, c_out=10, k=5).ok is False
    assert check.conv_params(750, c_in=3, c_out=10, k=5, bias=False).ok is True
    assert check.conv_multiplications(3 * 2 * 2 * 2, c_in=2, c_out=3, n=3, k=2).ok is False  # kernel forgotten
    assert check.conv_multiplications(3 * 2 * 2 * 2 * 2 * 2, c_in=2, c_out=3, n=3, k=2).ok is True
    assert check.receptive_field(5, layers=[(3, 1), (3, 1)]).ok is True
    assert check.receptive_field(6, layers=[(2, 2), (2, 2)]).ok is False
    assert "r = 1 +(2−1)·1 +(2−1)·2 = 4" in capsys.readouterr().out


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
