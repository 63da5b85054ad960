"""Network graphs: the zoo's shapes, shortcut edges, validation errors, the CLI."""

import json

import pytest

from accelbench.cli import main
from accelbench.networks.builder import NetBuilder, same_pads
from accelbench.networks.types import Layer, Network, NetworkError
from accelbench.networks.zoo import ZOO, efficientnet_lite0, resnet34, resnet50
from accelbench.registry import build_registry

#: MACs and weights (no biases, no BatchNorm) of the reference implementations
KNOWN = {
    "alexnet": (724_406_816, 60_954_656),  # BVLC AlexNet: 60,965,224 params with biases
    "vgg16": (15_470_264_320, 138_344_128),  # 138,357,544 with biases
    "resnet34": (3_663_761_408, 21_779_648),
    "resnet50": (4_089_184_256, 25_502_912),  # 25,557,032 with fc bias and BN
    "mobilenetv2": (300_774_272, 3_469_760),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_zoo_macs_and_weights_match_reference_models(name):
    net = ZOO[name]()
    assert (net.macs, net.weight_count) == KNOWN[name]


def test_all_six_networks_are_registered():
    reg = build_registry(entry_points=False)
    assert set(ZOO) <= set(reg.networks)
    assert reg.plugin_of("network", "resnet50").name == "networks"


def test_resnet_shortcuts_are_explicit_edges():
    net = resnet34()
    add = net.layer("layer2.0.add")
    assert add.inputs == ("layer2.0.conv2", "layer2.0.downsample")
    assert [c.name for c in net.consumers("layer1.2.add")] == ["layer2.0.conv1",
                                                                 "layer2.0.downsample"]
    assert ("layer1.0.add", "layer1.1.add") in net.shortcut_edges()
    assert net.tensor_bytes("layer1.0.add") == 64 * 56 * 56
    assert net.tensor_bytes("layer1.0.add", 2) == 2 * 64 * 56 * 56
    assert len(net.shortcut_edges()) == 16 + 3  # identity shortcuts + downsample inputs


def test_resnet50_is_v1_5_with_the_stride_on_the_3x3():
    layer = resnet50().layer("layer2.0.conv2")
    assert layer.stride == (2, 2) and layer.kernel == (3, 3)
    assert resnet50().layer("layer2.0.conv1").stride == (1, 1)


def test_efficientnet_lite0_uses_tensorflow_same_padding():
    net = efficientnet_lite0()
    assert net.layer("stem").pads == (0, 1, 0, 1)
    assert net.layer("block03.dw").pads == (1, 2, 1, 2)  # 5x5 stride 2 at 56x56
    assert net.layer("block00.dw").op == "dwconv"
    assert same_pads(112, 3, 2) == (0, 1)
    assert [a.name for a in net.layers if a.op == "add"][:2] == ["block02.add", "block04.add"]


def test_efficientnet_lite0_matches_the_real_dataset_layers():
    from accelbench.datasets import real_conv_layers

    real = real_conv_layers("efficientnet-lite0", 0)  # a hard dependency: always buildable
    convs = [layer for layer in efficientnet_lite0().compute_layers() if layer.op != "fc"]
    assert [c.name for c in convs] == [r.name for r in real]
    for c, r in zip(convs, real, strict=True):
        assert (c.in_shape, c.out_shape, c.pads, c.stride, c.groups, c.activation) == (
            r.input.shape, r.output.shape, r.pads, r.stride, r.groups, r.activation)


def test_bad_graphs_are_rejected_with_the_layer_named():
    inp = Layer("input", "input", (), (3, 8, 8), (3, 8, 8))
    with pytest.raises(NetworkError, match=r"'conv'.*not an earlier layer"):
        Network("n", (inp, Layer("conv", "conv", ("nope",), (3, 8, 8), (4, 8, 8))))
    with pytest.raises(NetworkError, match="does not follow"):
        Network("n", (inp, Layer("conv", "conv", ("input",), (3, 8, 8), (4, 8, 8),
                                 (3, 3), (1, 1), (0, 0, 0, 0))))
    with pytest.raises(NetworkError, match="duplicate"):
        Network("n", (inp, inp))
    b = NetBuilder("n", (3, 8, 8))
    x = b.conv("a", "input", 4, 3, 1, 1)
    y = b.conv("b", "input", 4, 3, 2, 1)
    with pytest.raises(NetworkError, match="operand shapes"):
        b.add("sum", (x, y))


def test_cli_lists_and_shows_networks(capsys, tmp_path):
    assert main(["networks", "--json"]) == 0
    listed = {n["name"]: n for n in json.loads(capsys.readouterr().out)}
    assert listed["vgg16"]["macs"] == KNOWN["vgg16"][0]
    assert main(["network", "mobilenetv2", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["layers"][0]["op"] == "input"
    assert main(["network", "mobilenetv2"]) == 0
    assert "features.1.dw" in capsys.readouterr().out
    out = tmp_path / "mnv2.csv"
    assert main(["network", "mobilenetv2", "--topology-csv", str(out)]) == 0
    assert "features.1.dw_DP, 114, 114, 3, 3, 32, 1, 1," in out.read_text()
    assert main(["network", "resnet35"]) == 2
    assert "unknown network 'resnet35'; did you mean" in capsys.readouterr().err
