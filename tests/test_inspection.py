"""d2lhelpers.inspection: output sizes and layer tables."""
import itertools

import pytest
import torch
from torch import nn

from d2lhelpers import inspection


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))


@pytest.mark.parametrize("args, expected", [
    ((8, 3, 1, 1), 8),    # the book's padding example: 8x8 stays 8x8
    ((8, 5, 2, 1), 8),
    ((8, 3, 1, 2), 4),    # stride 2 halves it
    ((8, 3, 0, 3), 2),    # the book's (3, 5) kernel example, height
    ((8, 5, 1, 4), 2),    # ... and width
    ((28, 5, 2, 1), 28),  # LeNet's first layer
    ((224, 11, 1, 4), 54),  # AlexNet's first layer
    ((7, 3, 0, 1, 2), 3),  # dilation 2 spans 5 pixels
    ((3, 3), 1),
])
def test_output_size_values(args, expected):
    assert inspection.conv_output_size(*args) == expected


def test_output_size_agrees_with_torch():
    for n, k, p, s, d in itertools.product([5, 8, 13], [1, 2, 3, 5], [0, 1, 2], [1, 2, 3], [1, 2]):
        if d * (k - 1) + 1 > n + 2 * p or p > (d * (k - 1) + 1) // 2:
            continue  # torch refuses padding over half the kernel
        conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
        assert conv(torch.zeros(1, 1, n, n)).shape[-1] == inspection.conv_output_size(n, k, p, s, d)


def test_output_size_rejects_impossible_settings():
    with pytest.raises(ValueError, match=r"kernel size 5 is larger than the padded input 3 \+ 2\*0 = 3"):
        inspection.conv_output_size(3, 5)
    with pytest.raises(ValueError, match=r"dilated to 7"):
        inspection.conv_output_size(5, 4, 0, 1, 2)
    with pytest.raises(ValueError, match="stride s must be at least 1, got 0"):
        inspection.conv_output_size(8, 3, 1, 0)
    with pytest.raises(ValueError, match="padding p must be at least 0, got -1"):
        inspection.conv_output_size(8, 3, -1)
    with pytest.raises(TypeError, match=r"input size n must be a whole number, got 8.5"):
        inspection.conv_output_size(8.5, 3)
    with pytest.raises(TypeError):
        inspection.conv_output_size(True, 1)


def test_lenet_table_matches_the_book():
    net = lenet()
    table = inspection.layer_table(net, (1, 1, 28, 28))
    assert table["output_shape"].tolist() == [
        (1, 6, 28, 28), (1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10), (1, 16, 10, 10), (1, 16, 5, 5),
        (1, 400), (1, 120), (1, 120), (1, 84), (1, 84), (1, 10)]
    assert table["params"].sum() == sum(p.numel() for p in net.parameters()) == 61706
    assert table["flops"].iloc[0] == 2 * 6 * 28 * 28 * 25  # a multiply-add counts 2
    assert table["flops"].iloc[7] == 2 * 400 * 120
    assert table["receptive_field"].tolist()[:6] == [5, 5, 6, 14, 14, 16]
    assert table["jump"].tolist()[:6] == [1, 1, 2, 2, 2, 4]
    assert table["receptive_field"].iloc[6] == "all"
    assert net.training  # mode restored


def test_receptive_field_matches_the_gradient():
    """The receptive field is the span of input pixels an output's gradient reaches
    (average pooling: max pooling would pass the gradient to one pixel per window)."""
    stack = nn.Sequential(nn.Conv2d(1, 1, 3), nn.AvgPool2d(2), nn.Conv2d(1, 1, 3, stride=2, dilation=2),
                          nn.Conv2d(1, 1, 2))
    table = inspection.layer_table(stack, (1, 1, 64, 64))
    X = torch.randn(1, 1, 64, 64, requires_grad=True)
    Y = stack(X)
    Y[0, 0, 0, 0].backward()
    rows = X.grad[0, 0].abs().sum(dim=1).nonzero()
    assert int(rows.max() - rows.min() + 1) == table["receptive_field"].iloc[-1] == 16
    assert table["jump"].iloc[-1] == 4


def test_lazy_layers_nested_blocks_and_bad_input():
    net = nn.Sequential(nn.Sequential(nn.LazyConv2d(8, 3, padding=1), nn.ReLU()), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.LazyLinear(10))
    table = inspection.layer_table(net, (2, 3, 32, 32))
    assert table["name"].tolist() == ["0.0", "0.1", "1", "2", "3"]
    assert table["params"].tolist() == [8 * 3 * 9 + 8, 0, 0, 0, 8 * 10 + 10]
    assert table["receptive_field"].tolist() == [3, 3, "all", "all", "all"]
    with pytest.raises(ValueError, match=r"cannot take an input of shape \(2, 1, 32, 32\)"):
        inspection.layer_table(net, (2, 1, 32, 32))
    with pytest.raises(ValueError, match="batch dimension"):
        inspection.layer_table(net, (28,))


def test_print_shapes(capsys):
    inspection.print_shapes(lenet(), (1, 1, 28, 28))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Conv2d output shape:        (1, 6, 28, 28)" and len(lines) == 12


def test_layer_table_leaves_batch_norm_statistics_and_mode_untouched():
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.LazyLinear(3),
                        nn.BatchNorm1d(3))
    net(torch.randn(8, 1, 8, 8))  # a training-mode pass: running statistics move away from 0 and 1
    before = {k: v.clone() for k, v in net.state_dict().items()}
    table = inspection.layer_table(net, (2, 1, 8, 8))
    assert net.training and all(m.training for m in net.modules())
    for key, value in net.state_dict().items():
        assert torch.equal(value, before[key]), f"{key} changed"
    assert list(table.layer) == ["Conv2d", "BatchNorm2d", "ReLU", "Flatten", "Linear", "BatchNorm1d"]


def test_a_layer_called_twice_counts_its_parameters_once():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(4, 4)

        def forward(self, X):
            return self.dense(self.dense(X))

    table = inspection.layer_table(Twice(), (1, 4))
    assert len(table) == 2 and table.params.tolist() == [20, 0] and table.params.sum() == 20


def test_compare_sizes_names_what_a_smaller_input_changes():
    from d2lhelpers import models

    layers, totals = inspection.compare_sizes(models.alexnet, {"book": 224, "quick": 99})
    assert totals.loc["book", "parameters"] == 46_764_746 and totals.loc["book", "last map"] == (256, 5, 5)
    assert totals.loc["quick", "last map"] == (256, 2, 2)             # the classifier reads 4 positions
    assert totals.loc["quick", "parameters"] < totals.loc["book", "parameters"]
    assert 0.9 < totals.loc["book", "conv FLOP share"] < 1 and 0.9 < totals.loc["book", "dense parameter share"] < 1
    first_dense = layers.index[layers.layer == "Linear"][0]
    assert layers.loc[first_dense, "params (book)"] == 6400 * 4096 + 4096
    assert layers.loc[first_dense, "params (quick)"] == 1024 * 4096 + 4096
    with pytest.raises(TypeError, match="sizes names each input side"):
        inspection.compare_sizes(models.alexnet, [224, 99])


def test_dead_channels_finds_the_relu_channels_that_are_zero_for_every_image():
    conv = nn.Conv2d(1, 3, 1)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([1.0, 0.0, -1.0]).view(3, 1, 1, 1))
        conv.bias.copy_(torch.tensor([0.0, -0.5, 0.0]))
    net = nn.Sequential(conv, nn.ReLU())
    positive = [(torch.rand(4, 1, 5, 5) + 0.1, torch.zeros(4))]       # channel 0 passes them, 1 and 2 cannot
    assert inspection.dead_channels(net, positive) == [1, 2]
    mixed = positive + [(-torch.rand(2, 1, 5, 5) - 0.1, torch.zeros(2))]   # channel 2 lives on negative images
    assert inspection.dead_channels(net, mixed) == [1]
    with pytest.raises(ValueError, match="no batches"):
        inspection.dead_channels(net, [])
