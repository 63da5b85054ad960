"""The ShortcutFusion paper's networks: published parameter and MAC counts, the new graph
ops (concat, nearest upsample, squeeze-excite multiply, several heads), tensor lifetimes,
and SCALE-Sim export."""

import json

import pytest

from accelbench.cli import main
from accelbench.networks.builder import NetBuilder
from accelbench.networks.topology import network_to_rows
from accelbench.networks.types import Layer, Network, NetworkError
from accelbench.networks.zoo import ZOO, retinanet_r50_fpn, yolov3


def parameters(net: Network, batchnorm_learnable: bool = True) -> int:
    """Trainable parameters as PyTorch counts them: the zoo's weights (kernels only, a
    shared head once), plus one bias per output channel of a layer with ``bias=True``, plus
    the BatchNorm after every conv without a bias: 2 learnable values (gamma, beta) per
    channel (running mean and variance are buffers, not parameters). RetinaNet's backbone
    uses FrozenBatchNorm2d, whose values are all buffers: ``batchnorm_learnable=False``."""
    total = net.weight_count
    for layer in net.compute_layers():
        if layer.shares_weights_with:
            continue
        if layer.bias:
            total += layer.out_channels
        elif batchnorm_learnable:
            total += 2 * layer.out_channels
    return total


#: name: (published parameters, published MACs in G, MACs rounding, BN learnable)
PUBLISHED = {
    "resnet152": (60_192_808, 11.51, 0.005, True),  # torchvision: 60.2 M, 11.51 GFLOPS (MACs)
    "efficientnet-b0": (5_288_548, 0.39, 0.005, True),  # torchvision: 0.39 GFLOPS (MACs)
    # Darknet: 65.86 BFLOPs at 416 = 2 x MACs; 61,949,149 parameters (ultralytics count)
    "yolov3": (61_949_149, 65.86 / 2, 0.005, True),
    "retinanet-r50-fpn": (34_014_999, None, None, False),  # torchvision: 34.0 M, no MACs
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameters_and_macs_match_the_published_figures(name, capsys):
    params, gmacs, tol, bn = PUBLISHED[name]
    net = ZOO[name]()
    assert parameters(net, bn) == params
    if gmacs is not None:
        assert abs(net.macs / 1e9 - gmacs) <= tol
    assert main(["networks", "--json"]) == 0
    listed = {n["name"]: n for n in json.loads(capsys.readouterr().out)}
    assert (listed[name]["weights"], listed[name]["macs"]) == (net.weight_count, net.macs)


def test_exact_counts_of_the_new_networks():
    """Kernel weights (no bias, no BN, shared heads once) and MACs, exact."""
    counts = {n: (ZOO[n]().weight_count, ZOO[n]().macs) for n in
              ("resnet152", "efficientnet-b0", "yolov3", "yolov3-256", "retinanet-r50-fpn")}
    assert counts == {
        "resnet152": (60_040_384, 11_513_626_624),
        "efficientnet-b0": (5_236_192, 385_814_752),
        "yolov3": (61_895_776, 32_932_037_632),
        "yolov3-256": (61_895_776, 12_471_304_192),
        "retinanet-r50-fpn": (34_010_048, 151_540_437_248),
    }


def test_yolov3_heads_routes_and_input_sizes():
    net = yolov3()
    assert [o.name for o in net.outputs] == ["conv81", "conv93", "conv105"]
    assert [net.layer(o).out_shape for o in ("conv81", "conv93", "conv105")] == [
        (255, 13, 13), (255, 26, 26), (255, 52, 52)]
    route = net.layer("route86")
    assert route.op == "concat" and route.inputs == ("upsample85", "shortcut61")
    assert route.out_shape == (768, 26, 26)
    assert net.layer("upsample85").out_shape == (256, 26, 26)
    assert [o.out_shape for o in yolov3(256).outputs] == [(255, 8, 8), (255, 16, 16),
                                                          (255, 32, 32)]
    assert not ZOO["yolov3-256"]().in_default_matrix


def test_retinanet_fpn_levels_and_shared_heads():
    net = retinanet_r50_fpn()
    assert net.layer("fpn.sum4").inputs == ("fpn.inner2", "fpn.up4")
    assert [net.layer(f"fpn.layer{i}").out_shape[1] for i in (1, 2, 3)] == [100, 50, 25]
    assert [net.layer(p).out_shape for p in ("fpn.p6", "fpn.p7")] == [(256, 13, 13),
                                                                     (256, 7, 7)]
    assert len(net.outputs) == 10
    assert net.layer("cls.conv0.p5").shares_weights_with == "cls.conv0.p3"
    odd = retinanet_r50_fpn(600)  # C3 75 x 75, C4 38 x 38: FPN upsamples to the size
    assert odd.layer("fpn.up3").out_shape == (256, 75, 75)


def test_efficientnet_b0_squeeze_excite():
    net = ZOO["efficientnet-b0"]()
    scale = net.layer("features.2.0.se.scale")
    assert scale.op == "mul" and scale.inputs == ("features.2.0.dw", "features.2.0.se.fc2")
    assert net.layer("features.2.0.se.fc2").out_shape == (96, 1, 1)
    assert net.layer("features.2.0.se.fc1").out_shape == (4, 1, 1)  # in / 4
    assert net.layer("features.2.0.se.fc1").activation == "silu"
    assert net.layer("features.6.3.add").inputs == ("features.6.3.project",
                                                    "features.6.2.add")


def test_liveness_of_every_tensor():
    b = NetBuilder("n", (2, 4, 4))
    x = b.conv("a", "input", 2, 1)
    y = b.conv("b", x, 2, 1)
    s = b.global_avgpool("pool", y)
    y = b.mul("scale", y, s)
    z = b.add("add", (y, x))
    b.upsample("up", z, 2)
    b.conv("head", z, 1, 1)
    net = b.build()
    life = net.liveness
    assert (life["a"].producer, life["a"].consumers, life["a"].last) == (1, (2, 5), 5)
    assert (life["b"].consumers, life["add"].consumers) == ((3, 4), (6, 7))
    assert life["up"].consumers == () and life["up"].last == life["up"].producer == 6
    assert [o.name for o in net.outputs] == ["up", "head"]
    assert net.input_values("scale") == 2 * 4 * 4 + 2
    assert life["a"].live_at(4) and not life["a"].live_at(6)


def test_bad_new_ops_are_rejected_with_the_layer_named():
    inp = Layer("input", "input", (), (3, 4, 4), (3, 4, 4))
    small = Layer("p", "avgpool", ("input",), (3, 4, 4), (3, 2, 2), (2, 2), (2, 2))
    with pytest.raises(NetworkError, match=r"'cat'.*differ in H x W"):
        Network("n", (inp, small, Layer("cat", "concat", ("input", "p"), (3, 4, 4),
                                        (6, 4, 4))))
    with pytest.raises(NetworkError, match=r"'cat'.*is \(6, 4, 4\), not \(5, 4, 4\)"):
        Network("n", (inp, Layer("cat", "concat", ("input", "input"), (3, 4, 4),
                                 (5, 4, 4))))
    with pytest.raises(NetworkError, match=r"'m': mul takes x and"):
        Network("n", (inp, small, Layer("m", "mul", ("input", "p"), (3, 4, 4), (3, 4, 4))))
    with pytest.raises(NetworkError, match=r"'u': upsample to .* smaller"):
        Network("n", (inp, Layer("u", "upsample", ("input",), (3, 4, 4), (3, 2, 2))))
    with pytest.raises(NetworkError, match=r"'c'.*shares weights with 'nope'"):
        Network("n", (inp, Layer("c", "conv", ("input",), (3, 4, 4), (3, 4, 4),
                                 shares_weights_with="nope")))
    b = NetBuilder("n", (3, 4, 4))
    with pytest.raises(NetworkError, match="does not broadcast"):
        b.mul("m", "input", b.pool("p", "input", "avgpool", 2))


@pytest.mark.parametrize("name", ["resnet152", "efficientnet-b0", "yolov3",
                                  "retinanet-r50-fpn"])
def test_scalesim_topology_export_keeps_working(name, tmp_path):
    net = ZOO[name]()
    rows = network_to_rows(net)
    # one row per compute layer (depthwise as one DP row; no grouped convs here)
    assert len(rows) == len(net.compute_layers())
    out = tmp_path / f"{name}.csv"
    assert main(["network", name, "--topology-csv", str(out)]) == 0
    assert out.read_text().count("\n") == len(rows) + 1
