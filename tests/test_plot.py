"""d2lhelpers.plot: history, image grid, feature maps."""
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import torch

from d2lhelpers import plot


def history():
    h = pd.DataFrame({"epoch": [1, 2, 3], "train_loss": [1.0, 0.6, 0.5], "train_acc": [0.6, 0.8, 0.85],
                      "val_loss": [0.9, 0.7, 0.6], "val_acc": [0.65, 0.75, 0.8]})
    h.attrs.update(device="cpu", profile="ci")
    return h


def test_history_has_loss_and_accuracy_side_by_side():
    fig = plot.plot_history(history(), show=False)
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["training", "validation"]
    assert list(acc_ax.lines[1].get_ydata()) == [0.65, 0.75, 0.8]
    assert loss_ax.get_ylabel() == "loss" and acc_ax.get_ylabel() == "accuracy"
    assert acc_ax.get_title() == "val acc 0.800"
    assert fig._suptitle.get_text() == "cpu, profile 'ci'"
    plt.close(fig)


def test_the_test_result_is_one_star_at_the_end():
    h = history()
    h.attrs.update(test_acc=0.79, test_loss=0.61)
    fig = plot.plot_history(h, show=False)
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in acc_ax.lines] == ["training", "validation", "test (once)"]
    assert list(acc_ax.lines[2].get_xdata()) == [3] and list(acc_ax.lines[2].get_ydata()) == [0.79]
    assert acc_ax.get_title() == "test acc 0.790"
    plt.close(fig)


def test_show_returns_nothing_so_a_cell_shows_the_figure_once():
    assert plot.plot_history(history()) is None
    plt.close("all")


def test_empty_history_is_refused():
    with pytest.raises(ValueError, match="empty"):
        plot.plot_history(history().iloc[:0])


def test_image_grid_with_labels():
    images = torch.rand(10, 1, 28, 28)
    fig = plot.show_images(images, [f"c{i}" for i in range(10)], ncols=4, show=False)
    assert len(fig.axes) == 12  # 3 rows of 4, the last two empty
    assert [ax.get_title() for ax in fig.axes[:10]] == [f"c{i}" for i in range(10)]
    assert all(len(ax.images) == 1 for ax in fig.axes[:10]) and not fig.axes[11].images
    plt.close(fig)


def test_image_grid_errors():
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        plot.show_images(torch.rand(3, 28, 28), ["a", "b"])
    with pytest.raises(ValueError, match=r"got shape \(3, 28, 28\)"):
        plot.show_images(torch.rand(2, 3, 28, 28))
    with pytest.raises(ValueError, match="at least one image"):
        plot.show_images([])


def test_feature_maps_one_panel_per_channel():
    maps = torch.randn(1, 6, 14, 14)
    fig = plot.show_feature_maps(maps, show=False)
    assert [ax.get_title() for ax in fig.axes] == [f"channel {i}" for i in range(6)]
    assert fig.axes[2].images[0].get_array().shape == (14, 14)
    plt.close(fig)
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        plot.show_feature_maps(torch.randn(14, 14))
    with pytest.raises(ValueError, match="6 channels but 2 titles"):
        plot.show_feature_maps(maps, titles=["a", "b"])


def test_centred_feature_maps_are_symmetric_about_zero():
    maps = torch.tensor([[[0.0, 2.0]], [[-1.0, 0.5]]])
    fig = plot.show_feature_maps(maps, centred=True, cmap="RdBu_r", show=False)
    assert [ax.images[0].get_clim() for ax in fig.axes] == [(-2.0, 2.0), (-1.0, 1.0)]
    plt.close(fig)


def test_confusion_heat_map_labels_counts():
    counts = torch.tensor([[5, 1], [0, 4]])
    fig = plot.show_confusion(counts, ["a", "b"], show=False)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["5", "1", "4"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    plt.close(fig)
    with pytest.raises(ValueError, match="one row per class"):
        plot.show_confusion(counts, ["a", "b", "c"])


def test_mistakes_are_found_in_order_and_titled_with_truth_and_guess():
    from torch import nn

    from d2lhelpers import data, train

    class Threshold(nn.Module):   # predicts class 1 when the first pixel is bright, else 0
        def __init__(self):
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(1))

        def forward(self, X):
            bright = (X[:, 0, 0, 0] > 0.5).long()
            return nn.functional.one_hot(bright, 2).float() + self.dummy

    images = torch.zeros(10, 28, 28, dtype=torch.uint8)
    images[::3, 0, 0] = 255                            # examples 0, 3, 6, 9 look like class 1
    labels = torch.tensor([1, 1, 0, 1, 0, 0, 0, 1, 0, 0])
    batches = data.Batches(images, labels, 4, classes=("dark", "bright"))
    X, truths, guesses = train.find_mistakes(Threshold(), batches, n=3)
    assert truths.tolist() == [1, 0, 1] and guesses.tolist() == [0, 1, 0] and X.shape == (3, 1, 28, 28)
    assert len(train.find_mistakes(Threshold(), batches, n=16)[0]) == 4   # all there are: 1, 6, 7, 9
    fig = plot.show_mistakes(X, truths, guesses, ("dark", "bright"), show=False)
    assert [ax.get_title() for ax in fig.axes[:3]] == ["bright\n✗ dark", "dark\n✗ bright", "bright\n✗ dark"]
    plt.close(fig)
    with pytest.raises(ValueError, match="no mistakes to show"):
        plot.show_mistakes(X[:0], truths[:0], guesses[:0], ("dark", "bright"))


def test_feature_maps_can_share_one_colour_scale_with_a_colour_bar():
    maps = torch.stack([torch.full((4, 4), 0.06), torch.full((4, 4), 0.95)])
    fig = plot.show_feature_maps(maps, vmin=0, vmax=1, colorbar=True, show=False)
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.images[0].get_clim() for ax in panels] == [(0, 1), (0, 1)]   # a quiet map looks quiet
    assert len(fig.axes) == 3                                               # two panels and the bar
    plt.close(fig)
    separate = plot.show_feature_maps(maps, show=False)
    assert separate.axes[0].images[0].get_clim() != separate.axes[1].images[0].get_clim()
    plt.close(separate)
    with pytest.raises(ValueError, match="give both vmin and vmax"):
        plot.show_feature_maps(maps, vmin=0)
    with pytest.raises(ValueError, match="a colour bar needs the scale shared"):
        plot.show_feature_maps(maps, colorbar=True)


def test_compare_losses_draws_one_curve_per_run_against_images_seen():
    def run(losses, examples):
        h = pd.DataFrame({"epoch": [1], "train_loss": [losses[-1]], "train_acc": [0.5]})
        h.attrs["steps"] = [{"epoch": (i + 1) / len(losses), "train_loss": v} for i, v in enumerate(losses)]
        h.attrs["train_examples"] = examples
        return h

    fig = plot.compare_losses({"a": run([2.3, 1.0], 1000), "b": run([2.3, 2.2, 2.1, 2.0], 1000)},
                              "two", chance=2.302, show=False)
    lines = fig.axes[0].get_lines()
    assert [len(line.get_xdata()) for line in lines[:2]] == [2, 4]
    assert list(lines[0].get_xdata()) == [500.0, 1000.0]
    assert lines[2].get_ydata()[0] == pytest.approx(2.302)
    with pytest.raises(ValueError, match="run 'c' has no losses logged"):
        plot.compare_losses({"c": pd.DataFrame({"epoch": [1]})}, show=False)
    with pytest.raises(TypeError, match="runs maps a label"):
        plot.compare_losses([], show=False)
    plt.close("all")



def test_compare_losses_averages_seeds_and_shades_their_range():
    def run(losses):
        h = pd.DataFrame({"epoch": [1], "train_loss": [losses[-1]], "train_acc": [0.5]})
        h.attrs["steps"] = [{"epoch": (i + 1) / len(losses), "train_loss": v} for i, v in enumerate(losses)]
        h.attrs["train_examples"] = 100
        return h

    _, ax = plt.subplots()
    assert plot.compare_losses({"plain": [run([2.0, 1.0]), run([3.0, 2.0]), run([2.5, 0.0])]}, ax=ax) is None
    line = ax.get_lines()[0]
    assert line.get_label() == "plain (mean of 3)" and list(line.get_ydata()) == pytest.approx([2.5, 1.0])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(0.0) and band.max() == pytest.approx(3.0)
    with pytest.raises(ValueError, match="logged their losses at different points"):
        plot.compare_losses({"x": [run([2.0, 1.0]), run([2.0, 1.5, 1.0])]}, show=False)
    with pytest.raises(ValueError, match="run 'y' is an empty list"):
        plot.compare_losses({"y": []}, show=False)
    plt.close("all")

def test_compare_histories_averages_seeds_with_a_band():
    low, high = history(), history()
    high["val_acc"] = [0.75, 0.85, 0.9]
    _, ax = plt.subplots()
    assert plot.compare_histories({"flip": [low, high], "none": history()}, ax=ax) is None
    mean = ax.get_lines()[0]
    assert mean.get_label() == "flip (mean of 2)" and list(mean.get_ydata()) == pytest.approx([0.7, 0.8, 0.85])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(0.65) and band.max() == pytest.approx(0.9)
    assert ax.get_lines()[1].get_label() == "none"
    short = history().iloc[:2]
    with pytest.raises(ValueError, match="different epochs"):
        plot.compare_histories({"x": [history(), short]}, show=False)
    with pytest.raises(ValueError, match="run 'y' is an empty list"):
        plot.compare_histories({"y": []}, show=False)
    with pytest.raises(ValueError, match="no column 'val_acc'"):
        plot.compare_histories({"z": [history().drop(columns="val_acc")]}, show=False)
    plt.close("all")


def test_compare_histories_draws_a_curve_per_run_and_refuses_a_missing_column():
    fig = plot.compare_histories({"a": history(), "b": history()}, "val_acc", "title", show=False)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"] and ax.get_ylabel() == "validation accuracy"
    assert list(ax.get_lines()[0].get_ydata()) == [0.65, 0.75, 0.8]
    _, own = plt.subplots()
    assert plot.compare_histories({"a": history()}, "train_loss", ax=own) is None and len(own.get_lines()) == 1
    with pytest.raises(ValueError, match="no column 'test_acc'"):
        plot.compare_histories({"a": history()}, "test_acc", show=False)
    with pytest.raises(TypeError, match="maps a label"):
        plot.compare_histories({}, show=False)
    plt.close("all")
