"""d2lhelpers.train: fit's history, initialisation, checkpoints, small data, errors."""
import pytest
import torch
from torch import nn

from d2lhelpers import data, train


def patches(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Images whose class is the position of a bright 6x6 patch: learnable in a few epochs."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 4, (n,), generator=g)
    images = torch.randint(0, 60, (n, 28, 28), generator=g, dtype=torch.uint8)
    for i, c in enumerate(labels.tolist()):
        r, col = divmod(c, 2)
        images[i, 4 + 14 * r: 10 + 14 * r, 4 + 14 * col: 10 + 14 * col] = 250
    return images, labels


def loaders(n_train=256, n_test=128, batch_size=64):
    train_iter = data.Batches(*patches(n_train, 0), batch_size, shuffle=True, seed=0)
    test_iter = data.Batches(*patches(n_test, 1), batch_size)
    return train_iter, test_iter


def small_cnn(lazy=False):
    if lazy:
        return nn.Sequential(nn.LazyConv2d(4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                             nn.LazyLinear(4))
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                         nn.Linear(4 * 7 * 7, 4))


def test_fit_learns_and_returns_one_row_per_epoch(capsys):
    train_iter, test_iter = loaders()
    history = train.fit(small_cnn(), train_iter, test_iter, num_epochs=4, lr=0.5, device="cpu", progress=False)
    assert list(history.columns) == train.HISTORY_COLUMNS
    assert history["epoch"].tolist() == [1, 2, 3, 4]
    assert history["test_acc"].iloc[-1] > 0.9
    assert history["train_loss"].iloc[-1] < history["train_loss"].iloc[0]
    assert (history["seconds"] > 0).all() and (history["examples_per_sec"] > 0).all()
    assert history.attrs == {"device": "cpu", "profile": "ci", "input_size": (28, 28), "batch_size": 64,
                             "train_examples": 256}
    out = capsys.readouterr().out
    assert "Training Sequential on cpu, profile 'ci': 4 epochs, 256 examples, 4 batches per epoch" in out
    assert out.count("epoch ") == 4 and "4/4: train loss" in out  # a line per epoch outside a notebook


def test_fit_works_with_fewer_than_five_batches():
    """d2l.train_ch6 divides by zero here (num_batches // 5 == 0)."""
    train_iter, test_iter = loaders(n_train=40, n_test=20, batch_size=32)
    assert len(train_iter) == 2
    history = train.fit(small_cnn(), train_iter, test_iter, 2, lr=0.1, device="cpu", progress=False, verbose=False)
    assert len(history) == 2


def test_xavier_initialisation_reaches_lazy_layers(monkeypatch):
    initialised = []
    real = nn.init.xavier_uniform_

    def spy(tensor, *args, **kwargs):
        initialised.append(tuple(tensor.shape))
        return real(tensor, *args, **kwargs)

    monkeypatch.setattr(nn.init, "xavier_uniform_", spy)
    train_iter, test_iter = loaders()
    net = small_cnn(lazy=True)
    train.fit(net, train_iter, test_iter, 1, device="cpu", progress=False, verbose=False)
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
    train_iter, test_iter = loaders()
    history = train.fit(small_cnn(lazy=True), train_iter, test_iter, 1, device="cpu", init="kaiming",
                        progress=False, verbose=False)
    assert len(history) == 1


def test_seeded_runs_are_identical():
    runs = []
    for _ in range(2):
        train_iter, test_iter = loaders()
        runs.append(train.fit(small_cnn(), train_iter, test_iter, 2, device="cpu", progress=False, verbose=False))
    columns = ["train_loss", "train_acc", "test_loss", "test_acc"]
    assert runs[0][columns].equals(runs[1][columns])


def test_resuming_a_checkpoint_equals_an_uninterrupted_run(tmp_path, capsys):
    columns = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc"]
    kwargs = dict(device="cpu", progress=False, lr=0.3,
                  optimizer=lambda params: torch.optim.SGD(params, lr=0.3, momentum=0.9),
                  scheduler=lambda opt, steps: torch.optim.lr_scheduler.OneCycleLR(opt, 0.3, total_steps=steps))
    straight_net = small_cnn()
    straight = train.fit(straight_net, *loaders(), 3, verbose=False, **kwargs)

    # Interrupt a 3-epoch run after 2 epochs (as a student pressing stop would), then resume it.
    ckpt2 = tmp_path / "stopped.pt"
    train_iter, test_iter = loaders()

    class StopAfter:
        def __init__(self, inner, epochs):
            self.inner, self.left = inner, epochs

        def __len__(self):
            return len(self.inner)

        def set_epoch(self, epoch):
            if epoch >= self.left:
                raise KeyboardInterrupt
            self.inner.set_epoch(epoch)

        def __iter__(self):
            return iter(self.inner)

    with pytest.raises(KeyboardInterrupt):
        train.fit(small_cnn(), StopAfter(train_iter, 2), test_iter, 3, checkpoint=ckpt2, verbose=False, **kwargs)
    resumed_net = small_cnn()
    resumed = train.fit(resumed_net, *loaders(), 3, checkpoint=ckpt2, **kwargs)
    assert "Loaded stopped.pt: 2 epoch(s) done, training 1 more." in capsys.readouterr().out
    assert resumed[columns].equals(straight[columns])
    for a, b in zip(resumed_net.state_dict().values(), straight_net.state_dict().values()):
        assert torch.equal(a, b)


def test_a_finished_checkpoint_loads_without_training(tmp_path, capsys):
    ckpt = tmp_path / "net.pt"
    first_net = small_cnn()
    first = train.fit(first_net, *loaders(), 2, device="cpu", progress=False, checkpoint=ckpt, verbose=False)
    train_iter, test_iter = loaders()
    passes = []
    train_iter.set_epoch = lambda epoch: passes.append(epoch)
    net = small_cnn()
    again = train.fit(net, train_iter, test_iter, 2, device="cpu", progress=False, checkpoint=ckpt)
    assert passes == [] and again.equals(first)
    assert "Loaded net.pt: 2 epoch(s) done." in capsys.readouterr().out
    for a, b in zip(net.state_dict().values(), first_net.state_dict().values()):
        assert torch.equal(a, b)


def test_divergence_is_reported_with_the_learning_rate():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 4))
    with pytest.raises(FloatingPointError, match=r"became nan in epoch 1: the learning rate \(1e\+38\)"):
        train.fit(net, *loaders(), 1, lr=1e38, device="cpu", progress=False, verbose=False)


def test_bad_arguments_are_refused():
    train_iter, test_iter = loaders()
    with pytest.raises(ValueError, match="num_epochs"):
        train.fit(small_cnn(), train_iter, test_iter, -1, device="cpu")
    empty = data.Batches(*patches(10), 64, drop_last=True)
    with pytest.raises(ValueError, match="no batches"):
        train.fit(small_cnn(), empty, test_iter, 1, device="cpu")


def test_evaluate_and_predict():
    train_iter, test_iter = loaders()
    net = small_cnn()
    train.fit(net, train_iter, test_iter, 3, lr=0.5, device="cpu", progress=False, verbose=False)
    loss, acc = train.evaluate(net, test_iter)
    X, y = next(iter(test_iter))
    predicted = train.predict(net, X)
    assert acc > 0.9 and loss > 0 and predicted.shape == y.shape
    assert float((predicted == y).float().mean()) > 0.8


def test_a_checkpoint_of_another_net_is_refused_clearly(tmp_path):
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), 1, device="cpu", progress=False, checkpoint=ckpt, verbose=False)
    other = nn.Sequential(nn.Flatten(), nn.Linear(784, 4))
    with pytest.raises(ValueError, match="saved from a different network; delete it"):
        train.fit(other, *loaders(), 1, device="cpu", progress=False, checkpoint=ckpt, verbose=False)


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
    train_iter, test_iter = loaders()
    history = train.fit(small_cnn(), train_iter, test_iter, 3, lr=0.5, device="cpu", amp=True,
                        channels_last=True, progress=False, verbose=False)
    assert history["test_acc"].iloc[-1] > 0.8
    loss, acc = train.evaluate(small_cnn().eval(), test_iter, "cpu", amp=True, channels_last=True)
    assert 0 <= acc <= 1 and loss > 0


def test_load_history_reads_a_checkpoint_with_its_device_profile_and_meta(tmp_path):
    ckpt = tmp_path / "net.pt"
    history = train.fit(small_cnn(), *loaders(), 2, device="cpu", progress=False, checkpoint=ckpt,
                        verbose=False, profile_name="quick", meta={"recipe": "SGD 0.1"})
    assert history.attrs == {"input_size": (28, 28), "batch_size": 64, "train_examples": 256,
                             "recipe": "SGD 0.1", "device": "cpu", "profile": "quick"}
    loaded = train.load_history(ckpt)
    assert loaded.equals(history) and loaded.attrs == history.attrs
    with pytest.raises(FileNotFoundError, match="run the notebook that trains this network"):
        train.load_history(tmp_path / "missing.pt")


def test_a_loaded_finished_run_names_the_device_that_trained_it(tmp_path):
    ckpt = tmp_path / "net.pt"
    train.fit(small_cnn(), *loaders(), 1, device="cpu", progress=False, checkpoint=ckpt, verbose=False)
    state = torch.load(ckpt, weights_only=False)
    state["device"] = "cuda (NVIDIA H100)"
    torch.save(state, ckpt)
    again = train.fit(small_cnn(), *loaders(), 1, device="cpu", progress=False, checkpoint=ckpt, verbose=False)
    assert again.attrs["device"] == "cuda (NVIDIA H100)"
