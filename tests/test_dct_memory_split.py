"""On-chip memory split model (feature-map buffer + scratch pad): hand-computed cases."""

import pytest

from accelbench.designs.dct import memory_split as ms
from accelbench.networks.builder import NetBuilder
from accelbench.networks.zoo import efficientnet_lite0, resnet50


def _residual_net():
    """input 1x4x4 (16 B) -> a: 2x4x4 (32 B, 2 B weights) -> b: 32 B (4 B weights)
    -> c = b + a (32 B): a is a shortcut, live from a to c."""
    nb = NetBuilder("tiny", (1, 4, 4))
    a = nb.conv("a", "input", 2, 1)
    b = nb.conv("b", a, 2, 1)
    nb.add("c", (b, a))
    return nb.build()


def test_onchip_bytes_hand_computed():
    net = _residual_net()
    # live at a: input + a = 48; at b: a + b = 64; at c: a + b + c = 96
    assert ms.onchip_bytes(net) == 96
    # compressed: a/2 = 16, b/4 = 8, c = 32 -> peak at c: 56
    assert ms.onchip_bytes(net, {"a": 2, "b": 4}) == 56


def test_layer_map_bytes():
    net = _residual_net()
    assert [ms.layer_map_bytes(net, n, {}) for n in "abc"] == [48, 64, 96]
    assert ms.layer_map_bytes(net, "c", {"a": 2, "b": 2, "c": 2}) == 48


def test_dram_bytes_everything_fits():
    net = _residual_net()
    # a and b stay on chip; the input is read (16), c written (32), weights 2 + 4
    for size in (100, 1000):
        result = ms.dram_bytes(net, size)
        assert result.dram_bytes == 16 + 32 + 6
        assert [row.maps_on_chip for row in result.layers] == [True, True, False]
        assert result.split == "per-layer"


def test_dram_bytes_fixed_split_hand_computed():
    net = _residual_net()
    result = ms.dram_bytes(net, 100, fixed_fraction=0.5)  # 50 B buffer: only a's 48 fit
    # a: read input 16, write a 32, weights 2; b: read a 32, write b 32, weights 4;
    # c: read b 32 and a 32, write c 32
    assert [row.dram_bytes for row in result.layers] == [50, 68, 96]
    assert result.dram_bytes == 214
    assert all(row.map_buffer == 50 and row.scratch_pad == 50 for row in result.layers)


def test_compression_keeps_maps_on_chip():
    net = _residual_net()
    assert ms.dram_bytes(net, 70).dram_bytes == 214  # c's 96 B never fit: all off chip
    ratios = {"a": 2, "b": 2, "c": 2}  # needs 32, 32, 48 <= 70
    assert ms.dram_bytes(net, 70, ratios).dram_bytes == 16 + 16 + 6


def test_per_layer_split_gives_the_sram_to_weights_when_that_is_cheaper():
    nb = NetBuilder("wide", (4, 2, 2))  # input 16 B
    nb.conv("x", "input", 10, 1)  # 40 B out, 40 B weights
    net = nb.build()
    # fixed: 30 B buffer (maps do not fit), 30 B scratch -> 2 weight tiles, input re-read
    assert ms.dram_bytes(net, 60, fixed_fraction=0.5).dram_bytes == 16 + 40 + 40 + 16
    # keeping the 56 B of maps would leave 4 B of scratch pad (10 tiles): streaming wins
    result = ms.dram_bytes(net, 60)
    assert result.dram_bytes == 16 + 40 + 40
    assert result.layers[0].map_buffer == 0 and result.layers[0].weight_tiles == 1


def test_real_networks_headline_and_aliases():
    net = efficientnet_lite0()
    ratios = ms.network_ratios(net, {"stem": 4.0, "block00.out": 2.0, "block02.out": 3.0,
                                     "not-a-layer": 9.0})
    assert ratios == {"stem": 4.0, "block00.project": 2.0, "block02.add": 3.0}
    table = ms.split_table(net, [256 << 10, 1 << 20], {n.name: 3.0 for n in net.layers})
    assert table["onchip_bytes_uncompressed"] == 96 * 112 * 112 + 96 * 56 * 56  # block01.dw
    assert table["onchip_bytes_compressed"] == (96 * 112 * 112 + 96 * 56 * 56) // 3
    for row in table["rows"]:
        assert row["per_layer_dram_bytes"] <= row["fixed_dram_bytes"]
        assert row["per_layer_dram_bytes"] < row["uncompressed_per_layer_dram_bytes"]
    aliases = ms.dataset_layer_aliases(resnet50())
    assert aliases["stage0_block0_branch2a"] == "layer1.0.conv1"
    assert aliases["stage3_block2.out"] == "layer4.2.add"


def test_bad_arguments():
    net = _residual_net()
    with pytest.raises(ValueError, match="positive"):
        ms.onchip_bytes(net, {"a": 0})
    with pytest.raises(ValueError, match="fraction"):
        ms.dram_bytes(net, 100, fixed_fraction=1.5)
    with pytest.raises(ValueError, match=">= 0"):
        ms.dram_bytes(net, -1)
