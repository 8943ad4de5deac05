"""The training doctor: each diagnosis on a small run built to show it; silence on a healthy one."""
import pandas as pd
import torch
from torch import nn

from d2lhelpers import data, doctor, train
from test_train import CLASSES, QUIET, loaders, patches, recipe, small_cnn


def kinds(history):
    return [d.split(":")[0] for d in history.attrs["diagnoses"]]


def test_a_healthy_run_gets_no_diagnosis(capsys):
    history = train.fit(small_cnn(), *loaders(), recipe(epochs=3), device="cpu", progress=False)
    assert history.attrs["diagnoses"] == [] and "Doctor" not in capsys.readouterr().out


def test_stuck_at_chance_sigmoid_net_with_a_small_learning_rate(capsys):
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.Sigmoid(), nn.Linear(32, 32), nn.Sigmoid(),
                        nn.Linear(32, 4))
    history = train.fit(net, *loaders(), recipe(lr=0.01), device="cpu", progress=False)
    assert kinds(history) == ["Doctor (stuck)"]
    out = capsys.readouterr().out
    assert "still at chance (0.250 for 4 classes)" in out and "05-lenet, section 2 'Training'" in out


class NeverThree(nn.Module):
    """A small CNN whose output for class 3 is a constant far below the others, out of reach of
    any gradient (as a dead unit is): that class is never predicted."""

    def __init__(self):
        super().__init__()
        self.net = small_cnn()

    def forward(self, X):
        out = self.net(X)
        return torch.cat([out[:, :3], torch.full_like(out[:, 3:], -1e4)], dim=1)


def test_classes_never_predicted_are_named():
    history = train.fit(NeverThree(), *loaders(), recipe(epochs=3, lr=0.1), **QUIET)
    assert history.attrs["val_never_predicted"] == ["bottom right"]
    assert kinds(history) == ["Doctor (dead-classes)"]
    assert "never predicts bottom right" in history.attrs["diagnoses"][0] and "08-nin" in history.attrs["diagnoses"][0]


def test_overfitting_memorised_random_labels():
    images, _ = patches(32, 0)
    labels = torch.randint(0, 4, (32,), generator=torch.Generator().manual_seed(5))
    train_iter = data.Batches(images, labels, 32, shuffle=True, classes=CLASSES)
    _, val_iter = loaders()
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 4))
    history = train.fit(net, train_iter, val_iter, recipe(optimizer="adam", lr=0.003, epochs=40, batch_size=32),
                        **QUIET)
    assert history.train_acc.iloc[-1] == 1.0
    assert "Doctor (overfitting)" in kinds(history)
    assert "memorising" in " ".join(history.attrs["diagnoses"])


def test_validation_above_training_with_dropout_is_explained():
    net = nn.Sequential(nn.Flatten(), nn.Dropout(0.8), nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0.8),
                        nn.Linear(64, 4))
    history = train.fit(net, *loaders(), recipe(epochs=4, lr=0.1), **QUIET)
    last = history.iloc[-1]
    assert last.val_acc - last.train_acc > doctor.ABOVE_GAP
    assert kinds(history) == ["Doctor (validation-above-training)"]
    assert "dropout is active in training and off in evaluation" in history.attrs["diagnoses"][0]
    # the same gap without dropout or batch normalization is only the epoch average: not reported
    assert doctor.diagnose(history, nn.Sequential(nn.Linear(2, 2))) == []


def test_a_training_loss_that_rises_again_is_reported():
    rows = {"epoch": [1, 2, 3, 4], "train_loss": [1.0, 0.5, 0.6, 0.9], "train_acc": [0.5, 0.8, 0.78, 0.6],
            "val_loss": [1.0, 0.6, 0.7, 1.0], "val_acc": [0.5, 0.75, 0.74, 0.6]}
    history = pd.DataFrame(rows)
    history.attrs["classes"] = list(CLASSES)
    found = doctor.diagnose(history)
    assert [d.kind for d in found] == ["diverging"] and "rose to 0.900 from its best, 0.500" in found[0].message
    steady = pd.DataFrame({**rows, "train_loss": [1.0, 0.5, 0.4, 0.35]})
    steady.attrs["classes"] = list(CLASSES)
    assert doctor.diagnose(steady) == []


def test_the_book_alexnet_recipe_at_low_resolution_is_diagnosed_as_stuck(fashion_files):
    """The case the notebooks meet: the book's plain SGD on AlexNet at 67 px stays at chance."""
    from d2lhelpers import models, recipes

    book = recipes.BOOK["zh"]["alexnet"].replace(input_size=67, epochs=1, train_subset=512, validation=256,
                                                   test_subset=None)
    splits = data.load_splits(book, device="cpu")
    history = train.fit(models.alexnet(), splits.train, splits.val, book, **QUIET)
    assert kinds(history) == ["Doctor (stuck)"], history.attrs["diagnoses"]
