"""d2lhelpers.scratch: the from-scratch operations agree with PyTorch."""
import pytest
import torch
from torch.nn import functional as F

from d2lhelpers import scratch


def test_corr2d_book_example_and_torch():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert scratch.corr2d(X, K).tolist() == [[19.0, 25.0], [37.0, 43.0]]
    torch.manual_seed(0)
    X, K = torch.randn(7, 9), torch.randn(3, 2)
    assert torch.allclose(scratch.corr2d(X, K), F.conv2d(X[None, None], K[None, None])[0, 0], atol=1e-6)


def test_corr2d_refuses_bad_shapes():
    with pytest.raises(ValueError, match="2-D input and a 2-D kernel"):
        scratch.corr2d(torch.zeros(1, 1, 6, 8), torch.zeros(1, 2))
    with pytest.raises(ValueError, match="larger than the input"):
        scratch.corr2d(torch.zeros(2, 2), torch.zeros(3, 3))
