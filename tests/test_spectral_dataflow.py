"""Dataflow model: DRAM bytes of kernel and activation reuse, the per-layer choice, and
the switch on VGG16."""

import pytest

from accelbench.designs.spectral import dataflow as df
from accelbench.engines.layers import ConvShape
from accelbench.networks.zoo import resnet50, vgg16


@pytest.mark.parametrize("density", [1.0, 0.5, 0.25])
def test_vgg16_switches_from_kernel_to_activation_reuse(density):
    flows = df.network_dataflow(vgg16(), density)
    choices = {layer.name: layer.choice for layer in flows.layers}
    assert len(choices) == 13  # every conv is 3x3 stride 1; the FC layers stay spatial
    assert choices["conv1_2"] == df.KERNEL_REUSE
    assert all(choices[f"conv5_{i}"] == df.ACTIVATION_REUSE for i in (1, 2, 3))
    order = [layer.choice for layer in flows.layers]
    switch = order.index(df.ACTIVATION_REUSE)
    assert set(order[switch:]) == {df.ACTIVATION_REUSE}  # one switch, never back
    ratio = [layer.kernel_to_activation for layer in flows.layers]
    assert ratio[-1] / ratio[0] > 1000  # the spec's ~1000x rise from block 1 to block 5
    assert flows.per_layer_dram <= flows.best_fixed_dram
    assert flows.saving_vs_best_fixed >= 0


def test_layer_bytes_by_hand():
    # 64 -> 64 channels, 3x3, 56x56 input, padding 1: t = 6, 10 tile rows
    shape = ConvShape(64, 56, 56, 64, (3, 3), 1, (1, 1, 1, 1))
    cfg = df.DataflowConfig(kernel_budget=40_000, activation_budget=100_000)
    flow = df.layer_dataflow("x", shape, 0.5, cfg)
    kernels = 64 * 64 * 20 * 4  # 20 bins a kernel, 4 bytes an entry
    acts, outs = 64 * 56 * 56, 64 * 56 * 56
    assert (flow.kernel_bytes, flow.activation_bytes, flow.output_bytes) == (kernels, acts, outs)
    # 5120 B per filter: 7 filters per block -> 10 blocks
    assert flow.kernel_blocks == 10
    assert flow.kernel_reuse_dram == kernels + 10 * acts + outs
    # 3584 B per input row: (100000 / 3584 - 2) / 6 -> 4 tile rows a block -> 3 blocks,
    # each later block re-reads 2 halo rows
    assert flow.activation_blocks == 3
    assert flow.activation_reuse_dram == acts + 2 * 2 * 3584 + 3 * kernels + outs
    assert flow.choice == df.ACTIVATION_REUSE
    roomy = df.layer_dataflow("x", shape, 0.5, df.DataflowConfig(kernel_budget=1 << 20))
    assert roomy.kernel_reuse_dram == kernels + acts + outs
    assert roomy.choice == df.KERNEL_REUSE


def test_storage_options():
    shape = ConvShape(16, 14, 14, 32, (3, 3), 1, (1, 1, 1, 1))
    base = df.layer_dataflow("x", shape, 1.0)
    full = df.layer_dataflow("x", shape, 1.0, df.DataflowConfig(bins=64))
    bitmap = df.layer_dataflow("x", shape, 0.25, df.DataflowConfig(storage="bitmap"))
    assert base.kernel_bytes == 16 * 32 * 40 * 4
    assert full.kernel_bytes == 16 * 32 * 64 * 4
    assert bitmap.kernel_bytes == 16 * 32 * (10 * 3 + 5)
    with pytest.raises(ValueError, match="storage"):
        df.layer_dataflow("x", shape, 1.0, df.DataflowConfig(storage="csr"))


def test_only_stride_one_ungrouped_kxk_convolutions_are_spectral():
    spectral = {layer.name for layer in resnet50() if df.is_spectral(layer)}
    assert "layer1.0.conv2" in spectral  # 3x3 stride 1
    assert "layer2.0.conv2" not in spectral  # 3x3 stride 2
    assert "conv1" not in spectral  # 7x7 stride 2
    assert "layer1.0.conv1" not in spectral  # 1x1
    assert not any(layer.op == "fc" for layer in resnet50() if df.is_spectral(layer))
