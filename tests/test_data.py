"""d2lhelpers.data: where Fashion-MNIST comes from, how it is checked, how it is served."""
import gzip
import urllib.error
from pathlib import Path

import pytest
import torch

from d2lhelpers import data

NAMES = list(data._COUNTS)


def link_files(files: dict, folder: Path) -> Path:
    """Symbolic links to the real files in ``folder``, named as found."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in files.values():
        (folder / path.name).symlink_to(path)
    return folder


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No data anywhere and no network: each test adds back the one source it checks."""
    monkeypatch.delenv(data.PATH_ENV, raising=False)
    monkeypatch.setattr(data, "REPO_DATA_DIR", tmp_path / "repo-data")
    monkeypatch.setattr(data, "SYSTEM_DIR", tmp_path / "system")
    calls = []

    def no_network(root, folder="FashionMNIST"):
        calls.append(root)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(data, "_download_with_torchvision", no_network)
    return tmp_path, calls


# ---------------------------------------------------------------- resolution order

def test_explicit_path_comes_first(isolated, fashion_files, monkeypatch):
    tmp, _ = isolated
    given = link_files(fashion_files, tmp / "given")
    monkeypatch.setenv(data.PATH_ENV, str(link_files(fashion_files, tmp / "env")))
    link_files(fashion_files, data.SYSTEM_DIR)
    files, source = data.locate(given)
    assert source.startswith("path argument") and files[NAMES[0]].parent == given


def test_environment_variable_comes_next(isolated, fashion_files, monkeypatch):
    tmp, _ = isolated
    env = link_files(fashion_files, tmp / "env")
    monkeypatch.setenv(data.PATH_ENV, str(env))
    link_files(fashion_files, data.REPO_DATA_DIR)
    files, source = data.locate()
    assert source.startswith(f"${data.PATH_ENV}") and files[NAMES[0]].parent == env


def test_explicit_path_without_the_files_is_an_error_not_a_fallback(isolated, fashion_files, monkeypatch):
    tmp, calls = isolated
    link_files(fashion_files, data.SYSTEM_DIR)
    (tmp / "empty").mkdir()
    with pytest.raises(data.DataNotFoundError, match="does not hold the four Fashion-MNIST idx files"):
        data.locate(tmp / "empty")
    monkeypatch.setenv(data.PATH_ENV, str(tmp / "empty"))
    with pytest.raises(data.DataNotFoundError, match=r"\$D2L_FASHION_MNIST"):
        data.locate()
    assert calls == []


def test_repository_data_folder_before_debian_package(isolated, fashion_files):
    raw = link_files(fashion_files, data.REPO_DATA_DIR / "FashionMNIST" / "raw")  # torchvision's layout
    link_files(fashion_files, data.SYSTEM_DIR)
    files, source = data.locate()
    assert source.startswith("the repository's data/ folder") and files[NAMES[0]].parent == raw


def test_debian_package_before_download(isolated, fashion_files):
    _, calls = isolated
    link_files(fashion_files, data.SYSTEM_DIR)
    files, source = data.locate()
    assert source.startswith("Debian's dataset-fashion-mnist package") and calls == []


def test_torchvision_download_when_nothing_is_local(isolated, fashion_files, monkeypatch):
    calls = []

    def fake_download(root, folder):  # what torchvision leaves behind: root/FashionMNIST/raw/*.gz
        calls.append(root)
        link_files(fashion_files, root / "FashionMNIST" / "raw")

    monkeypatch.setattr(data, "_download_with_torchvision", fake_download)
    files, source = data.locate()
    assert calls == [data.REPO_DATA_DIR]
    assert source.startswith("torchvision's download")
    assert files[NAMES[0]].parent == data.REPO_DATA_DIR / "FashionMNIST" / "raw"


def test_offline_with_no_copy_names_every_way_to_get_the_data(isolated):
    _, calls = isolated
    with pytest.raises(data.DataNotFoundError) as info:
        data.locate()
    message = str(info.value)
    assert calls, "the download should have been tried"
    assert "download failed (URLError" in message
    for way in (data.PATH_ENV, "apt-get install dataset-fashion-mnist", "torchvision can download"):
        assert way in message


def test_download_false_does_not_try_the_network(isolated):
    _, calls = isolated
    with pytest.raises(data.DataNotFoundError, match="download=False"):
        data.locate(download=False)
    assert calls == []


# ---------------------------------------------------------------- verification

def test_real_files_load_with_the_right_shapes_and_balanced_classes(fashion_files):
    ds = data.read_fashion_mnist(fashion_files[NAMES[0]].parent)
    assert ds.train_images.shape == (60000, 28, 28) and ds.train_images.dtype == torch.uint8
    assert ds.test_images.shape == (10000, 28, 28) and ds.test_labels.dtype == torch.int64
    assert torch.bincount(ds.train_labels).tolist() == [6000] * 10
    assert torch.bincount(ds.test_labels).tolist() == [1000] * 10
    assert ds.train_labels[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]


def copy_decompressed(files: dict, name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / name
    source = files[name]
    out.write_bytes(gzip.decompress(source.read_bytes()) if source.suffix == ".gz" else source.read_bytes())
    return out


def test_uncompressed_files_are_accepted(fashion_files, tmp_path):
    out = copy_decompressed(fashion_files, "t10k-labels-idx1-ubyte", tmp_path)
    assert data.read_idx(out, "t10k-labels-idx1-ubyte")[:3].tolist() == [9, 2, 1]


def test_truncated_gzip_names_the_file_and_the_fix(fashion_files, tmp_path):
    out = tmp_path / "train-labels-idx1-ubyte.gz"
    out.write_bytes(gzip.compress(copy_decompressed(fashion_files, "train-labels-idx1-ubyte", tmp_path).read_bytes())[:5000])
    with pytest.raises(data.CorruptDataError) as info:
        data.read_idx(out, "train-labels-idx1-ubyte")
    assert str(out) in str(info.value) and "truncated" in str(info.value) and "Delete" in str(info.value)


def test_short_file_reports_its_size(fashion_files, tmp_path):
    out = copy_decompressed(fashion_files, "t10k-labels-idx1-ubyte", tmp_path)
    out.write_bytes(out.read_bytes()[:4000])
    with pytest.raises(data.CorruptDataError, match="holds 4,000 bytes once decompressed, expected 10,008"):
        data.read_idx(out, "t10k-labels-idx1-ubyte")


@pytest.mark.parametrize("offset, value, message", [
    (3, 0x03, "header"),              # magic number of a 3-d array in a label file
    (100, 12, "labels up to 12"),     # a label outside 0..9
    (100, 0, "SHA-256"),              # a valid label, but not the real one
])
def test_changed_bytes_are_caught(fashion_files, tmp_path, offset, value, message):
    out = copy_decompressed(fashion_files, "t10k-labels-idx1-ubyte", tmp_path)
    raw = bytearray(out.read_bytes())
    assert raw[offset] != value
    raw[offset] = value
    out.write_bytes(bytes(raw))
    with pytest.raises(data.CorruptDataError, match=message):
        data.read_idx(out, "t10k-labels-idx1-ubyte")


def test_a_corrupt_file_stops_the_whole_load(fashion_files, tmp_path):
    folder = link_files({k: v for k, v in fashion_files.items() if k != "t10k-labels-idx1-ubyte"}, tmp_path)
    (folder / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01" + bytes(10))
    with pytest.raises(data.CorruptDataError, match="t10k-labels-idx1-ubyte"):
        data.read_fashion_mnist(folder)


# ---------------------------------------------------------------- batches

def synthetic(n=10, size=28):
    images = torch.arange(n * size * size, dtype=torch.int64).remainder(256).to(torch.uint8).reshape(n, size, size)
    return images, torch.arange(n) % 10


def test_batches_shapes_values_and_length():
    images, labels = synthetic(10)
    batches = data.Batches(images, labels, batch_size=4)
    assert len(batches) == 3
    shapes = [(tuple(X.shape), tuple(y.shape)) for X, y in batches]
    assert shapes == [((4, 1, 28, 28), (4,)), ((4, 1, 28, 28), (4,)), ((2, 1, 28, 28), (2,))]
    X, _ = next(iter(batches))
    assert X.dtype == torch.float32 and 0 <= float(X.min()) and float(X.max()) <= 1
    assert torch.equal(X[0, 0], images[0].float() / 255)
    assert len(data.Batches(images, labels, batch_size=4, drop_last=True)) == 2


def test_bad_batches_are_refused():
    images, labels = synthetic(10)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        data.Batches(images, labels, batch_size=0)
    with pytest.raises(ValueError, match=r"images must be \(N, H, W\)"):
        data.Batches(images[:, None], labels, batch_size=2)
    with pytest.raises(ValueError, match="one label each"):
        data.Batches(images, labels[:5], batch_size=2)
    with pytest.raises(TypeError, match="images must be uint8 .* got torch.float32"):
        data.Batches(images.float() / 255, labels, batch_size=2)
    with pytest.raises(TypeError, match="batch_size must be a whole number, got 2.5"):
        data.Batches(images, labels, batch_size=2.5)
    with pytest.raises(TypeError, match="resize is one side or a \\(height, width\\) pair of whole numbers, got 32.0"):
        data.Batches(images, labels, batch_size=2, resize=32.0)
    from_numpy = data.Batches(images.numpy(), labels.numpy(), batch_size=4)   # numpy arrays are taken as they are
    assert torch.equal(next(iter(from_numpy))[0], next(iter(data.Batches(images, labels, 4)))[0])
    with pytest.raises(TypeError, match="shuffle is True or False, got 'no'"):
        data.Batches(images, labels, 4, shuffle="no")
    with pytest.raises(TypeError, match="classes is a list of class names"):
        data.Batches(images, labels, 4, classes="abcd")
    with pytest.raises(ValueError, match="labels are whole numbers from 0 to 9, got \\[10\\]"):
        data.text_labels([10])
    with pytest.raises(ValueError, match="got \\[-1\\]"):
        data.text_labels([-1])


@pytest.mark.parametrize("size", [64, 224, 20])
def test_resize_on_the_device_matches_torchvision_resize(fashion_files, size):
    """Our bilinear resize of the float batch agrees with d2l's pipeline (PIL resize,
    then ToTensor) up to PIL's rounding to uint8 (1/255), growing and shrinking."""
    from torchvision import transforms

    ds = data.read_fashion_mnist(fashion_files[NAMES[0]].parent)
    ours = data.Batches(ds.test_images[:8], ds.test_labels[:8], 8, resize=size)
    X, _ = next(iter(ours))
    assert X.shape == (8, 1, size, size)
    theirs = transforms.Compose([transforms.ToPILImage(), transforms.Resize(size), transforms.ToTensor()])
    reference = torch.stack([theirs(img) for img in ds.test_images[:8]])
    difference = (X - reference).abs()
    assert float(difference.mean()) < 0.001 and float(difference.max()) < 1.2 / 255


def test_shuffling_is_seeded_per_epoch_and_covers_every_example():
    images, labels = synthetic(50)
    a = data.Batches(images, labels, 7, shuffle=True, seed=3)
    b = data.Batches(images, labels, 7, shuffle=True, seed=3)
    epoch0 = torch.cat([y for _, y in a])
    epoch1 = torch.cat([y for _, y in a])
    assert torch.equal(epoch0, torch.cat([y for _, y in b]))  # same seed, same order
    orders = [a.order(e) for e in range(3)]
    assert not torch.equal(orders[0], orders[1])
    assert sorted(orders[1].tolist()) == list(range(50))
    assert torch.equal(torch.cat([y for _, y in a]), labels[orders[2]])  # third pass is epoch 2
    a.set_epoch(1)
    assert torch.equal(torch.cat([y for _, y in a]), epoch1)
    assert not torch.equal(data.Batches(images, labels, 7, shuffle=True, seed=4).order(0), orders[0])
    plain = data.Batches(images, labels, 7)
    assert torch.equal(torch.cat([y for _, y in plain]), labels)


def test_load_fashion_mnist_subsets_resize_and_classes(fashion_files):
    folder = fashion_files[NAMES[0]].parent
    train_iter, test_iter = data.load_fashion_mnist(32, resize=40, train_subset=100, test_subset=50,
                                                    path=folder, device="cpu")
    assert (train_iter.num_examples, test_iter.num_examples) == (100, 50)
    assert (len(train_iter), len(test_iter)) == (4, 2)
    X, y = next(iter(test_iter))
    assert X.shape == (32, 1, 40, 40) and y.dtype == torch.int64
    again, _ = data.load_fashion_mnist(32, train_subset=100, path=folder, device="cpu")
    assert torch.equal(again.labels, train_iter.labels)  # the subset is seeded
    other, _ = data.load_fashion_mnist(32, train_subset=100, path=folder, device="cpu", seed=1)
    assert not torch.equal(other.labels, train_iter.labels)
    assert train_iter.classes[9] == "ankle boot"
    assert data.text_labels(torch.tensor([0, 9])) == ["t-shirt", "ankle boot"]
    with pytest.raises(ValueError, match="train_subset must be at least 1, got 0"):
        data.load_fashion_mnist(32, train_subset=0, path=folder, device="cpu")
    with pytest.raises(ValueError, match=r"test_subset=20,000 asks for more images than there are \(10,000\)"):
        data.load_fashion_mnist(32, test_subset=20_000, path=folder, device="cpu")
    with pytest.raises(TypeError, match="batch_size must be a whole number, got 32.0"):
        data.load_fashion_mnist(32.0, path=folder, device="cpu")
    with pytest.raises(ValueError, match="resize must be at least 1, got 0"):
        data.load_fashion_mnist(32, resize=0, path=folder, device="cpu")


def test_load_splits_holds_out_the_same_validation_images_for_every_recipe(fashion_files):
    from d2lhelpers import recipes

    folder = fashion_files[NAMES[0]].parent
    recipe = recipes.Recipe(batch_size=100, input_size=32, train_subset=1000, validation=5000, seed=0)
    splits = data.load_splits(recipe, path=folder, device="cpu")
    assert (splits.train.num_examples, splits.val.num_examples, splits.test.num_examples) == (1000, 5000, 10_000)
    assert splits.train.batch_size == 100 and splits.train.input_size == (32, 32) and splits.train.shuffle
    assert not splits.val.shuffle and not splits.test.shuffle
    ds = data.read_fashion_mnist(folder)
    # validation and training images come from the training set and never overlap
    def rows(images):
        return {bytes(img.flatten().tolist()) for img in images}
    val, trained = rows(splits.val.images), rows(splits.train.images)
    assert not val & trained and val <= rows(ds.train_images)
    other = data.load_splits(recipe.replace(seed=1, train_subset=None, batch_size=50), path=folder, device="cpu")
    assert torch.equal(other.val.images, splits.val.images)       # the same held-out set, whatever the recipe
    assert other.train.num_examples == 55_000 and not rows(other.train.images[:2000]) & val
    assert torch.bincount(splits.val.labels).min() > 400          # every class is there
    with pytest.raises(ValueError, match=r"train_subset=56,000 asks for more images than there are \(55,000\)"):
        data.load_splits(recipe.replace(train_subset=56_000), path=folder, device="cpu")
    with pytest.raises(TypeError, match="load_splits takes a recipes.Recipe"):
        data.load_splits(128, path=folder)


def test_batches_work_with_d2l_train_ch6(fashion_files, capsys):
    """d2l's own training loop takes our batches (it needs 5 batches or more)."""
    from d2l import torch as d2l
    from torch import nn

    train_iter, test_iter = data.load_fashion_mnist(64, train_subset=320, test_subset=128,
                                                    path=fashion_files[NAMES[0]].parent, device="cpu")
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    d2l.train_ch6(net, train_iter, test_iter, num_epochs=2, lr=0.1, device=torch.device("cpu"))
    out = capsys.readouterr().out
    assert "test acc" in out
    assert d2l.evaluate_accuracy_gpu(net, test_iter) > 0.3


def test_a_corrupt_debian_file_is_fixed_by_reinstalling_not_deleting(fashion_files, tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SYSTEM_DIR", tmp_path)
    out = copy_decompressed(fashion_files, "t10k-labels-idx1-ubyte", tmp_path)
    out.write_bytes(out.read_bytes()[:100])
    with pytest.raises(data.CorruptDataError, match="apt-get install --reinstall dataset-fashion-mnist") as info:
        data.read_idx(out, "t10k-labels-idx1-ubyte")
    assert "Delete" not in str(info.value)


# ---------------------------------------------------------------- MNIST: no offline copy exists

def write_synthetic_mnist(folder: Path) -> Path:
    """Four gzipped idx files of MNIST's sizes: image i is filled with i % 256, label i % 10."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, count in data._COUNTS.items():
        if "images" in name:
            header = (0x803).to_bytes(4, "big") + b"".join(v.to_bytes(4, "big") for v in (count, 28, 28))
            body = torch.arange(count, dtype=torch.int64).remainder(256).to(torch.uint8).repeat_interleave(784)
        else:
            header = (0x801).to_bytes(4, "big") + count.to_bytes(4, "big")
            body = torch.arange(count).remainder(10).to(torch.uint8)
        (folder / f"{name}.gz").write_bytes(gzip.compress(header + body.numpy().tobytes(), compresslevel=1))
    return folder


def test_mnist_loads_from_a_given_folder_with_digit_classes(isolated, monkeypatch):
    tmp, _ = isolated
    folder = write_synthetic_mnist(tmp / "mnist")
    monkeypatch.setenv(data.MNIST_PATH_ENV, str(folder))
    train_iter, test_iter = data.load_mnist(100, train_subset=300, device="cpu")
    assert train_iter.classes == tuple("0123456789") and test_iter.num_examples == 10000
    X, y = next(iter(test_iter))
    assert X.shape == (100, 1, 28, 28) and y[:3].tolist() == [0, 1, 2]
    assert float(X[1].max()) == pytest.approx(1 / 255)


def test_mnist_offline_says_so_and_never_uses_the_fashion_package(isolated, fashion_files, monkeypatch):
    _, calls = isolated
    monkeypatch.delenv(data.MNIST_PATH_ENV, raising=False)
    link_files(fashion_files, data.SYSTEM_DIR)  # Fashion-MNIST's package must not stand in for MNIST
    with pytest.raises(data.DataNotFoundError) as info:
        data.read_mnist()
    message = str(info.value)
    assert "MNIST is not on this machine and torchvision's download failed" in message
    assert data.MNIST_PATH_ENV in message and "No system package provides MNIST offline" in message
    assert "apt-get" not in message
    assert calls == [data.REPO_DATA_DIR]


def test_unknown_data_set_is_refused():
    with pytest.raises(ValueError, match="unknown data set 'cifar'"):
        data.locate(dataset="cifar")


def test_torchvision_root_lets_d2l_and_torchvision_read_offline(isolated, fashion_files):
    import torchvision

    tmp, calls = isolated
    link_files(fashion_files, tmp / "system")           # only Debian's (gzipped) copy is here
    root = data.torchvision_root(root=tmp / "tv")
    raw = root / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(NAMES)
    test_set = torchvision.datasets.FashionMNIST(root=str(root), train=False, download=False)
    assert len(test_set) == 10_000 and test_set.targets[:3].tolist() == [9, 2, 1]
    assert calls == []                                   # nothing was downloaded
    before = (raw / "t10k-labels-idx1-ubyte").stat().st_mtime_ns
    data.torchvision_root(root=tmp / "tv")               # a second call copies nothing
    assert (raw / "t10k-labels-idx1-ubyte").stat().st_mtime_ns == before
    (raw / "t10k-labels-idx1-ubyte").write_bytes(b"\0" * 8)
    with pytest.raises(data.CorruptDataError, match="t10k-labels-idx1-ubyte"):
        data.torchvision_root(root=tmp / "tv")


def test_digits_are_real_handwriting_offline_split_once_for_all():
    ds = data.read_digits()
    assert ds.train_images.shape == (1797 - data.DIGITS_TEST, 8, 8) and ds.test_images.shape == (data.DIGITS_TEST, 8, 8)
    assert ds.train_images.dtype == torch.uint8 and int(ds.train_images.max()) == 255
    assert ds.classes == data.MNIST_CLASSES and set(ds.test_labels.tolist()) == set(range(10))
    again = data.read_digits()
    assert torch.equal(ds.test_images, again.test_images)        # the same fixed test set every time
    from d2lhelpers import recipes

    splits = data.load_splits(recipes.QUICK["lenet"].replace(validation=297), dataset="digits")
    assert (len(splits.train.labels), len(splits.val.labels), len(splits.test.labels)) == (1000, 297, 500)
    assert next(iter(splits.train))[0].shape[-2:] == (28, 28)   # upsampled for LeNet
    with pytest.raises(ValueError, match="unknown data set 'cifar'.*fashion-mnist, mnist, digits"):
        data.load_splits(recipes.QUICK["lenet"], dataset="cifar")
