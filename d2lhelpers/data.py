"""Fashion-MNIST, offline first, held in memory and served in batches on the device.

Where the data comes from, first match wins:

1. a folder passed as ``path=`` or named by ``$D2L_FASHION_MNIST``;
2. the repository's ``data/`` folder;
3. Debian's ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``);
4. torchvision's download, into ``data/``.

A folder may hold the four idx files, gzipped or not, either directly or in
``FashionMNIST/raw/`` below it (torchvision's layout). Every file is checked
(size, header, label range, SHA-256 of the decompressed bytes), so a truncated
or corrupt copy stops with an error that names it, never a wrong dataset.
MNIST, which has no offline system copy, is found the same way
(``$D2L_MNIST``, data/, download), checked for sizes, headers and labels.

The whole set stays in memory as ``uint8`` (47 MB for the training images) on
the training device; :class:`Batches` cuts it into batches, converts them to
floats in [0, 1] and resizes them there (bilinear, like d2l's ``Resize``). A
:class:`Batches` is an iterable of ``(X, y)``, so d2l's own ``train_ch6`` takes it.

First explained in ``notebooks/00-setup-check.ipynb``.
"""
from __future__ import annotations

import gzip
import hashlib
import numbers
import os
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, NamedTuple, Sequence

import torch
from torch.nn import functional as F

from . import profile
from .i18n import tr
from .inspection import whole as _whole

PATH_ENV = "D2L_FASHION_MNIST"
MNIST_PATH_ENV = "D2L_MNIST"
REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

#: The class names, in label order (d2l's ``get_fashion_mnist_labels``).
CLASSES = ("t-shirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle boot")
MNIST_CLASSES = tuple(str(d) for d in range(10))

# file name -> number of items; Fashion-MNIST and MNIST share names and sizes
_COUNTS = {"train-images-idx3-ubyte": 60000, "train-labels-idx1-ubyte": 60000,
           "t10k-images-idx3-ubyte": 10000, "t10k-labels-idx1-ubyte": 10000}
# SHA-256 of each decompressed Fashion-MNIST file (gzip's own bytes differ between copies)
_FASHION_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


@dataclass(frozen=True)
class _Spec:
    title: str
    env: str
    folder: str                    # torchvision's folder and class name
    sha256: dict[str, str] | None  # None: sizes, headers and labels are checked, not contents
    debian: bool                   # has Debian's offline package
    classes: tuple[str, ...]


_SPECS = {
    "fashion-mnist": _Spec("Fashion-MNIST", PATH_ENV, "FashionMNIST", _FASHION_SHA256, True, CLASSES),
    "mnist": _Spec("MNIST", MNIST_PATH_ENV, "MNIST", None, False, MNIST_CLASSES),
}


def _spec(dataset: str) -> _Spec:
    if dataset not in _SPECS:
        raise ValueError(f"unknown data set {dataset!r}: choose one of {', '.join(_SPECS)}.")
    return _SPECS[dataset]


def _how_to_get(spec: _Spec) -> str:
    ways = [tr("point {env} (or path=) at a folder holding the four idx files, or copy them into {folder}",
               env=spec.env, folder=REPO_DATA_DIR)]
    if spec.debian:
        ways.append(tr("on Debian or Ubuntu run 'sudo apt-get install dataset-fashion-mnist'"))
    ways.append(tr("connect to the internet once so that torchvision can download it into {folder}",
                   folder=REPO_DATA_DIR))
    text = tr("Get {title} in one of these ways: {ways}.", title=spec.title,
              ways=tr("; ").join(f"({i}) {w}" for i, w in enumerate(ways, 1)))
    if not spec.debian:
        text += tr(" (No system package provides {title} offline.)", title=spec.title)
    return text


class DataNotFoundError(FileNotFoundError):
    """The data set was found nowhere and could not be downloaded."""


class CorruptDataError(ValueError):
    """A data file is truncated, corrupt or not what its name says."""


@dataclass(frozen=True)
class IdxDataset:
    """A whole data set as uint8 images (N, H, W) and int64 labels (N,), on the CPU: 28×28 for
    Fashion-MNIST and MNIST, 8×8 for scikit-learn's digits."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: str
    folder: Path
    classes: tuple[str, ...] = CLASSES


# ---------------------------------------------------------------- finding the files

def find_files(folder: Path, dataset: str = "fashion-mnist") -> dict[str, Path] | None:
    """The four idx files in ``folder`` (or ``folder/<torchvision name>/raw``), or None."""
    for base in (Path(folder), Path(folder) / _spec(dataset).folder / "raw"):
        found = {}
        for name in _COUNTS:
            for candidate in (base / name, base / f"{name}.gz"):
                if candidate.is_file():
                    found[name] = candidate
                    break
        if len(found) == len(_COUNTS):
            return found
    return None


def _download_with_torchvision(root: Path, folder: str = "FashionMNIST") -> None:
    """torchvision's download into ``root/<folder>/raw`` (replaced in tests)."""
    import torchvision

    dataset_class = getattr(torchvision.datasets, folder)
    dataset_class(root=str(root), train=True, download=True)
    dataset_class(root=str(root), train=False, download=True)


def locate(path: str | os.PathLike | None = None, download: bool = True,
           dataset: str = "fashion-mnist") -> tuple[dict[str, Path], str]:
    """Find the four files; return them and a short description of where they came from."""
    spec = _spec(dataset)
    explicit = [(path, "path argument")] if path is not None else []
    if not explicit and os.environ.get(spec.env):
        explicit = [(os.environ[spec.env], f"${spec.env}")]
    for folder, how in explicit:
        files = find_files(Path(folder), dataset)
        if files is None:
            raise DataNotFoundError(tr("{how} {folder} does not hold the four {title} idx files ({files}, "
                                       "optionally .gz). ", how=how, folder=folder, title=spec.title,
                                       files=", ".join(_COUNTS)) + _how_to_get(spec))
        return files, f"{how} ({folder})"
    places = [(REPO_DATA_DIR, "the repository's data/ folder")]
    if spec.debian:
        places.append((SYSTEM_DIR, "Debian's dataset-fashion-mnist package"))
    for folder, how in places:
        files = find_files(folder, dataset)
        if files is not None:
            return files, f"{how} ({folder})"
    if download:
        try:
            _download_with_torchvision(REPO_DATA_DIR, spec.folder)
        except Exception as err:  # no network, proxy, disk full: all end the same way
            raise DataNotFoundError(tr("{title} is not on this machine and torchvision's download failed "
                                       "({error}). ", title=spec.title, error=f"{type(err).__name__}: {err}")
                                    + _how_to_get(spec)) from err
        files = find_files(REPO_DATA_DIR, dataset)
        if files is not None:
            return files, f"torchvision's download ({REPO_DATA_DIR})"
    raise DataNotFoundError(tr("{title} is not on this machine. " if download else
                               "{title} is not on this machine and download=False. ", title=spec.title)
                            + _how_to_get(spec))


# ---------------------------------------------------------------- reading and checking

def _fix_hint(file: Path, spec: _Spec) -> str:
    if spec.debian and Path(SYSTEM_DIR) in file.parents:
        return ("Reinstall Debian's copy with 'sudo apt-get install --reinstall dataset-fashion-mnist', "
                f"or point {spec.env} at a good copy.")
    return (f"Delete {file} and run again (torchvision downloads a fresh copy into data/), "
            f"or point {spec.env} at a good copy.")


def read_idx(file: Path, name: str, dataset: str = "fashion-mnist") -> torch.Tensor:
    """Read and verify one idx file (gzipped or not) of the data set as a uint8 tensor."""
    return _verified_idx(file, name, dataset)[1]


def _verified_idx(file: Path, name: str, dataset: str = "fashion-mnist") -> tuple[bytes, torch.Tensor]:
    """One idx file's decompressed bytes and its values, both verified (see :func:`read_idx`)."""
    spec = _spec(dataset)
    count = _COUNTS[name]
    is_images = "images" in name
    try:
        raw = gzip.decompress(file.read_bytes()) if file.suffix == ".gz" else file.read_bytes()
    except (EOFError, OSError, zlib.error) as err:
        raise CorruptDataError(f"{file} is truncated or not valid gzip ({err}). " + _fix_hint(file, spec)) from err
    dims = (count, 28, 28) if is_images else (count,)
    header = 4 + 4 * len(dims)
    expected_size = header + count * (784 if is_images else 1)
    if len(raw) != expected_size:
        raise CorruptDataError(f"{file} holds {len(raw):,} bytes once decompressed, expected {expected_size:,} "
                               f"({count:,} {'images' if is_images else 'labels'}): it is truncated or the "
                               f"wrong file. " + _fix_hint(file, spec))
    magic = int.from_bytes(raw[:4], "big")
    found_dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(len(dims)))
    if magic != 0x800 + len(dims) or found_dims != dims:
        raise CorruptDataError(f"{file} has the header of a {found_dims} array (magic {magic:#x}), "
                               f"expected {dims}. " + _fix_hint(file, spec))
    values = torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8).reshape(dims)
    if not is_images and int(values.max()) > 9:
        raise CorruptDataError(f"{file} has labels up to {int(values.max())}; {spec.title}'s run 0 to 9. "
                               + _fix_hint(file, spec))
    if spec.sha256 is not None and hashlib.sha256(raw).hexdigest() != spec.sha256[name]:
        raise CorruptDataError(f"{file} has the right size but not the right contents (SHA-256 of its "
                               f"decompressed bytes differs). " + _fix_hint(file, spec))
    return raw, values


@lru_cache(maxsize=4)
def _read_all(files: tuple[tuple[str, Path], ...], source: str, dataset: str) -> IdxDataset:
    by_name = dict(files)
    t = {name: read_idx(file, name, dataset) for name, file in by_name.items()}
    return IdxDataset(t["train-images-idx3-ubyte"], t["train-labels-idx1-ubyte"].long(),
                      t["t10k-images-idx3-ubyte"], t["t10k-labels-idx1-ubyte"].long(),
                      source, by_name["train-images-idx3-ubyte"].parent, _spec(dataset).classes)


def read_fashion_mnist(path: str | os.PathLike | None = None, download: bool = True) -> IdxDataset:
    """Find, read and verify Fashion-MNIST (cached: a second call costs nothing)."""
    files, source = locate(path, download)
    return _read_all(tuple(sorted(files.items())), source, "fashion-mnist")


def torchvision_root(path: str | os.PathLike | None = None, root: str | os.PathLike | None = None,
                     download: bool = True) -> Path:
    """A folder that torchvision's ``FashionMNIST(root=...)`` reads without downloading.

    Finds Fashion-MNIST as :func:`read_fashion_mnist` does, verifies it, and writes the four
    decompressed idx files into ``root/FashionMNIST/raw`` (default root: the repository's
    ``data/``), where torchvision looks first. This is how d2l's own
    ``load_data_fashion_mnist`` runs offline from Debian's copy. Files already there and
    verified are left alone. Returns ``root``.
    """
    root = Path(root) if root is not None else REPO_DATA_DIR
    raw_dir = root / _spec("fashion-mnist").folder / "raw"
    files, _ = locate(path, download)
    for name, file in files.items():
        target = raw_dir / name
        if target.is_file():
            read_idx(target, name)          # verified, or CorruptDataError names the file
            continue
        raw, _ = _verified_idx(file, name)  # verify the source, and copy what was verified
        raw_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(raw)
        os.replace(tmp, target)
    return root


def read_mnist(path: str | os.PathLike | None = None, download: bool = True) -> IdxDataset:
    """Find and read MNIST (``$D2L_MNIST``, data/, or torchvision's download; no offline
    system copy exists). Sizes, headers and labels are checked."""
    files, source = locate(path, download, "mnist")
    return _read_all(tuple(sorted(files.items())), source, "mnist")


# ---------------------------------------------------------------- batches on the device

class Batches:
    """An iterable of ``(X, y)`` batches cut from tensors that stay on the device.

    ``X`` is float32 of shape (batch, 1, H, W) with values in [0, 1], resized to
    ``resize`` on the device; ``y`` holds int64 labels. With ``shuffle`` the order
    is a seeded permutation that depends on the epoch only, so a run resumed at
    epoch k sees the same batches as an uninterrupted one (see :meth:`set_epoch`).
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, *,
                 shuffle: bool = False, resize: int | Sequence[int] | None = None,
                 seed: int = 0, drop_last: bool = False, classes: Sequence[str] = CLASSES, augment=None):
        images, labels = torch.as_tensor(images), torch.as_tensor(labels)
        if images.dim() != 3 or labels.dim() != 1 or images.shape[0] != labels.shape[0]:
            raise ValueError(f"images must be (N, H, W) with one label each, labels (N,); got images {tuple(images.shape)} "
                             f"and labels {tuple(labels.shape)}.")
        if labels.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
            raise TypeError(f"labels must be whole class numbers, got {labels.dtype}.")
        labels = labels.long()
        if images.dtype != torch.uint8:
            raise TypeError(f"images must be uint8 (0 to 255, as the idx files hold them), got {images.dtype}: "
                            f"each batch is divided by 255, so other values would be silently wrong; convert "
                            f"images in [0, 1] with (images * 255).round().to(torch.uint8).")
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle is True or False, got {shuffle!r}.")
        if isinstance(classes, str) or not all(isinstance(c, str) for c in classes):
            raise TypeError(f"classes is a list of class names such as ('t-shirt', 'trouser', ...), got {classes!r}.")
        self.images, self.labels = images, labels
        self.batch_size = _whole(batch_size, "batch_size")
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.resize = _size(resize)
        self.classes = tuple(classes)
        if augment is not None and not callable(augment):
            raise TypeError(f"augment is an augment.Augmentation (or a function of a batch and a generator), "
                            f"got {augment!r}.")
        self.augment = augment
        self.epoch = 0

    @property
    def device(self) -> torch.device:
        return self.images.device

    @property
    def num_examples(self) -> int:
        return self.images.shape[0]

    def fingerprint(self) -> str:
        """A short hash of the labels and a sample of the images: two sets of batches with the
        same fingerprint hold the same examples (what a checkpoint compares on resume)."""
        import hashlib

        digest = hashlib.sha256(self.labels.cpu().numpy().tobytes())
        digest.update(self.images[:: max(1, self.num_examples // 512)].cpu().numpy().tobytes())
        return digest.hexdigest()[:16]

    @property
    def input_size(self) -> tuple[int, int]:
        """(height, width) of the images in each batch."""
        return self.resize or tuple(self.images.shape[-2:])

    def __len__(self) -> int:
        full, rest = divmod(self.num_examples, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def set_epoch(self, epoch: int) -> None:
        """Make the next pass use epoch ``epoch``'s shuffled order."""
        self.epoch = epoch

    def order(self, epoch: int) -> torch.Tensor:
        """The order of examples in epoch ``epoch`` (a CPU tensor of indices)."""
        if not self.shuffle:
            return torch.arange(self.num_examples)
        generator = torch.Generator().manual_seed((self.seed * 1_000_003 + epoch) % 2**63)
        return torch.randperm(self.num_examples, generator=generator)

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (B, H, W) to float (B, 1, H', W') in [0, 1], resized as configured."""
        X = images.unsqueeze(1).float().div_(255)
        if self.resize is not None and tuple(X.shape[-2:]) != self.resize:
            shrinking = self.resize[0] < X.shape[-2] or self.resize[1] < X.shape[-1]
            X = F.interpolate(X, size=self.resize, mode="bilinear", align_corners=False, antialias=shrinking)
        return X

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = self.order(self.epoch).to(self.device)
        generator = None
        if self.augment is not None:                  # its own draws per epoch: a resumed run sees the same
            generator = torch.Generator(device=self.device)
            generator.manual_seed((self.seed * 1_000_003 + self.epoch + 7_919) % 2**63)
        self.epoch += 1
        for i in range(len(self)):
            idx = order[i * self.batch_size:(i + 1) * self.batch_size]
            X = self.prepare(self.images[idx])
            yield (X if self.augment is None else self.augment(X, generator)), self.labels[idx]

    def __repr__(self) -> str:
        size = "x".join(map(str, self.resize)) if self.resize else "28x28"
        return (f"Batches({self.num_examples:,} images at {size}, {len(self)} batches of {self.batch_size}, "
                f"shuffle={self.shuffle}, device={self.device.type})")


def _size(resize) -> tuple[int, int] | None:
    """None, one side, or (height, width), checked: each a whole number of at least 1 pixel."""
    if resize is None:
        return None
    if isinstance(resize, numbers.Integral):
        pair = (resize, resize)
    elif isinstance(resize, (tuple, list, torch.Size)):
        pair = tuple(resize)
    else:
        raise TypeError(f"resize is one side or a (height, width) pair of whole numbers, got {resize!r}.")
    if len(pair) != 2:
        raise ValueError(f"resize is one side or a (height, width) pair, got {resize!r}.")
    return tuple(_whole(side, "resize", 1) for side in pair)


def _subset(n: int, k: int | None, seed: int, what: str = "subset") -> torch.Tensor | None:
    if k is None or k == n:
        return None
    if k < 1:
        raise ValueError(f"a subset needs at least one example, got {k}.")
    if k > n:
        raise ValueError(f"{what}={k:,} asks for more images than there are ({n:,}); "
                         f"pass None to use them all, or at most {n:,}.")
    generator = torch.Generator().manual_seed(seed)
    return torch.randperm(n, generator=generator)[:k].sort().values


#: The validation images are always the same ones, whatever a recipe's seed: runs that differ
#: in their seed or settings are compared on one held-out set.
VALIDATION_SEED = 0


class Splits(NamedTuple):
    """Training (shuffled), validation and test batches: choose settings on ``val``, report
    ``test`` once at the end."""

    train: Batches
    val: Batches | None
    test: Batches


def _split(ds: IdxDataset, batch_size: int, resize, *, device, train_subset, test_subset, seed,
           validation: int, augment=None) -> Splits:
    batch_size = _whole(batch_size, "batch_size")
    validation = _whole(validation, "validation", 0)
    for name, k in (("train_subset", train_subset), ("test_subset", test_subset)):
        if k is not None:
            _whole(k, name)
    device = profile.usable_device(device) if device is not None else profile.pick_device()
    n = ds.train_images.shape[0]
    if validation >= n:
        raise ValueError(f"validation={validation:,} would hold out every training image ({n:,}); "
                         f"hold out fewer (5,000 is usual for Fashion-MNIST).")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(VALIDATION_SEED))
    held_out, rest = order[:validation].sort().values, order[validation:].sort().values

    def batches(images, labels, shuffle, augment=None):
        return Batches(images.to(device), labels.to(device), batch_size, shuffle=shuffle, resize=resize,
                       seed=seed, classes=ds.classes, augment=augment)

    keep = _subset(rest.numel(), train_subset, seed, "train_subset")
    train_idx = rest if keep is None else rest[keep]
    val = batches(ds.train_images[held_out], ds.train_labels[held_out], False) if validation else None
    keep = _subset(ds.test_images.shape[0], test_subset, seed, "test_subset")
    test_images, test_labels = (ds.test_images, ds.test_labels) if keep is None else (
        ds.test_images[keep], ds.test_labels[keep])
    return Splits(batches(ds.train_images[train_idx], ds.train_labels[train_idx], True, augment), val,
                  batches(test_images, test_labels, False))


def batches_from(ds: IdxDataset, batch_size: int, resize: int | Sequence[int] | None = None, *,
                 device: torch.device | str | None = None, train_subset: int | None = None,
                 test_subset: int | None = None, seed: int = 0) -> tuple[Batches, Batches]:
    """Training (shuffled) and test batches of a data set read into memory, on ``device``."""
    splits = _split(ds, batch_size, resize, device=device, train_subset=train_subset, test_subset=test_subset,
                    seed=seed, validation=0)
    return splits.train, splits.test


#: scikit-learn's digits: 1,797 images, of which this many are the fixed test set.
DIGITS_TEST = 500


def read_digits() -> IdxDataset:
    """The 1,797 handwritten digits (8×8, 17 grey levels: 0 to 16) that ship with scikit-learn (its
    ``load_digits``, a copy of the UCI "optical recognition of handwritten digits" test set):
    real handwriting available offline, unlike MNIST. Grey levels 0–16 become 0–255 (uint8),
    and a fixed shuffle puts 1,297 images in the training part and :data:`DIGITS_TEST` in the
    test part. Upsample them (``recipe.input_size``) for nets made for 28×28 images."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DataNotFoundError("the digits data set comes with scikit-learn, which is not installed: "
                                "pip install scikit-learn (make lab installs it).") from None
    digits = load_digits()
    images = torch.from_numpy(digits.images).mul(255 / 16).round().to(torch.uint8)
    labels = torch.from_numpy(digits.target).long()
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    train, test = order[:-DIGITS_TEST], order[-DIGITS_TEST:]
    return IdxDataset(images[train], labels[train], images[test], labels[test], source="scikit-learn load_digits",
                      folder=Path(load_digits.__module__), classes=MNIST_CLASSES)


def load_splits(recipe, dataset: str = "fashion-mnist", *, device: torch.device | str | None = None,
                path: str | os.PathLike | None = None, download: bool = True) -> Splits:
    """Training, validation and test batches as ``recipe`` (a ``recipes.Recipe``) asks for them.

    ``recipe.validation`` training images (the same ones for every recipe) are held out as the
    validation set; ``recipe.train_subset`` images are drawn from the rest with ``recipe.seed``;
    every batch has ``recipe.batch_size`` images of ``recipe.input_size`` pixels a side.
    ``dataset`` is ``"fashion-mnist"``, ``"mnist"`` or ``"digits"`` (:func:`read_digits`: real
    handwritten digits that ship with scikit-learn, for when MNIST cannot be downloaded; give
    the recipe a ``validation`` of a few hundred).
    """
    from .recipes import Recipe

    if not isinstance(recipe, Recipe):
        raise TypeError(f"load_splits takes a recipes.Recipe, got {type(recipe).__name__}; "
                        f"e.g. data.load_splits(recipes.for_net('lenet')).")
    readers = {"fashion-mnist": lambda: read_fashion_mnist(path, download),
               "mnist": lambda: read_mnist(path, download), "digits": read_digits}
    if dataset not in readers:
        raise ValueError(f"unknown data set {dataset!r}: choose one of {', '.join(readers)}.")
    ds = readers[dataset]()
    return _split(ds, recipe.batch_size, recipe.input_size, device=device, train_subset=recipe.train_subset,
                  test_subset=recipe.test_subset, seed=recipe.seed, validation=recipe.validation,
                  augment=recipe.augment)


def load_fashion_mnist(batch_size: int, resize: int | Sequence[int] | None = None, *,
                       device: torch.device | str | None = None,
                       train_subset: int | None = None, test_subset: int | None = None,
                       seed: int = 0, path: str | os.PathLike | None = None,
                       download: bool = True) -> tuple[Batches, Batches]:
    """Training and test batches of Fashion-MNIST, like d2l's ``load_data_fashion_mnist``.

    The data go to ``device`` (default: the best one here) once; each batch is
    converted and resized there. ``train_subset``/``test_subset`` keep a seeded
    random sample of that many examples. The training batches are shuffled.
    """
    return batches_from(read_fashion_mnist(path, download), batch_size, resize, device=device,
                        train_subset=train_subset, test_subset=test_subset, seed=seed)


def load_mnist(batch_size: int, resize: int | Sequence[int] | None = None, *,
               device: torch.device | str | None = None,
               train_subset: int | None = None, test_subset: int | None = None,
               seed: int = 0, path: str | os.PathLike | None = None,
               download: bool = True) -> tuple[Batches, Batches]:
    """Training and test batches of MNIST (handwritten digits), as :func:`load_fashion_mnist`.

    Raises :class:`DataNotFoundError`, naming the ways to get MNIST, when it is
    not on this machine and cannot be downloaded.
    """
    return batches_from(read_mnist(path, download), batch_size, resize, device=device,
                        train_subset=train_subset, test_subset=test_subset, seed=seed)


def text_labels(labels: torch.Tensor | Sequence[int]) -> list[str]:
    """Class names for numeric labels, like d2l's ``get_fashion_mnist_labels``."""
    labels = torch.as_tensor(labels)
    if labels.is_floating_point() or (labels.numel() and not 0 <= int(labels.min()) <= int(labels.max()) < 10):
        raise ValueError(f"labels are whole numbers from 0 to 9, got {labels.tolist()}.")
    return [CLASSES[int(i)] for i in labels.flatten()]
