"""From-scratch operations that one notebook teaches and later notebooks reuse.

They are written out, loop by loop, in the notebook that explains them; later
notebooks import them from here instead of copying them.

- :func:`corr2d`: two-dimensional cross-correlation, ``notebooks/01-convolution.ipynb``
  (d2l §7.2, ZH §6.2).
"""
from __future__ import annotations

import torch


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlate the 2-D tensor ``X`` with the 2-D kernel ``K`` (no padding, stride 1)."""
    if X.dim() != 2 or K.dim() != 2:
        raise ValueError(f"corr2d takes a 2-D input and a 2-D kernel, got shapes {tuple(X.shape)} "
                         f"and {tuple(K.shape)}.")
    h, w = K.shape
    if h > X.shape[0] or w > X.shape[1]:
        raise ValueError(f"the kernel {tuple(K.shape)} is larger than the input {tuple(X.shape)}.")
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
