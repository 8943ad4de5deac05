"""d2lhelpers.profile: device choice, profiles, seeding."""
import random

import numpy as np
import pytest
import torch

from d2lhelpers import profile


@pytest.fixture
def no_accelerator(monkeypatch):
    monkeypatch.delenv(profile.DEVICE_ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(profile, "_mps_available", lambda: False)


def test_device_order_cuda_then_mps_then_cpu(no_accelerator, monkeypatch):
    assert profile.pick_device() == torch.device("cpu")
    monkeypatch.setattr(profile, "_mps_available", lambda: True)
    assert profile.pick_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert profile.pick_device() == torch.device("cuda")


def test_device_variable_overrides_and_is_checked(no_accelerator, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv(profile.DEVICE_ENV, "cpu")
    assert profile.pick_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv(profile.DEVICE_ENV, "CPU ")        # any case, stray spaces
    assert profile.pick_device() == torch.device("cpu")
    monkeypatch.setenv(profile.DEVICE_ENV, "cuda:0")
    with pytest.raises(ValueError, match="D2L_DEVICE=cuda:0 asks for CUDA, but torch sees no CUDA GPU"):
        profile.pick_device()
    monkeypatch.setenv(profile.DEVICE_ENV, "mps")
    with pytest.raises(ValueError, match="D2L_DEVICE=mps asks for Apple MPS, which this machine lacks"):
        profile.pick_device()
    monkeypatch.setenv(profile.DEVICE_ENV, "gpu")
    with pytest.raises(ValueError, match="D2L_DEVICE=gpu is not a device torch knows; use cpu, cuda"):
        profile.pick_device()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setenv(profile.DEVICE_ENV, "cuda:3")
    with pytest.raises(ValueError, match="asks for GPU 3, but this machine has 1"):
        profile.pick_device()
    with pytest.raises(ValueError, match="device 'tpu'"):
        profile.usable_device("tpu")


def test_fast_paths_are_decided_in_one_place(monkeypatch):
    monkeypatch.setattr(profile, "cpu_has_fast_bf16", lambda cpuinfo=None: True)
    assert profile.fast_paths("cpu") == (True, True)
    monkeypatch.setattr(profile, "cpu_has_fast_bf16", lambda cpuinfo=None: False)
    assert profile.fast_paths("cpu") == (False, False)
    assert profile.fast_paths("mps") == (False, False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert profile.fast_paths("cuda") == (False, True)


def test_default_profile_depends_on_the_device(monkeypatch):
    monkeypatch.delenv(profile.PROFILE_ENV, raising=False)
    assert profile.current(device="cpu").name == "quick"
    assert profile.current(device="cuda").name == "full"
    assert profile.current(device="mps").name == "quick"
    assert profile.current(" Quick ", device="cpu").name == "quick"   # any case, as D2L_PROFILE
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        profile.current("fast", device="cpu")


def test_profile_variable_and_argument(monkeypatch):
    monkeypatch.setenv(profile.PROFILE_ENV, " CI ")
    p = profile.current(device="cpu")
    assert p.name == "ci" and str(p) == "profile 'ci' on cpu"
    assert p.choose(full=10, quick=4, ci=1) == 1
    assert profile.current("full", device="cpu").choose(full=10, quick=4, ci=1) == 10
    monkeypatch.setenv(profile.PROFILE_ENV, "fast")
    with pytest.raises(ValueError, match="unknown profile 'fast': D2L_PROFILE must be one of full, quick, ci"):
        profile.current(device="cpu")


def test_choose_needs_every_profile():
    with pytest.raises(TypeError):
        profile.current("quick", device="cpu").choose(full=1, quick=2)


def test_set_seed_repeats_every_generator():
    draws = []
    for _ in range(2):
        profile.set_seed(7)
        draws.append((random.random(), float(np.random.rand()), float(torch.rand(1))))
    assert draws[0] == draws[1]


def test_fast_bf16_is_read_from_the_cpu_flags():
    assert profile.cpu_has_fast_bf16("processor: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n")
    assert profile.cpu_has_fast_bf16("flags : sse amx_bf16 amx_tile\n")
    assert not profile.cpu_has_fast_bf16("flags : sse avx2 avx512f avx512bw\n")
    assert not profile.cpu_has_fast_bf16("")
    assert isinstance(profile.cpu_has_fast_bf16(), bool)
