"""d2lhelpers.train: fit's history, initialisation, checkpoints, small data, errors."""
import re
import sys

import pytest
import torch
from torch import nn

from d2lhelpers import data, recipes, train
from d2lhelpers.checkpoint import CheckpointError


def patches(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Images whose class is the position of a bright 6x6 patch: learnable in a few epochs."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 4, (n,), generator=g)
    images = torch.randint(0, 60, (n, 28, 28), generator=g, dtype=torch.uint8)
    for i, c in enumerate(labels.tolist()):
        r, col = divmod(c, 2)
        images[i, 4 + 14 * r: 10 + 14 * r, 4 + 14 * col: 10 + 14 * col] = 250
    return images, labels


CLASSES = ("top left", "top right", "bottom left", "bottom right")


def loaders(n_train=256, n_val=128, batch_size=64, n_test=None):
    """Training and validation batches (and test batches when ``n_test`` is given)."""
    train_iter = data.Batches(*patches(n_train, 0), batch_size, shuffle=True, seed=0, classes=CLASSES)
    val_iter = data.Batches(*patches(n_val, 1), batch_size, classes=CLASSES)
    if n_test is None:
        return train_iter, val_iter
    return train_iter, val_iter, data.Batches(*patches(n_test, 2), batch_size, classes=CLASSES)


def recipe(**changes):
    """The recipe the small data above are built with: SGD, batch 64, 128 validation images."""
    return recipes.Recipe(lr=0.5, epochs=2, batch_size=64, validation=128).replace(**changes)


QUIET = dict(device="cpu", progress=False, verbose=False)


def small_cnn(lazy=False):
    if lazy:
        return nn.Sequential(nn.LazyConv2d(4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                             nn.LazyLinear(4))
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                         nn.Linear(4 * 7 * 7, 4))


def test_fit_learns_and_returns_one_row_per_epoch(capsys):
    train_iter, val_iter, test_iter = loaders(n_test=64)
    history = train.fit(small_cnn(), train_iter, val_iter, recipe(epochs=4), test_iter=test_iter, device="cpu",
                        progress=False)
    assert list(history.columns) == train.HISTORY_COLUMNS
    assert history["epoch"].tolist() == [1, 2, 3, 4]
    assert history["val_acc"].iloc[-1] > 0.9 and history.attrs["test_acc"] > 0.9
    assert history.attrs["test_examples"] == 64
    assert history["train_loss"].iloc[-1] < history["train_loss"].iloc[0]
    assert (history["seconds"] > 0).all() and (history["examples_per_sec"] > 0).all()
    attrs = history.attrs
    assert attrs["recipe"] == recipe(epochs=4).to_dict() and attrs["device"] == "cpu" and attrs["profile"] == "ci"
    assert (attrs["input_size"], attrs["batch_size"], attrs["train_examples"], attrs["val_examples"]) == (
        (28, 28), 64, 256, 128)
    assert attrs["diagnoses"] == [] and attrs["val_never_predicted"] == []
    out = capsys.readouterr().out
    assert "Training Sequential on cpu, profile 'ci': 256 training images, 128 validation, 4 batches per epoch" in out
    assert "Recipe: SGD lr 0.5, 4 epochs, batch 64, 28 px, Xavier init, bf16 " in out
    assert out.count("epoch ") == 4 and "4/4: train loss" in out  # a line per epoch outside a notebook
    assert "test accuracy" in out and "measured once, after training" in out


def test_fit_works_with_fewer_than_five_batches():
    """d2l.train_ch6 divides by zero here (num_batches // 5 == 0)."""
    train_iter, val_iter = loaders(n_train=40, n_val=20, batch_size=32)
    assert len(train_iter) == 2
    history = train.fit(small_cnn(), train_iter, val_iter, recipe(batch_size=32, validation=20, lr=0.1), **QUIET)
    assert len(history) == 2


def test_xavier_initialisation_reaches_lazy_layers(monkeypatch):
    initialised = []
    real = nn.init.xavier_uniform_

    def spy(tensor, *args, **kwargs):
        initialised.append(tuple(tensor.shape))
        return real(tensor, *args, **kwargs)

    monkeypatch.setattr(nn.init, "xavier_uniform_", spy)
    net = small_cnn(lazy=True)
    train.fit(net, *loaders(), recipe(epochs=1), **QUIET)
    assert initialised == [(4, 1, 3, 3), (4, 4 * 7 * 7)]
    with pytest.raises(ValueError, match="lazy layers"):
        train.init_weights(small_cnn(lazy=True))


def test_kaiming_initialisation_keeps_the_activation_scale_through_relu_layers():
    def deep(scheme):
        torch.manual_seed(0)
        net = nn.Sequential(*[m for _ in range(10) for m in (nn.Conv2d(64, 64, 1), nn.ReLU())])
        train.init_weights(net, scheme=scheme)
        return net(torch.randn(8, 64, 8, 8)).pow(2).mean().item()

    # He init keeps the mean square near that of the input (1); Xavier halves it at every ReLU
    assert 0.3 < deep("kaiming") < 3
    assert deep("xavier") < 0.01
    net = train.init_weights(nn.Sequential(nn.Conv2d(1, 4, 3)), scheme="kaiming")
    assert torch.equal(net[0].bias, torch.zeros(4))
    net = train.init_weights(nn.Sequential(nn.Conv2d(1, 4, 3), nn.Linear(4, 2)), scheme="kaiming", bias=0.1)
    assert torch.equal(net[0].bias, torch.full((4,), 0.1)) and torch.equal(net[1].bias, torch.full((2,), 0.1))
    with pytest.raises(ValueError, match="choose one of xavier, kaiming"):
        train.init_weights(net, scheme="he")
    net = small_cnn(lazy=True)
    history = train.fit(net, *loaders(), recipe(epochs=1, init="kaiming", init_bias=0.05), **QUIET)
    assert len(history) == 1 and net[0].bias.detach().tolist() != [0.05] * 4  # trained from 0.05


def test_seeded_runs_are_identical_and_the_seed_matters():
    columns = ["train_loss", "train_acc", "val_loss", "val_acc"]
    runs = [train.fit(small_cnn(), *loaders(), recipe(), **QUIET) for _ in range(2)]
    assert runs[0][columns].equals(runs[1][columns])
    other = train.fit(small_cnn(), *loaders(), recipe(seed=1), **QUIET)
    assert not other[columns].equals(runs[0][columns])


def dropout_bn_cnn():
    """A net whose training and evaluation differ: dropout (random) and batch normalization."""
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(4),
                         nn.Flatten(), nn.Dropout(0.5), nn.Linear(4 * 7 * 7, 4))


class StopAfter:
    """Batches that raise KeyboardInterrupt before epoch ``epochs`` (a student pressing stop)."""

    def __init__(self, inner, epochs):
        self.inner, self.left = inner, epochs
        self.batch_size, self.num_examples, self.classes = inner.batch_size, inner.num_examples, inner.classes
        self.input_size = inner.input_size

    def __len__(self):
        return len(self.inner)

    def set_epoch(self, epoch):
        if epoch >= self.left:
            raise KeyboardInterrupt
        self.inner.set_epoch(epoch)

    def __iter__(self):
        return iter(self.inner)


@pytest.mark.parametrize("make_net", [small_cnn, dropout_bn_cnn], ids=["plain", "dropout+batchnorm"])
def test_resuming_a_checkpoint_equals_an_uninterrupted_run(tmp_path, capsys, make_net):
    """Dropout draws random numbers every batch: without the saved random state the resumed run
    would differ. Momentum and the one-cycle schedule must come back too."""
    columns = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc"]
    run = recipe(epochs=3, lr=0.3, momentum=0.9, schedule="onecycle")
    straight_net = make_net()
    straight = train.fit(straight_net, *loaders(), run, **QUIET)

    ckpt = tmp_path / "stopped.pt"
    train_iter, val_iter = loaders()
    with pytest.raises(KeyboardInterrupt):
        train.fit(make_net(), StopAfter(train_iter, 2), val_iter, run, checkpoint=ckpt, **QUIET)
    assert not (tmp_path / "stopped.pt.lock").exists()  # an interrupted run leaves no lock
    resumed_net = make_net()
    resumed = train.fit(resumed_net, *loaders(), run, checkpoint=ckpt, device="cpu", progress=False)
    assert "Loaded stopped.pt: 2 epoch(s) done, training 1 more." in capsys.readouterr().out
    assert resumed[columns].equals(straight[columns])
    for a, b in zip(resumed_net.state_dict().values(), straight_net.state_dict().values()):
        assert torch.equal(a, b)


def test_a_finished_checkpoint_loads_without_training(tmp_path, capsys):
    ckpt = tmp_path / "net.pt"
    first_net = small_cnn()
    first = train.fit(first_net, *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    train_iter, val_iter = loaders()
    passes = []
    train_iter.set_epoch = lambda epoch: passes.append(epoch)
    net = small_cnn()
    again = train.fit(net, train_iter, val_iter, recipe(), checkpoint=ckpt, device="cpu", progress=False)
    assert passes == [] and again.equals(first)
    out = capsys.readouterr().out
    assert "Loaded net.pt: 2 epoch(s) done." in out
    # the loaded run's output still names what produced it: the device, profile and recipe
    assert "Trained Sequential on cpu, profile 'ci', all 2 epoch(s) in the checkpoint" in out
    assert f"Recipe: {recipe().describe('cpu')}" in out
    for a, b in zip(net.state_dict().values(), first_net.state_dict().values()):
        assert torch.equal(a, b)


def test_more_epochs_continue_a_run_without_schedule_and_equal_a_longer_one(tmp_path):
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(epochs=2), checkpoint=ckpt, **QUIET)
    continued = train.fit(small_cnn(), *loaders(), recipe(epochs=3), checkpoint=ckpt, **QUIET)
    longer = train.fit(small_cnn(), *loaders(), recipe(epochs=3), **QUIET)
    columns = ["train_loss", "train_acc", "val_loss", "val_acc"]
    assert continued[columns].equals(longer[columns])


# ---------------------------------------------------------------- a changed run is never mixed with the old one

@pytest.mark.parametrize("change, named", [
    (dict(lr=0.01), "lr 0.5 there, 0.01 here"),
    (dict(optimizer="adam", lr=0.5), "optimizer sgd there, adam here"),
    (dict(epochs=1), "epochs 2 there, 1 here"),
    (dict(schedule="onecycle", epochs=3), "schedule None there, onecycle here"),
    (dict(seed=3), "seed 0 there, 3 here"),
    (dict(train_subset=128), "train_subset None there, 128 here"),
])
def test_resuming_with_another_recipe_is_refused_naming_the_difference(tmp_path, change, named):
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    before = ckpt.read_bytes()
    train_iter, val_iter = loaders()
    if "train_subset" in change:
        train_iter = data.Batches(*patches(128, 0), 64, shuffle=True, classes=CLASSES)
    with pytest.raises(CheckpointError) as err:
        train.fit(small_cnn(), train_iter, val_iter, recipe(**change), checkpoint=ckpt, **QUIET)
    message = str(err.value)
    assert named in message and "restart=True" in message and "net-2.pt" in message and "\n" not in message
    assert ckpt.read_bytes() == before  # nothing lost


def test_resuming_another_net_with_the_same_shapes_is_refused(tmp_path):
    """Sigmoid and ReLU nets have identical parameter shapes: load_state_dict alone would accept it."""
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    sigmoid = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Sigmoid(), nn.MaxPool2d(4), nn.Flatten(),
                            nn.Linear(4 * 7 * 7, 4))
    with pytest.raises(CheckpointError, match=r"the network differs at line 3 of print\(net\): "
                                              r"'\(1\): ReLU\(\)' there, '\(1\): Sigmoid\(\)' here"):
        train.fit(sigmoid, *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    other = nn.Sequential(nn.Flatten(), nn.Linear(784, 4))
    with pytest.raises(CheckpointError, match="the network"):
        train.fit(other, *loaders(), recipe(), checkpoint=ckpt, **QUIET)


def test_restart_trains_from_scratch_and_replaces_the_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    history = train.fit(small_cnn(), *loaders(), recipe(lr=0.1), checkpoint=ckpt, restart=True, device="cpu",
                        progress=False)
    assert "restart=True: training from scratch" in capsys.readouterr().out
    assert len(history) == 2 and train.load_history(ckpt).attrs["recipe"]["lr"] == 0.1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json", "net.pt"]  # no temporary file left


def test_a_history_always_matches_the_weights(tmp_path):
    """Fewer epochs than saved is another run: refused, never an 8-row checkpoint shown as 2 rows."""
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(epochs=3), checkpoint=ckpt, **QUIET)
    with pytest.raises(CheckpointError, match="holds 3 epoch\\(s\\) of another run.*epochs 3 there, 2 here"):
        train.fit(small_cnn(), *loaders(), recipe(epochs=2), checkpoint=ckpt, **QUIET)


@pytest.mark.parametrize("content, message", [
    (b"", "cannot be read as a checkpoint"),
    (b"not a zip file at all", "cannot be read as a checkpoint"),
    ("truncated", "cannot be read as a checkpoint"),
    ("state_dict", "holds plain weights \\(a state_dict\\)"),
    ("foreign", "is not a checkpoint written by fit"),
    ("old", "written by an older version of d2lhelpers"),
    ("payload", "not loaded, for safety"),
])
def test_an_unreadable_checkpoint_gets_one_clear_error(tmp_path, content, message):
    ckpt = tmp_path / "net.pt"
    if content == "truncated":
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
        ckpt.write_bytes(ckpt.read_bytes()[:300])
    elif content == "state_dict":
        torch.save(small_cnn().state_dict(), ckpt)
    elif content == "foreign":
        torch.save({"weights": [1, 2, 3]}, ckpt)
    elif content == "old":  # the format before recipes were saved
        torch.save({"model": small_cnn().state_dict(), "history": [], "optimizer": {}}, ckpt)
    elif content == "payload":
        torch.save({"model": {}, "history": [], "payload": Exploit()}, ckpt)
    else:
        ckpt.write_bytes(content)
    before = ckpt.read_bytes()
    with pytest.raises(CheckpointError) as err:
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    assert str(ckpt) in str(err.value) and "\n" not in str(err.value)
    assert re.search(message, str(err.value)), str(err.value)
    assert not EXPLOITED
    if content == "old":   # fit's own file, of an older version: a restart may replace it
        assert "restart=True" in str(err.value)
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, restart=True, **QUIET)
    else:                  # not fit's: never suggested for replacing, and restart=True refuses too
        assert "restart=True" not in str(err.value) and "left alone" in str(err.value)
        with pytest.raises(CheckpointError, match="restart=True would replace .* which fit did not write"):
            train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, restart=True, **QUIET)
        assert ckpt.read_bytes() == before
    assert not EXPLOITED


EXPLOITED = []


class Exploit:
    """A pickled object that would run code when loaded without weights_only."""

    def __reduce__(self):
        return (EXPLOITED.append, ("ran",))


def test_a_read_only_checkpoint_folder_fails_before_the_first_epoch(tmp_path):
    import os

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    train_iter, val_iter = loaders()
    passes = []
    train_iter.set_epoch = lambda epoch: passes.append(epoch)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: permissions do not stop writing")
        with pytest.raises(PermissionError, match="cannot write the checkpoint .*ro/net.pt"):
            train.fit(small_cnn(), train_iter, val_iter, recipe(), checkpoint=folder / "net.pt", **QUIET)
        assert passes == []
    finally:
        folder.chmod(0o700)


def test_a_file_where_the_folder_should_be_fails_before_the_first_epoch(tmp_path):
    (tmp_path / "blocker").write_text("a file, not a folder")
    with pytest.raises(PermissionError, match="cannot write the checkpoint"):
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=tmp_path / "blocker" / "net.pt", **QUIET)


def test_two_runs_on_one_checkpoint_are_kept_apart(tmp_path):
    import subprocess
    import sys

    ckpt = tmp_path / "net.pt"
    # another live process holds the lock: this run must not write the same file
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        import socket

        (tmp_path / "net.pt.lock").write_text(f"{socket.gethostname()} {holder.pid}")
        with pytest.raises(RuntimeError, match=f"another training run \\(process .* {holder.pid}\\) is writing"):
            train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    finally:
        holder.kill()
        holder.wait()
    # the holder died without cleaning up: its stale lock is taken over
    history = train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    assert len(history) == 2 and not (tmp_path / "net.pt.lock").exists()


def test_temporary_files_are_unique_per_write(tmp_path, monkeypatch):
    from d2lhelpers import checkpoint

    names = []
    real = checkpoint.tempfile.mkstemp

    def spy(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        names.append(name)
        return fd, name

    monkeypatch.setattr(checkpoint.tempfile, "mkstemp", spy)
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=tmp_path / "net.pt", **QUIET)
    assert len(names) == len(set(names)) >= 4 and all(".tmp" in n or ".probe" in n for n in names)


# ---------------------------------------------------------------- evaluation, and nets whose modes differ

def test_evaluate_uses_eval_mode_and_leaves_batch_norm_statistics_alone():
    """With dropout 0.5 and batch normalization, a training-mode evaluation gives other numbers
    (and moves the running statistics): evaluate must switch to eval mode."""
    net = dropout_bn_cnn()
    train.fit(net, *loaders(), recipe(epochs=2), **QUIET)
    _, val_iter = loaders()
    stats = {k: v.clone() for k, v in net.state_dict().items()}
    loss, acc = train.evaluate(net, val_iter)
    assert all(torch.equal(v, stats[k]) for k, v in net.state_dict().items())
    net.eval()
    with torch.no_grad():
        X, y = val_iter.images, val_iter.labels
        expected = nn.functional.cross_entropy(net(val_iter.prepare(X)), y).item()
        import copy

        twin = copy.deepcopy(net).train()   # a training-mode pass would move net's statistics
        torch.manual_seed(1)
        in_training_mode = nn.functional.cross_entropy(twin(val_iter.prepare(X)), y).item()
    assert loss == pytest.approx(expected, rel=1e-5)
    assert abs(in_training_mode - expected) > 1e-3
    assert train.evaluate(net, val_iter) == (loss, acc)  # repeatable: no randomness in evaluation


def test_evaluate_and_predict():
    train_iter, val_iter = loaders()
    net = small_cnn()
    train.fit(net, train_iter, val_iter, recipe(epochs=3), **QUIET)
    loss, acc = train.evaluate(net, val_iter)
    X, y = next(iter(val_iter))
    predicted = train.predict(net, X)
    assert acc > 0.9 and loss > 0 and predicted.shape == y.shape
    assert float((predicted == y).float().mean()) > 0.8


# ---------------------------------------------------------------- early, friendly errors

def test_bad_arguments_are_refused_with_one_line_each():
    train_iter, val_iter = loaders()
    with pytest.raises(TypeError, match="fourth argument is a recipes.Recipe"):
        train.fit(small_cnn(), train_iter, val_iter, 3, device="cpu")
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        recipe(epochs=0)
    with pytest.raises(TypeError, match="batch_size must be a whole number"):
        recipe(batch_size=64.0)
    with pytest.raises(ValueError, match="choose one of 'sgd', 'adam', 'adamw'"):
        recipe(optimizer="rmsprop")
    with pytest.raises(TypeError, match="a recipe has no field num_epochs"):
        recipe().replace(num_epochs=3)
    with pytest.raises(ValueError, match="the training batches do not match the recipe: batch_size 64 in the "
                                         "batches, 128 in the recipe"):
        train.fit(small_cnn(), train_iter, val_iter, recipe(batch_size=128), device="cpu")
    with pytest.raises(ValueError, match="the validation batches hold 128 images, the recipe says validation=5,000"):
        train.fit(small_cnn(), train_iter, val_iter, recipe(validation=5000), device="cpu")
    empty = data.Batches(*patches(10), 64, drop_last=True, classes=CLASSES)
    with pytest.raises(ValueError, match="no batches"):
        train.fit(small_cnn(), empty, val_iter, recipe(), device="cpu")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        train.fit(small_cnn(), train_iter, val_iter, recipe(), device="cuda")
    with pytest.raises(ValueError, match="not a device torch knows"):
        train.fit(small_cnn(), train_iter, val_iter, recipe(), device="gpu")
    with pytest.raises(TypeError, match="meta must hold plain values"):
        train.fit(small_cnn(), train_iter, val_iter, recipe(), device="cpu", meta={"net": small_cnn()})


def test_the_first_batch_catches_a_wrong_output_count_or_input_size():
    with pytest.raises(ValueError, match=r"outputs shape \(2, 10\) .* the data has 4 classes.*LazyLinear\(4\)"):
        train.fit(nn.Sequential(nn.Flatten(), nn.LazyLinear(10)), *loaders(), recipe(), **QUIET)
    tiny = data.Batches(*patches(128, 0), 64, shuffle=True, resize=8, classes=CLASSES)
    val = data.Batches(*patches(128, 1), 64, resize=8, classes=CLASSES)
    from d2lhelpers import models

    with pytest.raises(ValueError, match=r"cannot take inputs of shape \(1, 8, 8\).*models.MIN_SIZE: lenet 12"):
        train.fit(models.lenet(4), tiny, val, recipe(input_size=8), **QUIET)


def test_divergence_is_reported_with_the_optimisers_real_learning_rate():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 4))
    with pytest.raises(FloatingPointError, match=r"became nan in epoch 1: SGD was stepping with learning rate "
                                                 r"1e\+38, too high"):
        train.fit(net, *loaders(), recipe(lr=1e38), **QUIET)
    # with a schedule the rate in force is the schedule's, not the recipe's peak
    with pytest.raises(FloatingPointError) as err:
        train.fit(nn.Sequential(nn.Flatten(), nn.Linear(784, 4)), *loaders(), recipe(lr=1e38, schedule="cosine"),
                  **QUIET)
    quoted = float(re.search(r"learning rate (\S+), too high", str(err.value)).group(1))
    assert 0 < quoted < 1e38


def test_checkpoint_path_is_per_profile():
    assert train.checkpoint_path("lenet", "quick").name == "lenet-quick.pt"
    assert train.checkpoint_path("lenet").name == "lenet-ci.pt"  # the test suite's profile
    assert train.checkpoint_path("lenet").parent.name == "checkpoints"
    with pytest.raises(ValueError, match="plain file name"):
        train.checkpoint_path("../lenet")


def test_confusion_matrix_counts_truth_by_prediction():
    class Constant(nn.Module):  # always predicts class 2
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(1))

        def forward(self, X):
            return torch.nn.functional.one_hot(torch.full((X.shape[0],), 2), 4).float() + self.w

    test_iter = data.Batches(*patches(50, 1), 16)
    counts = train.confusion_matrix(Constant(), test_iter, num_classes=4)
    assert counts.sum() == 50 and counts[:, 2].tolist() == torch.bincount(test_iter.labels, minlength=4).tolist()
    assert counts[:, [0, 1, 3]].sum() == 0


def test_bf16_autocast_and_channels_last_paths_train():
    """The settings fit turns on for CUDA, exercised on the CPU (where they also work)."""
    history = train.fit(small_cnn(), *loaders(), recipe(epochs=3, bf16=True, channels_last=True), **QUIET)
    assert history["val_acc"].iloc[-1] > 0.8
    assert "bf16 on, channels_last on" in history.attrs["recipe_line"]
    _, val_iter = loaders()
    loss, acc = train.evaluate(small_cnn().eval(), val_iter, "cpu", amp=True, channels_last=True)
    assert 0 <= acc <= 1 and loss > 0


def test_load_history_reads_the_json_beside_the_checkpoint_without_weights(tmp_path, monkeypatch):
    ckpt = tmp_path / "net.pt"
    train_iter, val_iter, test_iter = loaders(n_test=64)
    history = train.fit(small_cnn(), train_iter, val_iter, recipe(), test_iter=test_iter, checkpoint=ckpt,
                        profile_name="quick", meta={"net": "small CNN"}, **QUIET)
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("load_history must not load weights"))
    loaded = train.load_history(ckpt)
    assert loaded.equals(history)
    for key in ("recipe", "recipe_line", "input_size", "batch_size", "train_examples", "val_examples", "classes",
                "net", "device", "profile", "test_acc", "test_loss", "test_examples"):
        assert loaded.attrs[key] == history.attrs[key], key
    assert loaded.attrs["profile"] == "quick" and loaded.attrs["net"] == "small CNN"
    with pytest.raises(FileNotFoundError, match="run the notebook that trains this network"):
        train.load_history(tmp_path / "missing.pt")


def test_a_loaded_finished_run_names_the_device_that_trained_it(tmp_path):
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    state = torch.load(ckpt, weights_only=True)
    state["device"] = "cuda (NVIDIA H100)"
    torch.save(state, ckpt)
    again = train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    assert again.attrs["device"] == "cuda (NVIDIA H100)"


# ---------------------------------------------------------------- what a new user tried (and what it gives now)

def test_numpy_numbers_in_a_recipe_are_saved_and_resumed(tmp_path):
    import numpy as np

    run = recipe(lr=np.logspace(-1, 0, 3)[1], epochs=np.int64(2), bf16=np.bool_(False))
    assert type(run.lr) is float and type(run.epochs) is int and run.bf16 is False
    ckpt = tmp_path / "net.pt"
    first = train.fit(small_cnn(), *loaders(), run, checkpoint=ckpt, **QUIET)
    again = train.fit(small_cnn(), *loaders(), run, checkpoint=ckpt, **QUIET)
    assert again.equals(first)
    with pytest.raises(ValueError, match="seed must be at most 4,294,967,295"):
        recipe(seed=2**70)


def test_a_users_files_beside_a_checkpoint_are_never_replaced(tmp_path):
    notes = tmp_path / "model.json"
    notes.write_text('{"my": "notes"}')
    with pytest.raises(CheckpointError, match="model.json exists and is not the history fit writes.*left alone"):
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=tmp_path / "model.pt", **QUIET)
    assert notes.read_text() == '{"my": "notes"}' and not (tmp_path / "model.pt").exists()
    with pytest.raises(ValueError, match="a checkpoint file ends in .pt"):
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=tmp_path / "results.csv", **QUIET)
    with pytest.raises(ValueError, match="is a folder; a checkpoint is a file"):
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=tmp_path, **QUIET)
    with pytest.raises(ValueError, match="is a folder"):
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=str(tmp_path / "runs") + "/", **QUIET)


def test_a_home_folder_path_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint="~/net.pt", **QUIET)
    assert (tmp_path / "net.pt").exists() and not (tmp_path / "~").exists()


def test_a_restart_never_keeps_the_old_runs_test_result(tmp_path):
    ckpt = tmp_path / "net.pt"
    train_iter, val_iter, test_iter = loaders(n_test=64)
    train.fit(small_cnn(), train_iter, val_iter, recipe(epochs=1), test_iter=test_iter, checkpoint=ckpt, **QUIET)
    assert "test_acc" in train.load_history(ckpt).attrs
    train.fit(small_cnn(), *loaders(), recipe(epochs=1, lr=1e-5), checkpoint=ckpt, restart=True, **QUIET)
    assert "test_acc" not in train.load_history(ckpt).attrs


def test_resuming_with_another_loss_or_other_data_is_refused(tmp_path):
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    with pytest.raises(CheckpointError, match="the loss CrossEntropyLoss there, "
                                              "CrossEntropyLoss\\(label_smoothing=0.9\\) here"):
        train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, loss=nn.CrossEntropyLoss(label_smoothing=0.9),
                  **QUIET)
    fewer = data.Batches(*patches(128, 0), 64, shuffle=True, classes=CLASSES)
    _, val_iter = loaders()
    with pytest.raises(CheckpointError, match="training images 256 there, 128 here"):
        train.fit(small_cnn(), fewer, val_iter, recipe(), checkpoint=ckpt, **QUIET)


def test_batches_of_other_kinds_are_checked_against_the_recipe():
    from torch.utils.data import DataLoader, TensorDataset

    images, labels = patches(256, 0)
    X = images.float().unsqueeze(1) / 255
    _, val_iter = loaders()
    loader = DataLoader(TensorDataset(X, labels), batch_size=64, shuffle=True)
    history = train.fit(small_cnn(), loader, val_iter, recipe(), **QUIET)
    assert history.attrs["train_examples"] == 256 and len(history) == 2
    big = DataLoader(TensorDataset(nn.functional.interpolate(X, size=56), labels), batch_size=64)
    with pytest.raises(ValueError, match="the training images are 56x56 pixels, the recipe says input_size=28"):
        train.fit(small_cnn(), big, val_iter, recipe(), **QUIET)
    with pytest.raises(ValueError, match="the training batches hold 32 images, the recipe says batch_size=64"):
        train.fit(small_cnn(), [(X[:32], labels[:32])] * 4, val_iter, recipe(), **QUIET)
    with pytest.raises(ValueError, match="the validation batches hold 64 images, the recipe says validation=128"):
        train.fit(small_cnn(), loader, DataLoader(TensorDataset(X[:64], labels[:64]), batch_size=64), recipe(), **QUIET)
    with pytest.raises(TypeError, match="the training images are torch.uint8; the net needs floating-point"):
        train.fit(small_cnn(), [(images[:64, None], labels[:64])] * 4, val_iter, recipe(), **QUIET)
    with pytest.raises(ValueError, match="the training images reach 250: they look like 0-255 pixel values"):
        train.fit(small_cnn(), [(X[:64] * 255, labels[:64])] * 4, val_iter, recipe(), **QUIET)
    with pytest.raises(TypeError, match="labels must be a 1-D int64 tensor .* torch.int32"):
        train.fit(small_cnn(), [(X[:64], labels[:64].int())] * 4, val_iter, recipe(), **QUIET)
    with pytest.raises(ValueError, match="the training labels run from 0 to 6, but the net has 4 outputs"):
        train.fit(small_cnn(), [(X[:64], labels[:64] * 2)] * 4, val_iter, recipe(), **QUIET)


def test_other_wrong_arguments_get_one_line():
    with pytest.raises(TypeError, match="nn.CrossEntropyLoss\\(\\) \\(with the parentheses\\)"):
        train.fit(small_cnn(), *loaders(), recipe(), loss=nn.CrossEntropyLoss, **QUIET)
    with pytest.raises(ValueError, match="the net has no parameters to train"):
        train.fit(nn.Sequential(nn.Flatten()), *loaders(), recipe(), **QUIET)
    with pytest.raises(TypeError, match="callbacks is a list of Callback objects"):
        train.fit(small_cnn(), *loaders(), recipe(), callbacks=train.Callback(), **QUIET)
    with pytest.raises(TypeError, match="callbacks is a list of Callback objects"):
        train.fit(small_cnn(), *loaders(), recipe(), callbacks=[train.Callback], **QUIET)
    with pytest.raises(ValueError, match="beyond num_classes=3"):
        train.confusion_matrix(small_cnn(), loaders()[1], num_classes=3)


def test_load_history_takes_a_checkpoint_name_as_fit_does(tmp_path, monkeypatch):
    monkeypatch.setattr(train, "CHECKPOINT_DIR", tmp_path)
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint="tiny", **QUIET)
    assert (tmp_path / "tiny-ci.pt").exists() and len(train.load_history("tiny")) == 2


def test_resuming_on_other_images_of_the_same_count_is_refused(tmp_path):
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    other = data.Batches(*patches(256, 7), 64, shuffle=True, classes=CLASSES)   # 256 other images
    _, val_iter = loaders()
    with pytest.raises(CheckpointError, match="the training images' fingerprint .* there, .* here"):
        train.fit(small_cnn(), other, val_iter, recipe(), checkpoint=ckpt, **QUIET)


def test_validation_batches_of_another_data_set_are_refused():
    train_iter, _ = loaders()
    digits = data.Batches(*patches(128, 1), 64, classes=tuple("0123"))
    with pytest.raises(ValueError, match="the training and validation batches name other classes"):
        train.fit(small_cnn(), train_iter, digits, recipe(), **QUIET)


def test_points_within_epochs_average_to_the_epoch_and_survive_the_checkpoint(tmp_path):
    """20 batches an epoch, 2 epochs: 10 points an epoch, each the mean of 2 batches."""
    train_iter, val_iter = loaders(n_train=640, n_val=64, batch_size=32)
    ckpt = tmp_path / "net.pt"
    history = train.fit(small_cnn(), train_iter, val_iter, recipe(batch_size=32, validation=64, lr=0.1),
                        checkpoint=ckpt, **QUIET)
    steps = history.attrs["steps"]
    assert [p["epoch"] for p in steps] == pytest.approx([0.1 * k for k in range(1, 21)])
    for epoch in (1, 2):
        points = [p for p in steps if epoch - 1 < p["epoch"] <= epoch]
        row = history.iloc[epoch - 1]
        assert sum(p["train_loss"] for p in points) / 10 == pytest.approx(row.train_loss, rel=1e-5)
        assert sum(p["train_acc"] for p in points) / 10 == pytest.approx(row.train_acc, rel=1e-6)
    assert train.load_history(ckpt).attrs["steps"] == steps


def test_a_resumed_run_keeps_the_points_of_its_first_epochs(tmp_path):
    train_iter, val_iter = loaders()
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), train_iter, val_iter, recipe(epochs=1), checkpoint=ckpt, **QUIET)
    history = train.fit(small_cnn(), train_iter, val_iter, recipe(epochs=3), checkpoint=ckpt, **QUIET)
    epochs = [p["epoch"] for p in history.attrs["steps"]]
    assert epochs == sorted(epochs) and epochs[0] < 1 and epochs[-1] == 3 and any(1 < e < 2 for e in epochs)


def test_a_dry_run_trains_a_few_batches_and_keeps_no_checkpoint(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("D2L_DRY_RUN", "2")
    train_iter, val_iter, test_iter = loaders(n_train=640, n_val=256, batch_size=32, n_test=256)
    ckpt = tmp_path / "net.pt"
    history = train.fit(small_cnn(), train_iter, val_iter, recipe(batch_size=32, validation=256),
                        test_iter=test_iter, checkpoint=ckpt, device="cpu", progress=False)
    assert not ckpt.exists() and not ckpt.with_suffix(".json").exists()
    assert history.examples_per_sec.notna().all()
    assert [p["epoch"] for p in history.attrs["steps"]] == [0.5, 1.0, 1.5, 2.0]   # 2 batches an epoch
    assert "Dry run (D2L_DRY_RUN=2): at most 2 epochs of 2 batch(es)" in capsys.readouterr().out
    longer = train.fit(small_cnn(), train_iter, val_iter, recipe(batch_size=32, validation=256, epochs=5), **QUIET)
    assert len(longer) == 2            # a dry run stops after 2 epochs whatever the recipe says
    counts = train.confusion_matrix(small_cnn(), val_iter, num_classes=4)
    assert counts.sum() == 2 * 32   # every pass over data is capped
    monkeypatch.setenv("D2L_DRY_RUN", "two")
    with pytest.raises(ValueError, match="D2L_DRY_RUN='two': give a whole number of batches of at least 1"):
        train.fit(small_cnn(), train_iter, val_iter, recipe(batch_size=32, validation=256), **QUIET)


def test_a_run_loaded_from_its_checkpoint_is_drawn_once(tmp_path, monkeypatch):
    from d2lhelpers import plot

    drawn = []
    monkeypatch.setattr(plot, "plot_history", lambda history, *a, **k: drawn.append(len(history)))
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, **QUIET)
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, live_plot=True, **QUIET)
    train.fit(small_cnn(), *loaders(), recipe(), checkpoint=ckpt, live_plot=False, **QUIET)
    assert drawn == [2]


def test_seconds_per_step_times_a_real_training_step_and_updates_the_weights():
    made, initial = [], []

    def build():
        made.append(small_cnn())
        initial.append({k: v.clone() for k, v in made[-1].state_dict().items()})
        return made[-1]

    seconds = train.seconds_per_step(build, 28, recipe(), steps=2, batch_size=8, device="cpu", num_classes=4)
    assert 0 < seconds < 10
    assert any(not torch.equal(initial[0][k], v) for k, v in made[0].state_dict().items())   # the steps updated it
    with pytest.raises(ValueError, match="steps is how many steps"):
        train.seconds_per_step(build, 28, recipe(), steps=0, device="cpu")


def test_describe_confusions_names_the_right_count_missing_classes_and_top_mistakes():
    counts = torch.tensor([[5, 2, 0], [0, 7, 0], [3, 0, 0]])       # class c is never predicted
    text = train.describe_confusions(counts, ["a", "b", "c"], k=2)
    lines = text.splitlines()
    assert lines[0] == "12 of 17 images right; classes never predicted: c; the most frequent confusions:"
    assert lines[1:] == ["   3 × c           taken for a", "   2 × a           taken for b"]
    with pytest.raises(ValueError, match="counts has shape \\(3, 3\\) but there are 2 class names"):
        train.describe_confusions(counts, ["a", "b"])


def test_evaluate_in_training_mode_uses_batch_statistics_moves_them_and_leaves_eval_mode():
    net = dropout_bn_cnn()
    train.fit(net, *loaders(), recipe(epochs=2), **QUIET)
    _, val_iter = loaders()
    running = net[1].running_mean.clone()
    in_eval = train.evaluate(net, val_iter)
    torch.manual_seed(1)
    in_training = train.evaluate(net, val_iter, train_mode=True)
    assert in_training[0] != pytest.approx(in_eval[0], rel=1e-3)
    assert not torch.equal(net[1].running_mean, running)      # training mode moved the running statistics
    assert not net.training                                  # and the net is back in evaluation mode


def test_describe_runs_gives_a_line_per_run_with_losses_accuracy_and_classes_never_predicted():
    runs = {"short": train.fit(small_cnn(), *loaders(), recipe(epochs=1, lr=1e-4), **QUIET),
            "longer label": train.fit(small_cnn(), *loaders(), recipe(epochs=2), **QUIET)}
    lines = train.describe_runs(runs).splitlines()
    assert len(lines) == 2 and lines[0].startswith("short        training loss: first point ")
    h = runs["longer label"]
    assert f"validation accuracy {h.val_acc.iloc[-1]:.3f}; classes never predicted " \
           f"{len(h.attrs['val_never_predicted'])}; " in lines[1]
    with pytest.raises(ValueError, match="no runs"):
        train.describe_runs({})


def test_fit_quietly_trains_on_the_recipes_own_splits_and_loads_its_checkpoint(fashion_files, tmp_path, capsys):
    small = recipes.Recipe(lr=1e-3, optimizer="adam", epochs=1, batch_size=32, train_subset=64, validation=32)
    first = train.fit_quietly(small_cnn_10(), small, checkpoint=tmp_path / "quiet.pt", device="cpu")
    assert (first.attrs["train_examples"], first.attrs["val_examples"]) == (64, 32)
    again = train.fit_quietly(small_cnn_10(), small, checkpoint=tmp_path / "quiet.pt", device="cpu")
    assert again.val_acc.tolist() == first.val_acc.tolist()
    assert "Training" not in capsys.readouterr().out           # no lines, no bar


def small_cnn_10():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                         nn.Linear(4 * 7 * 7, 10))


def test_recipe_describe_differences_names_each_field_self_first():
    a = recipes.Recipe(lr=0.1, epochs=10)
    b = a.replace(lr=0.001, optimizer="adam")
    assert a.describe_differences(b) == "optimizer sgd vs adam; lr 0.1 vs 0.001"
    assert a.describe_differences(a) == "nothing"


def test_over_seeds_trains_one_run_per_seed_and_seed_summary_gives_mean_and_range(fashion_files, tmp_path, monkeypatch):
    monkeypatch.setattr(train, "CHECKPOINT_DIR", tmp_path)
    small = recipes.Recipe(lr=1e-3, optimizer="adam", epochs=1, batch_size=32, train_subset=64, validation=32)
    histories = train.over_seeds(small_cnn_10, small, (0, 1), checkpoint="seeds", device="cpu")
    assert [h.attrs["recipe"]["seed"] for h in histories] == [0, 1]
    pairs = train.over_seeds(small_cnn_10, small, (0, 1), checkpoint="seeds", device="cpu", nets=True)   # loaded
    assert [h.val_acc.tolist() for _, h in pairs] == [h.val_acc.tolist() for h in histories]
    assert all(isinstance(net, nn.Module) and not net.training for net, _ in pairs)
    assert sorted(p.name for p in tmp_path.glob("*.pt")) == ["seeds-seed0-ci.pt", "seeds-seed1-ci.pt"]
    summary = train.seed_summary(histories)
    accs = [h.val_acc.iloc[-1] for h in histories]
    assert summary["validation accuracy (mean)"] == round(sum(accs) / 2, 3)
    assert summary["range"] == f"{min(accs):.3f}–{max(accs):.3f}"
    assert len(summary["classes never predicted, per seed"]) == 2
    with pytest.raises(TypeError, match="builds a fresh net"):
        train.over_seeds(small_cnn_10(), small, (0,))
    with pytest.raises(ValueError, match="at least one seed"):
        train.over_seeds(small_cnn_10, small, ())
    with pytest.raises(ValueError, match="no histories"):
        train.seed_summary([])


def test_reestimate_bn_makes_the_averages_the_plain_mean_of_the_batches_statistics():
    torch.manual_seed(0)
    net = nn.Sequential(nn.BatchNorm1d(3, momentum=0.3), nn.Linear(3, 2))
    net[0].running_mean.fill_(50.0)                          # stale averages, far from the data
    batches = [(torch.randn(8, 3) * (k + 1) + k, torch.zeros(8)) for k in range(4)]
    assert train.reestimate_bn(net, iter(batches), num_batches=3) is net
    used = [X for X, _ in batches[:3]]
    assert torch.allclose(net[0].running_mean, torch.stack([X.mean(0) for X in used]).mean(0), atol=1e-6)
    assert torch.allclose(net[0].running_var, torch.stack([X.var(0) for X in used]).mean(0), atol=1e-5)
    assert net[0].momentum == 0.3 and not net.training
    with pytest.raises(ValueError, match="no batch-normalization layer"):
        train.reestimate_bn(nn.Linear(3, 2), batches)
    with pytest.raises(ValueError, match="got no batches"):
        train.reestimate_bn(net, [])
    with pytest.raises(ValueError, match="num_batches"):
        train.reestimate_bn(net, batches, num_batches=0)


def test_progress_draws_a_bar_unless_tqdm_disable_is_set(monkeypatch, capsys):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert not train.progress_wanted()
    bar = train.progress(range(3), "runs")
    assert bar.disable and list(bar) == [0, 1, 2]
    monkeypatch.setenv("TQDM_DISABLE", "")
    assert train.progress_wanted()
    bar = train.progress(range(3), "runs", file=sys.stderr)
    assert not bar.disable and list(bar) == [0, 1, 2]
    assert "runs" in capsys.readouterr().err


def bn_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                         nn.Linear(4 * 7 * 7, 4))


def test_a_fine_tuning_recipe_keeps_the_weights_it_is_given_and_says_what_it_trains():
    with pytest.raises(ValueError, match="set init='none'"):
        recipe(head_lr=1.0)
    with pytest.raises(ValueError, match="set init='none'"):
        recipe(freeze_body=True)
    with pytest.raises(TypeError, match="freeze_body must be True or False"):
        recipe(init="none", freeze_body=1)
    with pytest.raises(ValueError, match="head_lr must be above 0"):
        recipe(init="none", head_lr=0)
    assert recipe(init="none", head_lr=5.0).describe().startswith("SGD lr 0.5 (output layer lr 5), ")
    assert "the weights it is given" in recipe(init="none", head_lr=5.0).describe()
    assert "PyTorch's default init" in recipe(init="none").describe()
    assert recipe(init="none", freeze_body=True).describe().startswith("SGD lr 0.5 on the output layer only (body frozen)")
    net = bn_cnn()
    assert recipes.output_layer(net) is net[5]
    groups = recipe(init="none", head_lr=5.0).param_groups(net)
    assert [len(g["params"]) for g in groups] == [4, 2] and groups[1]["lr"] == 5.0 and "lr" not in groups[0]
    frozen = recipe(init="none", freeze_body=True).param_groups(net)
    assert len(frozen) == 1 and frozen[0]["params"] == list(net[5].parameters()) and frozen[0]["lr"] == 0.5
    onecycle = recipe(init="none", head_lr=5.0, schedule="onecycle")
    sched = onecycle.make_scheduler(onecycle.make_optimizer(onecycle.param_groups(net)), 10)
    assert [g["max_lr"] for g in sched.optimizer.param_groups] == [0.5, 5.0]   # each group peaks at its own rate
    assert recipes.Recipe.from_dict(recipe(init="none", head_lr=5.0).to_dict()).head_lr == 5.0
    with pytest.raises(ValueError, match="no child module with parameters"):
        recipes.output_layer(nn.Sequential(nn.ReLU()))


def test_freeze_body_trains_the_output_layer_only_and_keeps_the_bodys_statistics():
    train_iter, val_iter = loaders()
    net = bn_cnn()
    train.fit(net, train_iter, val_iter, recipe(), **QUIET)              # "pretrained"
    body = {k: v.clone() for k, v in net.state_dict().items() if not k.startswith("5.")}
    head = net[5].weight.detach().clone()
    history = train.fit(net, train_iter, val_iter, recipe(init="none", freeze_body=True, seed=1), **QUIET)
    after = net.state_dict()
    assert all(torch.equal(after[k], v) for k, v in body.items())        # weights and running statistics alike
    assert not torch.equal(net[5].weight, head)
    assert all(p.requires_grad for p in net.parameters())                  # restored
    assert history.attrs["start_weights"] and history.attrs["recipe"]["freeze_body"] is True


def test_a_checkpoint_started_from_other_weights_is_not_resumed(tmp_path):
    train_iter, val_iter = loaders()
    path, tuned = tmp_path / "tuned.pt", recipe(init="none", head_lr=1.0)
    start = small_cnn()
    initial = {k: v.clone() for k, v in start.state_dict().items()}
    first = train.fit(start, train_iter, val_iter, tuned, checkpoint=path, **QUIET)
    assert first.attrs["start_weights"] == train.weights_fingerprint(small_cnn_with(initial))
    again = train.fit(small_cnn_with(initial), train_iter, val_iter, tuned, checkpoint=path, **QUIET)   # loaded
    assert again.val_acc.tolist() == first.val_acc.tolist()
    with pytest.raises(CheckpointError, match="the starting weights' fingerprint"):
        train.fit(small_cnn(), train_iter, val_iter, tuned, checkpoint=path, **QUIET)
    plain = recipe()                                   # fit initialises these weights itself: no fingerprint
    assert train.fit(small_cnn(), train_iter, val_iter, plain, **QUIET).attrs["start_weights"] is None


def small_cnn_with(state):
    net = small_cnn()
    net.load_state_dict(state)
    return net
