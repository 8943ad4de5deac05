"""d2lhelpers.augment: per-image augmentation of whole batches, carried by a recipe."""
import json

import pytest
import torch

from d2lhelpers import data, recipes
from d2lhelpers.augment import Augmentation


def test_every_image_draws_its_own_flip_and_flips_are_exact():
    X = torch.rand(64, 1, 28, 28)
    Y = Augmentation(flip=0.5)(X, torch.Generator().manual_seed(1))
    flipped = sum(torch.equal(Y[i], X[i].flip(-1)) for i in range(64))
    kept = sum(torch.equal(Y[i], X[i]) for i in range(64))
    assert flipped + kept == 64 and 10 < flipped < 54
    assert torch.equal(Augmentation(flip=0.0)(X), X)


def test_geometry_and_colour_stay_in_range_and_differ_per_image():
    X = torch.full((16, 1, 28, 28), 0.5)
    Y = Augmentation(flip=0, brightness=0.3)(X, torch.Generator().manual_seed(0))
    means = Y.mean(dim=(1, 2, 3))
    assert means.min() >= 0.35 - 1e-6 and means.max() <= 0.65 + 1e-6 and means.std() > 0.01
    Z = Augmentation(max_rotate=30, scale=(0.8, 1.2), max_shift=0.2, contrast=0.5)(torch.rand(16, 3, 20, 20))
    assert Z.shape == (16, 3, 20, 20) and Z.min() >= 0 and Z.max() <= 1


def test_bad_settings_get_a_one_line_error():
    with pytest.raises(ValueError, match="flip must be between 0 and 1"):
        Augmentation(flip=2)
    with pytest.raises(ValueError, match="low <= high"):
        Augmentation(scale=(1.2, 0.8))
    with pytest.raises(TypeError, match="a pair"):
        Augmentation(scale=1.1)
    with pytest.raises(ValueError, match=r"takes a batch \(N, C, H, W\)"):
        Augmentation()(torch.rand(28, 28))
    with pytest.raises(TypeError, match="recipe field augment"):
        recipes.Recipe(augment="flip")


def test_a_recipe_carries_it_through_json_and_load_splits_augments_training_batches_only(fashion_files):
    r = recipes.Recipe(batch_size=32, train_subset=64, validation=32, test_subset=32,
                       augment=Augmentation(max_rotate=10))
    assert recipes.Recipe.from_dict(json.loads(json.dumps(r.to_dict()))) == r
    assert "training images augmented (flip 0.5, rotate ±10°)" in r.describe()
    plain = data.load_splits(r.replace(augment=None))
    augmented = data.load_splits(r)
    (Xa, ya), (Xp, yp) = next(iter(augmented.train)), next(iter(plain.train))
    assert torch.equal(ya, yp) and not torch.equal(Xa, Xp)
    assert torch.equal(next(iter(augmented.val))[0], next(iter(plain.val))[0])
    again = data.load_splits(r)                      # the same seed and epoch: the same draws
    assert torch.equal(next(iter(again.train))[0], Xa)


def test_fit_saves_the_augmentation_and_refuses_to_resume_with_another(fashion_files, tmp_path):
    from torch import nn

    from d2lhelpers import train

    def net():
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                             nn.Linear(4 * 7 * 7, 10))

    r = recipes.Recipe("adam", lr=1e-3, epochs=1, batch_size=32, train_subset=64, validation=32,
                       augment=Augmentation(max_shift=0.1))
    first = train.fit_quietly(net(), r, checkpoint=tmp_path / "aug.pt", device="cpu")
    again = train.fit_quietly(net(), r, checkpoint=tmp_path / "aug.pt", device="cpu")
    assert again.val_acc.tolist() == first.val_acc.tolist()
    with pytest.raises(train.CheckpointError):
        train.fit_quietly(net(), r.replace(augment=Augmentation(max_shift=0.2)), checkpoint=tmp_path / "aug.pt",
                          device="cpu")
