"""d2lhelpers.widgets: the explorers build headless, react to their controls, and
turn impossible settings into messages."""
import pytest
import torch
from torch.nn import functional as F

from d2lhelpers import widgets


def test_output_size_status():
    assert widgets.output_size_status(8, 3, 1, 2) == (
        4, "output 4 × 4: ⌊(8 + 2·1 − 3) / 2⌋ + 1 = 4 (input 8, kernel 3, padding 1, stride 2)")
    out, message = widgets.output_size_status(3, 5, 0, 1)
    assert out is None and message.startswith("Impossible: kernel size 5 is larger than the padded input")
    assert widgets.output_size_status(7, 3, 0, 1, 2)[0] == 3


def test_output_size_explorer_reacts_and_never_raises():
    box = widgets.output_size_explorer()
    sliders = {s.description: s for row in box.children[0].children for s in row.children}
    status = box.children[1]
    assert status.value.startswith("output 4 × 4")
    sliders["kernel k"].value = 9
    sliders["padding p"].value = 0
    sliders["input n"].value = 4
    assert status.value.startswith("Impossible: kernel size 9 is larger than the padded input 4")
    sliders["input n"].value = 20
    assert status.value.startswith("output 6 × 6")


def test_draw_windows_marks_every_window(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert widgets.draw_windows(ax, 8, 3, 1, 2) == 4
    assert len(ax.collections[0].get_offsets()) == 16  # one dot per window
    plt.close(fig)


def test_draw_windows_takes_the_books_rectangular_setting_and_shows_unread_pixels():
    """EN §7.3.2 / ZH §6.3.2: 8x8 input, kernel (3, 5), padding (0, 1), stride (3, 4) -> 2x2;
    the windows start at rows 0 and 3, so rows 6 and 7 of the input are never read."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    from torch import nn

    fig, ax = plt.subplots()
    setting = dict(k=(3, 5), p=(0, 1), s=(3, 4))
    out = widgets.draw_windows(ax, 8, setting["k"], setting["p"], setting["s"], every_window=True)
    conv = nn.Conv2d(1, 1, kernel_size=setting["k"], padding=setting["p"], stride=setting["s"])
    assert out == (2, 2) == tuple(conv(torch.zeros(1, 1, 8, 8)).shape[-2:])
    unread = [patch for patch in ax.patches if patch.get_facecolor() == to_rgba("tab:red", 0.25)]
    assert sorted({int(patch.get_y()) for patch in unread}) == [6, 7] and len(unread) == 2 * 8
    frames = [patch for patch in ax.patches if patch.get_linestyle() == "--"]
    assert len(frames) == 4 and len(ax.collections[0].get_offsets()) == 4   # a frame and a dot per window
    plt.close(fig)


def test_apply_kernel_is_cross_correlation_keeping_the_size():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    Y = widgets.apply_kernel(X, widgets.KERNELS["vertical edge [1, -1]"])
    assert Y.shape == (6, 8)
    assert Y[0, :7].tolist() == [0, 1, 0, 0, 0, -1, 0]  # the book's edges, as corr2d finds them
    with pytest.raises(ValueError, match="odd side"):
        widgets.apply_kernel(X, [[1, -1]])


def test_kernel_playground_follows_the_preset_and_edits():
    image = torch.rand(12, 12)
    box = widgets.kernel_playground(image, "identity")
    preset, grid, status = box.children[:3]
    assert [c.value for c in grid.children] == [0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert status.value.startswith("kernel sum 1")
    preset.value = "Laplacian (outline)"
    assert status.value.startswith("kernel sum 0")
    grid.children[4].value = 0.0
    assert status.value.startswith("kernel sum 4")


def test_pool_matches_torch_and_refuses_impossible_settings():
    X = torch.arange(16.0).reshape(4, 4)
    assert widgets.pool(X, 3, 2, 1).tolist() == [[5, 7], [13, 15]]  # the book's example
    assert torch.equal(widgets.pool(X, 2, 2, 0, "avg"), F.avg_pool2d(X[None, None], 2)[0, 0])
    with pytest.raises(ValueError, match="more than half the window"):
        widgets.pool(X, 2, 1, 2)
    with pytest.raises(ValueError, match="larger than the padded input"):
        widgets.pool(X, 6, 1, 0)
    with pytest.raises(ValueError, match="'max' or 'avg'"):
        widgets.pool(X, 2, 2, 0, "min")


def test_pooling_explorer_messages_instead_of_tracebacks():
    box = widgets.pooling_explorer(torch.rand(28, 28))
    status = box.children[1]
    controls = {c.description: c for col in box.children[0].children for c in col.children}
    assert status.value == "max pooling, window 2, stride 2, padding 0: 28 × 28 → 14 × 14"
    controls["padding"].value = 3
    assert status.value.startswith("Impossible: padding 3 is more than half the window 2")
    controls["window"].value = 8
    controls["pooling"].value = "avg"
    assert status.value == "avg pooling, window 8, stride 2, padding 3: 28 × 28 → 14 × 14"


def test_pooling_explorer_draws_input_and_pooled_map_on_one_colour_scale(monkeypatch):
    figures = []
    monkeypatch.setattr(widgets, "_show", figures.append)
    image = torch.zeros(8, 8)
    image[2:4, 2:4] = 1.0                         # averaging 2x2 windows over this gives 1.0 and 0.25 too
    image[5, 5] = 1.0
    box = widgets.pooling_explorer(image, mode="avg")
    limits = [ax.images[0].get_clim() for ax in figures[-1].axes]
    assert limits == [(0.0, 1.0), (0.0, 1.0)]     # a pooled 0.25 looks pale, as it is, not black
    assert box.children[1].value.startswith("avg pooling")
