"""Spectral netlists co-simulated bit-exactly against the fixed-point model: FFT and
inverse FFT, the sparse Hadamard engine (every pass's cycles equal to the schedule's),
the core (cycles equal to the cycle model), on random layers and on real ResNet-50-1by2
tiles; export and synthesis."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.designs.spectral import checks, fixed
from accelbench.designs.spectral import simulate as sim
from accelbench.designs.spectral.design import SpectralEngine
from accelbench.designs.spectral.engine import EngineConfig, engine_netlist
from accelbench.designs.spectral.golden import K
from accelbench.designs.spectral.program import build_program
from accelbench.errors import NetlistMismatchError
from accelbench.netlist.area import synthesize
from accelbench.netlist.build import build_block, to_verilog

DEFAULT = EngineConfig()  # the registered spectral-p8-b8
SMALL = EngineConfig(lanes=3, banks=2, kernel_depth=1024)  # 4 load cycles per column word


@pytest.fixture(scope="module")
def transforms():
    return sim.fft_harness(), sim.ifft_harness()


@pytest.fixture(scope="module")
def engines():
    return {DEFAULT: sim.engine_harness(DEFAULT), SMALL: sim.engine_harness(SMALL)}


@pytest.fixture(scope="module")
def core():
    return sim.core_harness(DEFAULT)


@settings(max_examples=5)
@given(seed=st.integers(0, 2**32 - 1), tiles=st.integers(1, 9))
def test_fft_and_inverse_fft_bit_exact_with_back_pressure(transforms, seed, tiles):
    checks.check_fft(np.random.default_rng(seed), tiles=max(tiles, 2), harnesses=transforms,
                     seed=seed)


def test_fft_runs_13_cycles_per_tile(transforms):
    fft_h, ifft_h = transforms
    tiles = np.random.default_rng(0).integers(-128, 128, (20, K, K))
    assert sim.run_fft(fft_h, tiles).cycles == 13 * 20 + 1
    yr, yi = fixed.fft2d(tiles)
    assert sim.run_ifft(ifft_h, yr, yi).cycles == 13 * 20 + 1


@settings(max_examples=4)
@given(seed=st.integers(0, 2**32 - 1), small=st.booleans(), c=st.integers(1, 4),
       n=st.integers(1, 10), k=st.sampled_from([1, 3, 5]),
       density=st.sampled_from([1.0, 0.5, 0.25]))
def test_engine_bit_exact_and_pass_cycles_equal_the_schedule(engines, seed, small, c, n, k,
                                                             density):
    cfg = SMALL if small else DEFAULT
    rng = np.random.default_rng(seed)
    q = checks.random_layer(rng, c, n, k=k, size=(int(rng.integers(k, 13)), 7),
                            padding=k // 2, density=density)
    checks.check_engine(rng, cfg, q, harness=engines[cfg], seed=seed)


def test_engine_cycles_follow_the_policy(engines):
    rng = np.random.default_rng(7)
    q = checks.random_layer(rng, 4, 8, density=0.25)
    cycles = checks.check_engine(rng, DEFAULT, q, harness=engines[DEFAULT], stalls=False)
    assert cycles["optimal"] <= cycles["greedy"] < cycles["in-order"]


def test_engine_mismatch_is_reported(engines):
    rng = np.random.default_rng(1)
    q = checks.random_layer(rng, 2, 4)
    program = build_program(q, SMALL.lanes, SMALL.banks)
    program.words[0][0] ^= 1  # corrupt one kernel value
    sim.load_program(engines[SMALL], SMALL, program)
    xr, xi, yr, _ = checks.layer_spectra(q)
    run = sim.run_engine(engines[SMALL], SMALL, program, xr, xi)
    assert not np.array_equal(run.re[:, :4], yr)
    with pytest.raises(NetlistMismatchError, match="differ"):
        checks._same("engine", run.re[:, :4], yr)


def test_core_convolution_and_cycle_model(core):
    rng = np.random.default_rng(11)
    for k, density, policy in ((3, 0.25, "optimal"), (5, 0.5, "in-order"), (1, 1.0, "greedy")):
        q = checks.random_layer(rng, 3, 10, k=k, size=(10, 8), padding=k // 2, density=density)
        checks.check_core(rng, DEFAULT, q, policy, harness=core)
    checks.check_core(rng, DEFAULT, harness=core, stalls=True, seed=5)


def test_core_with_slow_loader_matches_the_cycle_model():
    cfg = EngineConfig(lanes=2, banks=2, kernel_depth=512)
    h = sim.core_harness(cfg)
    rng = np.random.default_rng(4)
    for size in ((6, 6), (14, 9)):
        q = checks.random_layer(rng, 2, 3, size=size, density=0.5)
        checks.check_core(rng, cfg, q, "in-order", harness=h)


@pytest.fixture(scope="module")
def real_crop():
    from accelbench.datasets import real_conv_layers

    layer = next(x for x in real_conv_layers("resnet50-1by2")
                 if x.name == "stage1_block2_branch2b")
    _, x_scale = fixed.quantize_input(layer.input)  # the whole map's scale
    x = layer.input[:8, 5:19, 9:23]
    return fixed.quantize_layer(x, layer.weight[:11, :8], 1, 0.5, x_scale=x_scale)


def test_real_resnet_tiles_bit_exact(transforms, engines, core, real_crop):
    q = real_crop
    assert (q.x == 0).mean() > 0.2  # real ReLU zeros survive the crop
    tiles = fixed.layer_tiles(q)
    flat = tiles.reshape(-1, K, K)
    checks._same("FFT on real tiles", sim.run_fft(transforms[0], flat).re,
                 fixed.fft2d(flat)[0])
    rng = np.random.default_rng(0)
    checks.check_engine(rng, DEFAULT, q, harness=engines[DEFAULT])
    checks.check_core(rng, DEFAULT, q, "optimal", harness=core)
    checks.check_core(rng, DEFAULT, q, "in-order", harness=core)


def test_netlists_export(tmp_path):
    for name, netlist in SpectralEngine().netlists().items():
        text = to_verilog(build_block(netlist.build), f"spectral_{name}")
        assert f"module spectral_{name}" in text
        if name in ("engine", "core"):
            assert "kw_data" in text and "pass_end" in text


def test_small_engine_synthesises():
    cfg = EngineConfig(lanes=1, banks=2, kernel_depth=16, fp=fixed.FixedPoint(max_channels=8))
    report = synthesize(build_block(lambda p: engine_netlist(p, cfg)), "spectral_engine_p1_b2")
    assert report.total_ge > 5000  # 4 multipliers of 17 x 12 bits alone are ~7 kGE
    # two halves x 2 banks of spectrum words (8 channels x 20 words: 256-word macros),
    # the kernel memory and 8 accumulator macros
    assert report.memory_bits == 2 * 2 * 256 * 34 + 16 * 32 + 8 * 8 * 64
