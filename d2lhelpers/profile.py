"""Run profiles, device choice and seeding.

A *profile* says how much work a notebook does, so that one notebook serves a
GPU (the book's settings), a CPU laptop (minutes) and the test suite (seconds):

- ``full``: the book's settings; the default when a GPU is present.
- ``quick``: sized for a CPU laptop; the default without a GPU.
- ``ci``: tiny, for executing every notebook under test.

Choose one with the environment variable ``D2L_PROFILE``. A notebook asks for
its settings with :meth:`Profile.choose`::

    P = profile.current()
    num_epochs = P.choose(full=10, quick=4, ci=1)

First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import numbers
import os
import random
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch

from .i18n import tr

PROFILE_ENV = "D2L_PROFILE"
DEVICE_ENV = "D2L_DEVICE"
PROFILES = ("full", "quick", "ci")

T = TypeVar("T")


def pick_device() -> torch.device:
    """Return the best device here: CUDA, then Apple MPS, then the CPU.

    ``D2L_DEVICE`` (for example ``cpu``, ``CUDA`` or ``cuda:1``, in any case) overrides the
    choice; a device torch cannot use on this machine is refused with a message naming it.
    """
    wanted = os.environ.get(DEVICE_ENV, "").strip()
    if wanted:
        return usable_device(wanted.lower(), f"{DEVICE_ENV}={wanted}")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def usable_device(device: torch.device | str, what: str | None = None) -> torch.device:
    """``device`` as a ``torch.device``, or a ValueError saying why torch cannot use it here.

    ``what`` names where the request came from in the message (default: the value itself)."""
    what = what or f"device {str(device)!r}"
    unset = f"unset {DEVICE_ENV}" if what.startswith(DEVICE_ENV) else "leave device unset"
    try:
        device = torch.device(device.strip().lower() if isinstance(device, str) else device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"{what} is not a device torch knows; use cpu, cuda, cuda:N or mps, "
                         f"or {unset} to use the best device available.") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"{what} asks for CUDA, but torch sees no CUDA GPU here; "
                             f"{unset} to use the best device available.")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"{what} asks for GPU {device.index}, but this machine has "
                             f"{torch.cuda.device_count()} (cuda:0 to cuda:{torch.cuda.device_count() - 1}).")
    elif device.type == "mps":
        if not _mps_available():
            raise ValueError(f"{what} asks for Apple MPS, which this machine lacks; "
                             f"{unset} to use the best device available.")
    elif device.type != "cpu":
        raise ValueError(f"{what}: the notebooks run on cpu, cuda or mps, not {device.type}.")
    return device


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def describe_device(device: torch.device | str) -> str:
    """A short human name for ``device``, e.g. ``cuda (NVIDIA H100 80GB HBM3)``."""
    device = torch.device(device)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return device.type


def cpu_has_fast_bf16(cpuinfo: str | None = None) -> bool:
    """True where the CPU computes bfloat16 natively (AVX512-BF16 or AMX), so that bf16
    autocast speeds up training on it (measured here: 1.5 to 1.9 times for AlexNet, VGG
    and NiN). Elsewhere bf16 on a CPU is emulated and slow. Reads /proc/cpuinfo (Linux);
    False where that cannot be read."""
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
                cpuinfo = f.read()
        except OSError:
            return False
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def fast_paths(device: torch.device | str) -> tuple[bool, bool]:
    """Whether bf16 autocast and channels_last pay on ``device``: the one place this is decided.

    CUDA: bf16 where the GPU supports it, channels_last always (tensor cores prefer it). A CPU
    with native bf16 (:func:`cpu_has_fast_bf16`): both (measured: 1.5 to 1.9 times faster for
    AlexNet, VGG and NiN). Apple MPS and other CPUs: neither (bf16 is emulated there)."""
    device = torch.device(device)
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported()), True
    if device.type == "cpu" and cpu_has_fast_bf16():
        return True, True
    return False, False


@dataclass(frozen=True)
class Profile:
    """A run profile and the device it runs on."""

    name: str
    device: torch.device

    def choose(self, *, full: T, quick: T, ci: T) -> T:
        """Return the value for this profile, e.g. ``P.choose(full=10, quick=4, ci=1)``."""
        return {"full": full, "quick": quick, "ci": ci}[self.name]

    def __str__(self) -> str:
        return f"profile {self.name!r} on {describe_device(self.device)}"


def current(name: str | None = None, device: torch.device | str | None = None) -> Profile:
    """The profile in force: ``name``, else ``$D2L_PROFILE``, else ``full`` on a CUDA GPU and
    ``quick`` elsewhere (a CPU, or an Apple-silicon Mac, whose MPS GPU would take hours over
    the book's 224-pixel, 10-epoch runs: ask for them there with ``D2L_PROFILE=full``)."""
    if device is None:
        device = pick_device()
    else:
        try:  # a device of another machine is fine here: the profile only depends on its type
            device = torch.device(device.strip().lower() if isinstance(device, str) else device)
        except (RuntimeError, TypeError):
            raise ValueError(f"device {str(device)!r} is not a device torch knows; use cpu, cuda, cuda:N "
                             f"or mps.") from None
    chosen = (name or os.environ.get(PROFILE_ENV, "")).strip().lower()
    if not chosen:
        chosen = "full" if device.type == "cuda" else "quick"
    if chosen not in PROFILES:
        raise ValueError(tr("unknown profile {chosen!r}: {env} must be one of {known}.", chosen=chosen,
                            env=PROFILE_ENV, known=", ".join(PROFILES)))
    return Profile(chosen, device)


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and torch's generators (all devices)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"a seed is a whole number, got {seed!r}.")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed % 2**64)


DRY_RUN_ENV = "D2L_DRY_RUN"


def dry_run_batches() -> int | None:
    """``$D2L_DRY_RUN`` as a number of batches, or None when unset: a dry run trains at most 2
    epochs of that many batches and evaluates at most that many, so that every training cell of a
    notebook (the ``full`` profile's included) runs in minutes, to prove it works. Its results
    mean nothing, and :func:`train.fit` keeps no checkpoint of it."""
    value = os.environ.get(DRY_RUN_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{DRY_RUN_ENV}={value!r}: give a whole number of batches of at least 1 "
                         f"(e.g. {DRY_RUN_ENV}=2), or unset it for real training.")
    return int(value)
