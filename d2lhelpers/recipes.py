"""Training recipes as data: everything that defines a run, in one value.

A :class:`Recipe` holds the optimiser and its settings, the learning-rate schedule, batch size,
epochs, input size, initialisation, bf16/channels_last, the data subsets and the seed. A notebook
takes one from :func:`for_net` (the profile picks the book's recipe on a GPU, a CPU-sized one on
a laptop), passes it to ``train.fit``, and ``fit`` prints it, saves it with the checkpoint and the
history, and refuses to resume a checkpoint written by another recipe::

    recipe = recipes.for_net("lenet")                  # the profile's recipe for LeNet
    train_iter, val_iter, test_iter = data.load_splits(recipe)
    history = train.fit(lenet(), train_iter, val_iter, recipe, test_iter=test_iter, checkpoint="lenet")
    faster = recipe.replace(lr=0.03)                   # a variant for an exercise: one field changed

The book's recipes (``BOOK``, EN and ZH editions), the CPU recipes (``QUICK``) and the test
suite's (``CI``) live here, so the notebooks, the comparison notebook and the benchmark read
the same ones. First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, fields
from typing import Iterable

import torch

from . import profile as _profile
from .augment import Augmentation
from .inspection import whole

OPTIMIZERS = ("sgd", "adam", "adamw")
MAX_SEED = 2**32 - 1
SCHEDULES = (None, "onecycle", "cosine")
INITS = ("xavier", "kaiming", "none")


def _check_whole(name: str, value, minimum: int, allow_none: bool = False) -> None:
    whole(value, f"recipe field {name}", minimum, allow_none)


def _check_number(name: str, value, *, positive: bool = False, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"recipe field {name} must be a finite number, got {value!r}.")
    if positive and value <= 0:
        raise ValueError(f"recipe field {name} must be above 0, got {value}.")
    if not positive and value < 0:
        raise ValueError(f"recipe field {name} must be 0 or more, got {value}.")


def _check_choice(name: str, value, choices) -> None:
    if not (value is None or isinstance(value, str)) or value not in choices:
        shown = ", ".join("None" if c is None else repr(c) for c in choices)
        raise ValueError(f"recipe field {name} is {value!r}; choose one of {shown}.")


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a training run. Build variants with :meth:`replace`.

    - ``optimizer``: ``"sgd"`` (the book's), ``"adam"`` or ``"adamw"``; ``lr`` its learning
      rate (the peak rate with a schedule), ``momentum`` (SGD) and ``weight_decay``.
    - ``schedule``: None (constant rate), ``"onecycle"`` (warm up to ``lr``, then anneal) or
      ``"cosine"``, stepped after every batch.
    - ``epochs``, ``batch_size``; ``input_size``: the side images are resized to (28 keeps
      Fashion-MNIST's own).
    - ``init``: ``"xavier"`` (the book's), ``"kaiming"`` (He, for deep ReLU nets) or ``"none"``
      (PyTorch's defaults); ``init_bias`` sets every bias to a constant.
    - ``bf16``, ``channels_last``: None lets ``profile.fast_paths`` decide for the device.
    - ``train_subset``: train on this many images (None: all that are not held out);
      ``validation``: images held out of the training set to choose settings on;
      ``test_subset``: evaluate the test set's first this many (None: all 10,000).
    - ``seed``: seeds initialisation, dropout, shuffling, the training subset and the augmentation.
    - ``augment``: an :class:`~d2lhelpers.augment.Augmentation` applied to every training batch
      (each image its own draw), or None.
    - ``head_lr``: fine-tuning (notebook 13): the learning rate of the network's output layer (its
      last child module with parameters) where it differs from ``lr``, the body's; the book uses
      10 × ``lr``. ``freeze_body``: train the output layer only; the body keeps its weights and
      its batch-normalization statistics (evaluation mode). Both keep the weights the network
      brings, so they need ``init="none"``.
    """

    optimizer: str = "sgd"
    lr: float = 0.1
    epochs: int = 10
    batch_size: int = 256
    input_size: int = 28
    momentum: float = 0.0
    weight_decay: float = 0.0
    schedule: str | None = None
    init: str = "xavier"
    init_bias: float | None = None
    bf16: bool | None = None
    channels_last: bool | None = None
    train_subset: int | None = None
    validation: int = 5000
    test_subset: int | None = None
    seed: int = 0
    augment: Augmentation | None = None
    head_lr: float | None = None
    freeze_body: bool = False

    def __post_init__(self):
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_number("lr", self.lr, positive=True)
        _check_whole("epochs", self.epochs, 1)
        _check_whole("batch_size", self.batch_size, 1)
        _check_whole("input_size", self.input_size, 1)
        _check_number("momentum", self.momentum)
        _check_number("weight_decay", self.weight_decay)
        _check_choice("schedule", self.schedule, SCHEDULES)
        _check_choice("init", self.init, INITS)
        _check_number("init_bias", self.init_bias, allow_none=True)
        _check_number("head_lr", self.head_lr, positive=True, allow_none=True)
        if not isinstance(self.freeze_body, bool):
            raise TypeError(f"recipe field freeze_body must be True or False, got {self.freeze_body!r}.")
        if (self.head_lr is not None or self.freeze_body) and self.init != "none":
            raise ValueError("head_lr and freeze_body fine-tune a network whose weights you loaded: set init='none' "
                             "as well, or fit would initialise every layer anew.")
        for name in ("bf16", "channels_last"):
            if getattr(self, name) not in (None, True, False):
                raise TypeError(f"recipe field {name} must be True, False or None (decide for the device), "
                                f"got {getattr(self, name)!r}.")
        _check_whole("train_subset", self.train_subset, 1, allow_none=True)
        _check_whole("validation", self.validation, 0)
        _check_whole("test_subset", self.test_subset, 1, allow_none=True)
        _check_whole("seed", self.seed, 0)
        if self.seed > MAX_SEED:
            raise ValueError(f"recipe field seed must be at most {MAX_SEED:,} (2**32 - 1), got {self.seed:,}.")
        if isinstance(self.augment, dict):                # as saved with a checkpoint
            object.__setattr__(self, "augment", Augmentation(**self.augment))
        if not (self.augment is None or isinstance(self.augment, Augmentation)):
            raise TypeError(f"recipe field augment is an augment.Augmentation or None, got {self.augment!r}.")
        # numpy or fraction values become plain Python numbers: the recipe is saved, printed and compared
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or isinstance(value, (str, Augmentation)):
                continue
            plain = bool(value) if f.name in ("bf16", "channels_last", "freeze_body") else (
                int(value) if isinstance(value, numbers.Integral) else float(value))
            object.__setattr__(self, f.name, plain)
        if self.momentum and self.optimizer != "sgd":
            raise ValueError(f"momentum is a setting of SGD; {self.optimizer} keeps its own moving averages "
                             f"(set momentum=0 or optimizer='sgd').")

    # ------------------------------------------------------------ as data
    def replace(self, **changes) -> "Recipe":
        """A copy with some fields changed (checked like a new recipe)."""
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise TypeError(f"a recipe has no field {', '.join(unknown)}; its fields are "
                            f"{', '.join(f.name for f in fields(self))}.")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "Recipe":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def differences(self, other: "Recipe") -> list[tuple[str, object, object]]:
        """``(field, self's value, other's value)`` for every field that differs."""
        return [(f.name, getattr(self, f.name), getattr(other, f.name)) for f in fields(self)
                if getattr(self, f.name) != getattr(other, f.name)]

    def describe_differences(self, other: "Recipe") -> str:
        """The fields that differ, as ``"lr 0.1 vs 0.001; ..."`` (self's value first), or ``"nothing"``."""
        return "; ".join(f"{name} {mine} vs {theirs}" for name, mine, theirs in self.differences(other)) or "nothing"

    # ------------------------------------------------------------ what fit builds from it
    def resolved(self, device: torch.device | str) -> tuple[bool, bool]:
        """(bf16, channels_last) on ``device``: the recipe's own, or ``profile.fast_paths``."""
        bf16, channels_last = _profile.fast_paths(device)
        return (bf16 if self.bf16 is None else self.bf16,
                channels_last if self.channels_last is None else self.channels_last)

    def param_groups(self, net: torch.nn.Module) -> list[dict]:
        """The optimiser's parameter groups for ``net``: one group, or with ``head_lr`` the body at
        ``lr`` and the output layer (:func:`output_layer`) at ``head_lr``; with ``freeze_body`` the
        output layer alone."""
        if self.head_lr is None and not self.freeze_body:
            return [{"params": list(net.parameters())}]
        head = output_layer(net)
        head_ids = {id(p) for p in head.parameters()}
        groups = [] if self.freeze_body else [{"params": [p for p in net.parameters() if id(p) not in head_ids]}]
        return groups + [{"params": list(head.parameters()), "lr": self.head_lr or self.lr}]

    def make_optimizer(self, params) -> torch.optim.Optimizer:
        """The recipe's optimiser over ``params``: parameters, or groups from :meth:`param_groups`."""
        if self.optimizer == "sgd":
            return torch.optim.SGD(params, lr=self.lr, momentum=self.momentum, weight_decay=self.weight_decay)
        kind = torch.optim.Adam if self.optimizer == "adam" else torch.optim.AdamW
        return kind(params, lr=self.lr, weight_decay=self.weight_decay)

    def make_scheduler(self, optimizer: torch.optim.Optimizer, steps_per_epoch: int):
        """The schedule over ``epochs * steps_per_epoch`` batches, or None."""
        total = self.epochs * steps_per_epoch
        if self.schedule == "onecycle":        # each group peaks at its own rate
            return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[g["lr"] for g in optimizer.param_groups],
                                                       total_steps=total)
        if self.schedule == "cosine":
            return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total)
        return None

    def describe(self, device: torch.device | str | None = None) -> str:
        """The recipe in one line, e.g. ``SGD lr 0.9, 10 epochs, batch 256, 28 px, Xavier init, ...``."""
        name = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}[self.optimizer]
        opt = f"{name} lr {self.lr:g}"
        if self.freeze_body:
            opt = f"{name} lr {self.head_lr or self.lr:g} on the output layer only (body frozen)"
        elif self.head_lr is not None:
            opt += f" (output layer lr {self.head_lr:g})"
        if self.momentum:
            opt += f" momentum {self.momentum:g}"
        if self.weight_decay:
            opt += f" weight decay {self.weight_decay:g}"
        if self.schedule:
            opt += {"onecycle": " (one-cycle)", "cosine": " (cosine decay)"}[self.schedule]
        init = {"xavier": "Xavier init", "kaiming": "He init", "none": "PyTorch's default init"}[self.init]
        if self.head_lr is not None or self.freeze_body:
            init = "the weights it is given"                   # fine-tuning: init is "none"
        if self.init_bias is not None:
            init += f" (biases {self.init_bias:g})"
        if device is not None:
            bf16, channels_last = self.resolved(device)
            fast = f"bf16 {'on' if bf16 else 'off'}, channels_last {'on' if channels_last else 'off'}"
        else:
            fast = ", ".join(f"{n} {'auto' if v is None else ('on' if v else 'off')}"
                             for n, v in (("bf16", self.bf16), ("channels_last", self.channels_last)))
        data = f"{self.train_subset:,} training images" if self.train_subset else "all training images"
        data += f", {self.validation:,} held out for validation" if self.validation else ", no validation split"
        if self.test_subset:
            data += f", {self.test_subset:,} test images"
        if self.augment is not None:
            data += f", training images augmented ({self.augment.describe()})"
        return (f"{opt}, {self.epochs} epochs, batch {self.batch_size}, {self.input_size} px, {init}, "
                f"{fast}, {data}, seed {self.seed}")

    def __str__(self) -> str:
        return "Recipe: " + self.describe()


def output_layer(net: torch.nn.Module) -> torch.nn.Module:
    """The output layer a fine-tuning recipe treats apart: the last child module of ``net`` that has
    parameters (``fc`` of torchvision's ResNets, the final ``Linear`` of this project's networks)."""
    with_params = [m for m in net.children() if any(True for _ in m.parameters())]
    if not with_params:
        raise ValueError(f"{type(net).__name__} has no child module with parameters to call its output layer.")
    return with_params[-1]


# ---------------------------------------------------------------- the recipes the notebooks use

#: The book's recipes, plain SGD at the book's sizes: EN (d2l.ai) and ZH (动手学深度学习) editions.
#: EN §7.6 / §8.1–8.3, §8.5–8.6 and ZH §6.6 / §7.1–7.3, §7.5–7.6; VGG is the narrow VGG-11 (channels / 4)
#: both train; ``bn-lenet`` is LeNet with batch normalization, trained in float32 as the book does.
BOOK = {
    "en": {"lenet": Recipe("sgd", lr=0.1, epochs=10, batch_size=128, input_size=28),
           "bn-lenet": Recipe("sgd", lr=0.1, epochs=10, batch_size=128, input_size=28, bf16=False,
                              channels_last=False),
           "alexnet": Recipe("sgd", lr=0.01, epochs=10, batch_size=128, input_size=224),
           "vgg": Recipe("sgd", lr=0.01, epochs=10, batch_size=128, input_size=224),
           "nin": Recipe("sgd", lr=0.05, epochs=10, batch_size=128, input_size=224),
           "resnet": Recipe("sgd", lr=0.01, epochs=10, batch_size=128, input_size=96)},
    "zh": {"lenet": Recipe("sgd", lr=0.9, epochs=10, batch_size=256, input_size=28),
           "bn-lenet": Recipe("sgd", lr=1.0, epochs=10, batch_size=256, input_size=28, bf16=False,
                              channels_last=False),
           "alexnet": Recipe("sgd", lr=0.01, epochs=10, batch_size=128, input_size=224),
           "vgg": Recipe("sgd", lr=0.05, epochs=10, batch_size=128, input_size=224),
           "nin": Recipe("sgd", lr=0.1, epochs=10, batch_size=128, input_size=224),
           "resnet": Recipe("sgd", lr=0.05, epochs=10, batch_size=256, input_size=96)},
}

#: Sized for a 2-core CPU laptop (a few minutes each): Adam with a one-cycle schedule, smaller
#: inputs; each notebook explains its choice.
QUICK = {
    "lenet": Recipe("adam", lr=0.01, epochs=15, batch_size=256, input_size=28, schedule="onecycle"),
    "bn-lenet": BOOK["zh"]["bn-lenet"],            # the book's own recipe: 28 px and 10 epochs are cheap
    "alexnet": Recipe("adam", lr=1e-3, epochs=2, batch_size=128, input_size=99, schedule="onecycle",
                      train_subset=40_000),
    "vgg": Recipe("adam", lr=1e-3, epochs=2, batch_size=128, input_size=64, schedule="onecycle"),
    "nin": Recipe("adam", lr=1e-3, epochs=2, batch_size=64, input_size=131, schedule="onecycle",
                  init="kaiming", init_bias=0.1),
    "resnet": Recipe("adam", lr=2e-3, epochs=2, batch_size=256, input_size=40, schedule="onecycle"),
}

#: The test suite's: the quick recipe on a few images, for seconds per notebook.
_SMALL = ("lenet", "bn-lenet")                      # 28-px nets: the test suite can afford more of them
CI = {name: recipe.replace(epochs=2 if name in _SMALL else 1, train_subset=2000 if name in _SMALL else 1000,
                           validation=500, test_subset=1000 if name in _SMALL else 500)
      for name, recipe in QUICK.items()}


def for_net(name: str, profile: _profile.Profile | str | None = None, edition: str = "zh") -> Recipe:
    """The recipe a notebook trains ``name`` with under ``profile`` (default: the current one):
    the book's (``edition`` ``"zh"`` or ``"en"``) in ``full``, :data:`QUICK` in ``quick``,
    :data:`CI` in ``ci``."""
    if edition not in BOOK:
        raise ValueError(f"unknown edition {edition!r}; choose 'en' or 'zh'.")
    if not isinstance(name, str) or name not in QUICK:
        raise ValueError(f"no recipe for a net called {name!r}; choose one of {', '.join(QUICK)}.")
    if not isinstance(profile, _profile.Profile):
        profile = _profile.current(profile)
    return profile.choose(full=BOOK[edition][name], quick=QUICK[name], ci=CI[name])
