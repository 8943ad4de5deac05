"""The networks of the chapter notebooks, for notebooks and scripts that reuse them.

Notebooks 05–08, 10 and 11 write each network out as they teach it and check that it builds the
same layers as the function here; the comparison notebook and the benchmark import them.
All layers are lazy, so every builder accepts any input size the network allows
(``MIN_SIZE`` gives the smallest) and one channel (Fashion-MNIST) or more. For fine-tuning
(notebook 13): :func:`replace_output_layer` and torchvision's pretrained ResNet-18,
:func:`imagenet_resnet18`.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from .recipes import BOOK, QUICK

#: VGG-11's convolutional part: (convolutions, output channels) per block (EN §8.2.2, ZH §7.2.2).
VGG11_ARCH = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
#: VGG-16 and VGG-19 (configurations D and E of Simonyan and Zisserman's Table 1).
VGG16_ARCH = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))
VGG19_ARCH = ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512))


def lenet(num_classes: int = 10, *, activation: type[nn.Module] = nn.Sigmoid,
          pool: type[nn.Module] = nn.AvgPool2d, dropout: float = 0.0) -> nn.Sequential:
    """LeNet-5 as in the book (EN §7.6, ZH §6.6): sigmoid and average pooling by default.

    ``activation``, ``pool`` and ``dropout`` (after each hidden dense layer, only when above 0)
    give the variants the exercises try, e.g. ``lenet(activation=nn.ReLU, pool=nn.MaxPool2d)``.
    """
    def hidden(units: int) -> list[nn.Module]:
        return [nn.LazyLinear(units), activation()] + ([nn.Dropout(dropout)] if dropout > 0 else [])

    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5, padding=2), activation(), pool(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), activation(), pool(kernel_size=2, stride=2), nn.Flatten(),
        *hidden(120), *hidden(84),
        nn.LazyLinear(num_classes))


def bn_lenet(num_classes: int = 10) -> nn.Sequential:
    """LeNet with batch normalization as the book trains it (EN §8.5, ZH §7.5): a BatchNorm after
    each convolution and hidden dense layer, before the sigmoid; unlike ``lenet``, the first
    convolution has no padding (a 28-pixel input leaves 16 maps of 4x4, 256 values, to the dense
    layers)."""
    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.LazyLinear(120), nn.LazyBatchNorm1d(), nn.Sigmoid(),
        nn.LazyLinear(84), nn.LazyBatchNorm1d(), nn.Sigmoid(),
        nn.LazyLinear(num_classes))


def alexnet(num_classes: int = 10) -> nn.Sequential:
    """AlexNet as in the book (EN §8.1, ZH §7.1), for 224-pixel inputs (65 at the least)."""
    return nn.Sequential(
        nn.LazyConv2d(96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.LazyLinear(num_classes))


def vgg_block(num_convs: int, out_channels: int) -> nn.Sequential:
    """``num_convs`` 3x3 convolutions (padding 1) with ReLU, then 2x2 max pooling."""
    layers: list[nn.Module] = []
    for _ in range(num_convs):
        layers += [nn.LazyConv2d(out_channels, kernel_size=3, padding=1), nn.ReLU()]
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def small_arch(arch=VGG11_ARCH, ratio: int = 4) -> tuple[tuple[int, int], ...]:
    """``arch`` with every channel count divided by ``ratio``: the book trains VGG-11 with 4."""
    return tuple((num_convs, channels // ratio) for num_convs, channels in arch)


def vgg(arch=VGG11_ARCH, num_classes: int = 10) -> nn.Sequential:
    """VGG from its blocks and AlexNet's dense layers (EN §8.2, ZH §7.2); VGG-11 by default."""
    return nn.Sequential(
        *(vgg_block(num_convs, channels) for num_convs, channels in arch), nn.Flatten(),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(0.5),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(0.5),
        nn.LazyLinear(num_classes))


def nin_block(out_channels: int, kernel_size: int, strides: int, padding: int,
              num_1x1: int = 2) -> nn.Sequential:
    """A convolution then ``num_1x1`` 1x1 convolutions, each followed by ReLU (two in the book)."""
    layers: list[nn.Module] = [nn.LazyConv2d(out_channels, kernel_size, strides, padding), nn.ReLU()]
    for _ in range(num_1x1):
        layers += [nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU()]
    return nn.Sequential(*layers)


def nin(num_classes: int = 10, *, num_1x1: int = 2) -> nn.Sequential:
    """NiN as in the book (EN §8.3, ZH §7.3): no dense layer, global average pooling at the end."""
    return nn.Sequential(
        nin_block(96, kernel_size=11, strides=4, padding=0, num_1x1=num_1x1),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, kernel_size=5, strides=1, padding=2, num_1x1=num_1x1),
        nn.MaxPool2d(3, stride=2),
        nin_block(384, kernel_size=3, strides=1, padding=1, num_1x1=num_1x1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(num_classes, kernel_size=3, strides=1, padding=1, num_1x1=num_1x1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())


class Residual(nn.Module):
    """The book's residual block (EN §8.6.2, ZH §7.6.2): two 3x3 convolutions with batch
    normalization, the input added before the last ReLU, through a 1x1 convolution
    (``use_1x1conv``) where the channels or the size change. ``shortcut=False`` gives its plain
    twin, the same layers without the addition (and without the 1x1 convolution it would not use)."""

    def __init__(self, num_channels: int, use_1x1conv: bool = False, strides: int = 1, shortcut: bool = True):
        super().__init__()
        self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides) if use_1x1conv and shortcut else None
        self.bn1, self.bn2 = nn.LazyBatchNorm2d(), nn.LazyBatchNorm2d()
        self.shortcut = shortcut

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.shortcut:
            Y = Y + (X if self.conv3 is None else self.conv3(X))
        return F.relu(Y)


#: ResNet-18's stages: (residual blocks, channels) (EN §8.6.3, ZH §7.6.3).
RESNET18_ARCH = ((2, 64), (2, 128), (2, 256), (2, 512))


def resnet(arch=RESNET18_ARCH, num_classes: int = 10, *, shortcut: bool = True) -> nn.Sequential:
    """The book's ResNet: a 7x7 convolution with stride 2, batch normalization, ReLU and 3x3 max
    pooling with stride 2; then a stage of residual blocks per ``arch`` entry (the first block of
    every stage after the first halves the size through a strided 1x1 shortcut); global average
    pooling and a dense layer. ``shortcut=False``: the plain twin."""
    stages = []
    for i, (num_residuals, channels) in enumerate(arch):
        stages.append(nn.Sequential(*(
            Residual(channels, use_1x1conv=(j == 0 and i > 0), strides=2 if (j == 0 and i > 0) else 1,
                     shortcut=shortcut) for j in range(num_residuals))))
    return nn.Sequential(
        nn.Sequential(nn.LazyConv2d(arch[0][1], kernel_size=7, stride=2, padding=3), nn.LazyBatchNorm2d(), nn.ReLU(),
                      nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        *stages, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(num_classes))


def resnet18(num_classes: int = 10) -> nn.Sequential:
    """The book's ResNet-18 (notebook 11): 11.2 M parameters for 10 classes on one channel."""
    return resnet(RESNET18_ARCH, num_classes)


#: ResNet-8's stages: one residual block each, at 32, 64 and 128 channels (notebooks 12 and 13).
RESNET8_ARCH = ((1, 32), (1, 64), (1, 128))


def resnet8(num_classes: int = 10) -> nn.Sequential:
    """The book's ResNet design made small (notebook 12): its stem, one residual block per stage at
    32, 64 and 128 channels, global average pooling and a dense layer; 309,642 parameters for 10
    classes on 28x28 grey images, about 6 MFLOPs each, so that many runs fit on a laptop."""
    return resnet(RESNET8_ARCH, num_classes)


def replace_output_layer(net: nn.Module, num_classes: int) -> nn.Module:
    """Give ``net`` a new output layer for ``num_classes`` classes, as fine-tuning does (EN §14.2,
    ZH §13.2): the last child module with parameters (``recipes.output_layer``), a ``Linear``, is
    replaced by a ``Linear`` with the same inputs, its weights Xavier-initialised like the book's.
    Returns ``net``, changed in place."""
    from .inspection import whole
    from .recipes import output_layer

    whole(num_classes, "num_classes", 1)
    old = output_layer(net)
    if not isinstance(old, nn.Linear):
        raise TypeError(f"the output layer of {type(net).__name__} is a {type(old).__name__}, not a Linear layer: "
                        f"replace it by hand.")
    name = next(n for n, m in net.named_children() if m is old)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device)
    nn.init.xavier_uniform_(new.weight)
    setattr(net, name, new)
    return net


class WeightsNotFoundError(FileNotFoundError):
    """Pretrained weights that are neither in a file given, nor in torch's cache, nor downloadable."""


def imagenet_resnet18(num_classes: int | None = None, *, weights_file: str | os.PathLike | None = None,
                      download: bool = True) -> nn.Module:
    """torchvision's ResNet-18 with its ImageNet weights (``ResNet18_Weights.DEFAULT``, 44.7 MB), the
    book's source model (EN §14.2, ZH §13.2), and, with ``num_classes``, a new output layer
    (:func:`replace_output_layer`). The weights come from ``weights_file`` (a state dict), else
    from torch's cache (``torch.hub.get_dir()``), else from a download (``download=True``).
    Raises :class:`WeightsNotFoundError`, naming the ways to get them, when none works. Its inputs
    are 3-channel images normalised with ImageNet's mean and standard deviation
    (``ResNet18_Weights.DEFAULT.transforms()``)."""
    import torchvision

    weights = torchvision.models.ResNet18_Weights.DEFAULT
    net = torchvision.models.resnet18()
    if weights_file is not None:
        path = Path(weights_file)
        if not path.is_file():
            raise WeightsNotFoundError(f"no weights file at {path}: pass the path of a saved state dict of "
                                       f"torchvision's resnet18.")
        state = torch.load(path, map_location="cpu", weights_only=True)
    else:
        cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(weights.url).name
        if not cached.is_file() and not download:
            raise WeightsNotFoundError(f"ResNet-18's ImageNet weights are not in {cached.parent}; download them once "
                                       f"with download=True (or copy {cached.name} there from a machine that has "
                                       f"them, or pass weights_file=).")
        try:
            state = weights.get_state_dict(progress=False, check_hash=True)
        except Exception as err:                    # no network, a proxy, an interrupted download
            reason = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
            raise WeightsNotFoundError(f"ResNet-18's ImageNet weights could not be downloaded ({reason}); copy "
                                       f"{cached.name} into {cached.parent} from a machine that has them, or pass "
                                       f"weights_file=.") from None
    try:
        net.load_state_dict(state)
    except RuntimeError as err:
        raise ValueError(f"the weights are not those of torchvision's resnet18: {str(err).splitlines()[0]}") from None
    return replace_output_layer(net, num_classes) if num_classes is not None else net


#: The smallest square input each network accepts (every layer still has an output).
MIN_SIZE = {"lenet": 12, "bn-lenet": 16, "alexnet": 65, "vgg": 32, "nin": 67, "resnet": 1}
#: The input size the book trains each network at, and the one the quick and ci profiles use:
#: read from the recipes, so that a size is set in one place.
BOOK_SIZE = {name: recipe.input_size for name, recipe in BOOK["zh"].items()}
QUICK_SIZE = {name: recipe.input_size for name, recipe in QUICK.items()}

#: Builders by the names the checkpoints use: ``checkpoints/<name>-<profile>.pt``.
BUILDERS = {"lenet": lenet, "bn-lenet": bn_lenet, "alexnet": alexnet, "vgg": lambda: vgg(small_arch()), "nin": nin,
            "resnet": resnet18}


def build(name: str) -> nn.Sequential:
    """A fresh network by name: ``lenet``, ``bn-lenet`` (notebook 10), ``alexnet``, ``vgg`` (VGG-11 with a quarter of the
    channels, as trained in notebook 07), ``nin`` or ``resnet`` (ResNet-18, notebook 11)."""
    try:
        return BUILDERS[name]()
    except KeyError:
        raise ValueError(f"no network called {name!r}; choose one of {', '.join(BUILDERS)}.") from None
