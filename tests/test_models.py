"""d2lhelpers.models: the book's networks, their shapes, sizes and smallest inputs."""
import pytest
import torch
from torch import nn

from d2lhelpers import inspection, models, recipes


def params(net, size):
    net(torch.zeros(2, 1, size, size))  # materialise the lazy layers (batch normalization needs 2 values)
    return sum(p.numel() for p in net.parameters())


def test_the_books_output_shapes():
    # the shapes the book prints for each network (EN 7.6, 8.1, 8.2, 8.3)
    cases = {
        "lenet": (28, [(1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10), (1, 16, 5, 5), (1, 120), (1, 84), (1, 10)]),
        "alexnet": (224, [(1, 96, 54, 54), (1, 96, 26, 26), (1, 256, 26, 26), (1, 256, 12, 12), (1, 384, 12, 12),
                          (1, 384, 12, 12), (1, 256, 12, 12), (1, 256, 5, 5), (1, 4096), (1, 4096), (1, 10)]),
    }
    for name, (size, expected) in cases.items():
        table = inspection.layer_table(models.build(name), (1, 1, size, size))
        shapes = [s for s, layer in zip(table.output_shape, table.layer)
                  if layer in ("Conv2d", "Linear", "AvgPool2d", "MaxPool2d")]
        assert shapes == expected, name
    vgg11 = models.vgg()
    blocks, x = [], torch.zeros(1, 1, 224, 224)
    for block in list(vgg11)[:5]:
        x = block(x)
        blocks.append(tuple(x.shape))
    assert blocks == [(1, 64, 112, 112), (1, 128, 56, 56), (1, 256, 28, 28), (1, 512, 14, 14), (1, 512, 7, 7)]
    assert vgg11(torch.zeros(1, 1, 224, 224)).shape == (1, 10)
    x = torch.zeros(1, 1, 224, 224)
    shapes = []
    for layer in models.nin():
        x = layer(x)
        shapes.append(tuple(x.shape))
    assert shapes == [(1, 96, 54, 54), (1, 96, 26, 26), (1, 256, 26, 26), (1, 256, 12, 12), (1, 384, 12, 12),
                      (1, 384, 5, 5), (1, 384, 5, 5), (1, 10, 5, 5), (1, 10, 1, 1), (1, 10)]


def test_parameter_counts():
    assert params(models.lenet(), 28) == 61_706
    assert params(models.alexnet(), 224) == 46_764_746
    assert params(models.vgg(), 224) == 128_806_154
    assert params(models.vgg(models.VGG16_ARCH, num_classes=1000), 224) == 138_357_544 - 1728 + 576  # 1 channel in
    assert params(models.nin(), 224) == 1_992_166
    # BN-LeNet (EN 8.5, ZH 7.5): LeNet without the first padding (256 values into the dense layers) plus
    # a scale and a shift for each of 6 + 16 + 120 + 84 channels and features
    assert params(models.bn_lenet(), 28) == (156 + 2416 + 256 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10
                                             + 2 * (6 + 16 + 120 + 84))


def test_resnet18_has_the_books_shapes_and_its_plain_twin_only_drops_the_additions():
    # the shapes the book prints after each stage at 96 px (EN 8.6.3, ZH 7.6.3)
    net, x, shapes = models.resnet18(), torch.zeros(1, 1, 96, 96), []
    for stage in net:
        x = stage(x)
        shapes.append(tuple(x.shape))
    assert shapes[:5] == [(1, 64, 24, 24), (1, 64, 24, 24), (1, 128, 12, 12), (1, 256, 6, 6), (1, 512, 3, 3)]
    assert shapes[-1] == (1, 10)
    assert params(models.resnet18(), 96) == 11_178_378
    convs = [m for m in models.resnet18().modules() if isinstance(m, nn.Conv2d)]
    assert sum(m.kernel_size != (1, 1) for m in convs) + 1 == 18   # 17 convolutions and a dense layer
    assert sum(m.kernel_size == (1, 1) for m in convs) == 3         # the shortcuts of stages 2-4
    plain = models.resnet(shortcut=False)
    plain(torch.zeros(2, 1, 28, 28))
    assert sum(isinstance(m, nn.Conv2d) and m.kernel_size == (1, 1) for m in plain.modules()) == 0
    torch.manual_seed(0)
    block = models.Residual(3).eval()
    X = torch.rand(4, 3, 6, 6)
    block(X)
    with torch.no_grad():                                   # the branch silenced: the block passes its input
        block.bn2.weight.zero_()
        block.bn2.bias.zero_()
    assert torch.equal(block(X), X)
    assert models.Residual(6, use_1x1conv=True, strides=2)(X).shape == (4, 6, 3, 3)


def test_resnet8_is_resnet18s_design_with_one_block_per_stage():
    net, x, shapes = models.resnet8(), torch.zeros(1, 1, 28, 28), []
    for stage in net:
        x = stage(x)
        shapes.append(tuple(x.shape))
    assert shapes[:4] == [(1, 32, 7, 7), (1, 32, 7, 7), (1, 64, 4, 4), (1, 128, 2, 2)] and shapes[-1] == (1, 10)
    assert params(models.resnet8(), 28) == 309_642
    assert params(models.resnet8(5), 28) == 309_642 - 5 * 129
    table = inspection.layer_table(models.resnet8(), (1, 1, 28, 28))
    assert 6e6 < table.flops.sum() < 6.2e6


def test_bn_lenet_normalises_before_each_sigmoid_and_has_the_books_shapes():
    table = inspection.layer_table(models.bn_lenet(), (1, 1, 28, 28))
    shapes = [s for s, layer in zip(table.output_shape, table.layer) if layer in ("Conv2d", "Linear", "AvgPool2d")]
    assert shapes == [(1, 6, 24, 24), (1, 6, 12, 12), (1, 16, 8, 8), (1, 16, 4, 4), (1, 120), (1, 84), (1, 10)]
    layers = list(table.layer)
    assert [layers[i - 1] for i, layer in enumerate(layers) if layer == "Sigmoid"] == [
        "BatchNorm2d", "BatchNorm2d", "BatchNorm1d", "BatchNorm1d"]


def test_smallest_inputs_are_the_smallest():
    for name, size in models.MIN_SIZE.items():
        assert models.build(name)(torch.zeros(2, 1, size, size)).shape == (2, 10)
        with pytest.raises(RuntimeError):
            models.build(name)(torch.zeros(2, 1, size - 1, size - 1))


def test_variants_and_the_small_vgg():
    assert models.small_arch() == ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))
    relu_max = models.lenet(activation=nn.ReLU, pool=nn.MaxPool2d, dropout=0.3)
    assert isinstance(relu_max[1], nn.ReLU) and isinstance(relu_max[2], nn.MaxPool2d)
    assert [m.p for m in relu_max if isinstance(m, nn.Dropout)] == [0.3, 0.3]
    one = models.nin(num_1x1=1)
    assert sum(isinstance(m, nn.LazyConv2d) or isinstance(m, nn.Conv2d) for m in one.modules()) == 8
    with pytest.raises(ValueError, match="choose one of lenet, bn-lenet, alexnet, vgg, nin, resnet"):
        models.build("googlenet")


def test_the_quick_and_book_sizes_are_accepted():
    assert set(models.QUICK_SIZE) == set(models.BOOK_SIZE) == set(models.BUILDERS)
    for name in models.BUILDERS:
        assert models.MIN_SIZE[name] <= models.QUICK_SIZE[name] <= models.BOOK_SIZE[name]
        assert models.QUICK_SIZE[name] == recipes.QUICK[name].input_size      # one size per net, not two
        assert models.BOOK_SIZE[name] == recipes.BOOK["en"][name].input_size == recipes.BOOK["zh"][name].input_size


def test_replace_output_layer_keeps_the_body_and_gives_a_new_xavier_head():
    net = models.resnet8()
    net(torch.zeros(2, 1, 28, 28))
    body = {k: v.clone() for k, v in net.state_dict().items() if not k.startswith("6.")}
    assert models.replace_output_layer(net, 5) is net
    assert isinstance(net[6], nn.Linear) and (net[6].in_features, net[6].out_features) == (128, 5)
    assert all(torch.equal(net.state_dict()[k], v) for k, v in body.items())
    bound = (6 / (128 + 5)) ** 0.5                     # Xavier's uniform bound
    assert net[6].weight.abs().max() <= bound and net[6].weight.abs().max() > 0.5 * bound
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 5)
    with pytest.raises(TypeError, match="is a Conv2d, not a Linear"):
        models.replace_output_layer(nn.Sequential(nn.Conv2d(1, 2, 3)), 5)
    with pytest.raises(ValueError, match="num_classes"):
        models.replace_output_layer(net, 0)


def test_imagenet_resnet18_loads_weights_from_a_file_and_says_how_to_get_them(tmp_path, monkeypatch):
    import torchvision

    source = torchvision.models.resnet18()            # stands for the ImageNet weights: the test writes them
    path = tmp_path / "resnet18.pth"
    torch.save(source.state_dict(), path)
    net = models.imagenet_resnet18(2, weights_file=path)
    assert torch.equal(net.layer4[1].conv2.weight, source.layer4[1].conv2.weight)
    assert torch.equal(net.bn1.running_var, source.bn1.running_var)
    assert (net.fc.in_features, net.fc.out_features) == (512, 2) and net(torch.zeros(1, 3, 64, 64)).shape == (1, 2)
    whole = models.imagenet_resnet18(weights_file=path)
    assert whole.fc.out_features == 1000 and torch.equal(whole.fc.weight, source.fc.weight)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))   # an empty cache
    with pytest.raises(models.WeightsNotFoundError, match="not in .*hub/checkpoints; download them once"):
        models.imagenet_resnet18(2, download=False)
    with pytest.raises(models.WeightsNotFoundError, match="no weights file at"):
        models.imagenet_resnet18(2, weights_file=tmp_path / "missing.pth")
    other = models.resnet8()
    other(torch.zeros(2, 1, 28, 28))
    torch.save(other.state_dict(), tmp_path / "other.pth")
    with pytest.raises(ValueError, match="not those of torchvision's resnet18"):
        models.imagenet_resnet18(2, weights_file=tmp_path / "other.pth")
