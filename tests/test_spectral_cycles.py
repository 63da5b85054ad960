"""The core cycle model's shortcut, and the per-layer figures on real and SYNTHETIC
kernels (schedules, conflicts, dataflow, cycles)."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.spectral import evaluate as ev
from accelbench.designs.spectral import schedule as sch
from accelbench.designs.spectral.cycles import core_cycles, spectrum_period
from accelbench.networks.zoo import vgg16


@settings(max_examples=200)
@given(tiles=st.integers(1, 80), channels=st.integers(1, 20), lanes=st.integers(1, 9),
       banks=st.sampled_from([1, 2, 4, 8, 16]),
       groups=st.lists(st.integers(1, 300), min_size=1, max_size=5))
def test_steady_state_shortcut_is_exact(tiles, channels, lanes, banks, groups):
    fast = core_cycles(tiles, channels, lanes, banks, groups)
    slow = core_cycles(tiles, channels, lanes, banks, groups, steady_state=False)
    assert fast == slow
    # never faster than the busiest stage
    assert fast.total >= tiles * max(sum(groups), spectrum_period(banks) * channels)


def test_spectrum_period():
    assert [spectrum_period(b) for b in (1, 2, 4, 8, 16)] == [40, 22, 16, 13, 13]


@pytest.fixture(scope="module")
def real_layers():
    from accelbench.datasets import real_conv_layers

    return ev.real_layer_inputs(real_conv_layers("resnet50-1by2"))


def test_real_resnet_spectral_layers(real_layers):
    assert len(real_layers) == 16  # the stride-1 3x3 convolutions
    assert all(x.source == ev.REAL and x.shape.kernel == (3, 3) for x in real_layers)


def test_optimal_schedules_reach_the_bound_on_real_pruned_kernels(real_layers):
    layer = next(x for x in real_layers if x.name == "stage1_block0_branch2b")
    setup = ev.SpectralSetup()
    masks = ev.kernel_masks(layer.weight, (0.5, 0.25))
    for density, mask in masks.items():
        passes = ev.pass_masks(mask, setup.engine.lanes)  # groups x channels x lanes x 40
        flat = passes.reshape(-1, *passes.shape[2:])
        for m in flat[::37]:
            kernels = [np.flatnonzero(lane).tolist() for lane in m]
            s = sch.schedule(kernels, setup.engine.banks, "optimal")
            s.check()
            assert s.cycles == sch.konig_bound(kernels, setup.engine.banks)
            for policy in ("greedy", "in-order"):
                assert sch.cycles(kernels, setup.engine.banks, policy) == \
                    sch.pass_cycles(m[None], setup.engine.banks, policy)[0]
        fig = ev.layer_figures(layer, mask, density, setup)
        pol = fig["policies"]
        assert pol["optimal"]["conflict_cycles"] <= pol["greedy"]["conflict_cycles"]
        assert pol["optimal"]["conflict_cycles"] < pol["in-order"]["conflict_cycles"]
        assert 0 < pol["optimal"]["lane_utilisation"] <= 1
        assert fig["nonzeros"] == mask.sum() == 64 * 64 * round(40 * density)
        assert fig["kernels"] == "real" and fig["tiles"] == 5 * 5


def test_synthetic_network_figures_are_labelled_and_consistent():
    inputs = ev.network_inputs(vgg16())[:2]
    assert [x.source for x in inputs] == [ev.SYNTHETIC] * 2
    figs = ev.network_figures(inputs, ev.SpectralSetup(densities=(1.0, 0.25)))
    dense = figs["layers"]["1.0"]
    # dense kernels: every lane reads all 40 bins, 8 lanes x 40 reads over 8 banks of 5
    # bins: 40 cycles a pass, no conflict for greedy or optimal
    assert all(r["policies"]["optimal"]["conflict_cycles"] == 0 for r in dense)
    assert dense[1]["policies"]["optimal"]["pass_cycles"] == 38 * 38 * 8 * 64 * 40
    sparse = figs["summary"]["0.25"]
    assert sparse["nonzeros"] == (64 * 3 + 64 * 64) * 10
    assert sparse["policies"]["optimal"]["core_cycles"] < figs["summary"]["1.0"][
        "policies"]["optimal"]["core_cycles"]
    assert figs["summary"]["0.25"]["dataflow"]["choices"][1] == "kernel"
