"""Data augmentation on whole batches, on the device: :class:`Augmentation`.

Every image of a batch draws its own random parameters (a flip, a rotation, a zoom, a shift, a
brightness and a contrast factor), and the geometry is applied to the whole batch with one
``affine_grid`` / ``grid_sample`` call, so a GPU (or the CPU) never waits for per-image PIL work.
(A torchvision transform called on a batched tensor draws one set of parameters for the whole
batch: every image flipped, or none.) A recipe carries an ``Augmentation`` in its ``augment``
field; ``data.load_splits`` applies it to the training batches only. First explained in
``notebooks/12-augmentation.ipynb``.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import torch
import torch.nn.functional as F


def _number(name: str, value, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"augmentation field {name} must be a number, got {value!r}.")
    if not lo <= value <= hi:
        raise ValueError(f"augmentation field {name} must be between {lo:g} and {hi:g}, got {value:g}.")
    return float(value)


@dataclass(frozen=True)
class Augmentation:
    """What to do to each training image, drawn anew for every image and every epoch.

    - ``flip``: probability of a horizontal flip (0.5 is the book's ``RandomHorizontalFlip``);
    - ``max_rotate``: a rotation by up to this many degrees either way;
    - ``scale``: a zoom factor drawn from ``(low, high)`` (above 1 zooms in);
    - ``max_shift``: a shift by up to this fraction of the side, each way;
    - ``brightness``, ``contrast``: factors drawn from ``[1 - b, 1 + b]``, as ``ColorJitter``.
    """

    flip: float = 0.5
    max_rotate: float = 0.0
    scale: tuple[float, float] = (1.0, 1.0)
    max_shift: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "flip", _number("flip", self.flip, 0, 1))
        object.__setattr__(self, "max_rotate", _number("max_rotate", self.max_rotate, 0, 180))
        if not isinstance(self.scale, (tuple, list)) or len(self.scale) != 2:
            raise TypeError(f"augmentation field scale is a pair (low, high) such as (0.9, 1.1), got {self.scale!r}.")
        low, high = (_number("scale", s, 0.1, 10) for s in self.scale)
        if low > high:
            raise ValueError(f"augmentation field scale must be (low, high) with low <= high, got {self.scale!r}.")
        object.__setattr__(self, "scale", (low, high))
        object.__setattr__(self, "max_shift", _number("max_shift", self.max_shift, 0, 1))
        object.__setattr__(self, "brightness", _number("brightness", self.brightness, 0, 1))
        object.__setattr__(self, "contrast", _number("contrast", self.contrast, 0, 1))

    def describe(self) -> str:
        parts = []
        if self.flip:
            parts.append(f"flip {self.flip:g}")
        if self.max_rotate:
            parts.append(f"rotate ±{self.max_rotate:g}°")
        if self.scale != (1.0, 1.0):
            parts.append(f"zoom {self.scale[0]:g}–{self.scale[1]:g}")
        if self.max_shift:
            parts.append(f"shift ±{self.max_shift:g}")
        if self.brightness:
            parts.append(f"brightness ±{self.brightness:g}")
        if self.contrast:
            parts.append(f"contrast ±{self.contrast:g}")
        return ", ".join(parts) or "nothing"

    def __call__(self, X: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """``X``: float (N, C, H, W) in [0, 1]; returns the augmented batch, each image its own draw."""
        if X.dim() != 4:
            raise ValueError(f"an augmentation takes a batch (N, C, H, W), got shape {tuple(X.shape)}.")
        n, device = X.shape[0], X.device

        def uniform(lo: float, hi: float) -> torch.Tensor:
            return lo + (hi - lo) * torch.rand(n, generator=generator, device=device)

        flips = torch.rand(n, generator=generator, device=device) < self.flip
        if self.max_rotate or self.scale != (1.0, 1.0) or self.max_shift:
            angle = uniform(-self.max_rotate, self.max_rotate) * (math.pi / 180)
            zoom = uniform(*self.scale)
            sign = torch.where(flips, -1.0, 1.0)
            theta = torch.zeros(n, 2, 3, device=device)
            theta[:, 0, 0], theta[:, 0, 1] = torch.cos(angle) / zoom * sign, -torch.sin(angle) / zoom
            theta[:, 1, 0], theta[:, 1, 1] = torch.sin(angle) / zoom * sign, torch.cos(angle) / zoom
            theta[:, 0, 2] = 2 * uniform(-self.max_shift, self.max_shift)
            theta[:, 1, 2] = 2 * uniform(-self.max_shift, self.max_shift)
            grid = F.affine_grid(theta, list(X.shape), align_corners=False)
            X = F.grid_sample(X, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        elif self.flip:
            X = torch.where(flips.view(n, 1, 1, 1), X.flip(-1), X)   # exact, no resampling
        if self.brightness:
            X = X * uniform(1 - self.brightness, 1 + self.brightness).view(n, 1, 1, 1)
        if self.contrast:
            mean = X.mean(dim=(1, 2, 3), keepdim=True)
            X = (X - mean) * uniform(1 - self.contrast, 1 + self.contrast).view(n, 1, 1, 1) + mean
        return X.clamp(0, 1)
