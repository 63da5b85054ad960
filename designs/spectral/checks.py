"""Co-simulation checks of the spectral netlists against the fixed-point model.

Used by :meth:`SpectralEngine.verify` and by the tests (which pass their own harnesses
and layers, synthetic or real). Each raises :class:`NetlistMismatchError` naming what
differs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from accelbench.designs.spectral import fixed
from accelbench.designs.spectral import simulate as sim
from accelbench.designs.spectral.cycles import core_cycles
from accelbench.designs.spectral.engine import EngineConfig
from accelbench.designs.spectral.golden import BINS, HALF, K, overlap_add
from accelbench.designs.spectral.harness import WideStreamHarness
from accelbench.designs.spectral.program import Program, build_program
from accelbench.designs.spectral.schedule import POLICIES
from accelbench.errors import NetlistMismatchError

STALLS = {"valid_probability": 0.7, "ready_probability": 0.6}


def _same(what: str, got: np.ndarray, want: np.ndarray) -> None:
    if got.shape != want.shape or not np.array_equal(got, want):
        bad = int(np.sum(got != want)) if got.shape == want.shape else "shape"
        raise NetlistMismatchError(f"{what}: {bad} values differ from the fixed-point model")


def random_layer(rng: np.random.Generator, channels: int, filters: int, k: int = 3,
                 size: tuple[int, int] = (9, 11), padding: int = 1,
                 density: float = 0.5) -> fixed.QuantizedLayer:
    """A random layer (SYNTHETIC: Gaussian input and kernels), quantised."""
    x = rng.standard_normal((channels, *size))
    w = rng.standard_normal((filters, channels, k, k))
    return fixed.quantize_layer(x, w, padding, density)


def check_fft(rng: np.random.Generator, fp: fixed.FixedPoint = fixed.DEFAULT, tiles: int = 6,
              harnesses: tuple[WideStreamHarness, WideStreamHarness] | None = None,
              seed: int = 0) -> None:
    """Random tiles through the FFT, random spectra through the inverse FFT, both under
    random back-pressure; worst-case tiles (all -128 / all 127) too."""
    fft_h, ifft_h = harnesses or (sim.fft_harness(fp), sim.ifft_harness(fp))
    lo, hi = -(1 << (fp.in_bits - 1)), (1 << (fp.in_bits - 1)) - 1
    x = rng.integers(lo, hi + 1, (tiles, K, K))
    x[0], x[1] = lo, hi
    run = sim.run_fft(fft_h, x, fp, seed=seed, **STALLS)
    want_re, want_im = fixed.fft2d(x, fp)
    _same("FFT real parts", run.re, want_re)
    _same("FFT imaginary parts", run.im, want_im)
    top = 1 << (fp.acc_bits - 2)
    scale = rng.integers(0, fp.acc_bits - 4, (tiles, 1, 1))
    yr = rng.integers(-top, top, (tiles, K, HALF)) >> scale
    yi = rng.integers(-top, top, (tiles, K, HALF)) >> scale
    out = sim.run_ifft(ifft_h, yr, yi, fp, seed=seed + 1, **STALLS)
    _same("inverse FFT", out.re, fixed.ifft2d(yr, yi, fp))


def layer_spectra(q: fixed.QuantizedLayer, fp: fixed.FixedPoint = fixed.DEFAULT):
    """Tile spectra of a layer (tiles x C x 8 x 5, re and im) and the expected
    accumulators (tiles x N x 8 x 5)."""
    tiles = fixed.layer_tiles(q)
    c = tiles.shape[0]
    xr, xi = fixed.fft2d(tiles, fp)
    xr, xi = xr.reshape(c, -1, BINS), xi.reshape(c, -1, BINS)
    yr, yi = fixed.hadamard(xr, xi, q.wr, q.wi, fp)
    count = xr.shape[1]

    def per_tile(a: np.ndarray) -> np.ndarray:
        return np.moveaxis(a, 0, 1).reshape(count, a.shape[0], K, HALF)

    return per_tile(xr), per_tile(xi), per_tile(yr), per_tile(yi)


def check_engine(rng: np.random.Generator, cfg: EngineConfig,
                 q: fixed.QuantizedLayer | None = None,
                 policies: Sequence[str] = POLICIES, harness: WideStreamHarness | None = None,
                 stalls: bool = True, seed: int = 0) -> dict[str, int]:
    """The engine on a layer (random by default) under each policy: accumulators
    bit-exact, lanes past the last filter zero, every pass's cycles equal to the
    schedule's. Returns the engine cycles per policy."""
    if q is None:
        q = random_layer(rng, 3, cfg.lanes + 1, density=0.5)
    h = harness or sim.engine_harness(cfg)
    xr, xi, yr, yi = layer_spectra(q, cfg.fp)
    n = q.wr.shape[0]
    cycles = {}
    for policy in policies:
        program = build_program(q, cfg.lanes, cfg.banks, policy, cfg.layout)
        sim.load_program(h, cfg, program)
        run = sim.run_engine(h, cfg, program, xr, xi, seed=seed, **(STALLS if stalls else {}))
        _same(f"engine accumulators ({policy}), real", run.re[:, :n], yr)
        _same(f"engine accumulators ({policy}), imaginary", run.im[:, :n], yi)
        if run.re[:, n:].any() or run.im[:, n:].any():
            raise NetlistMismatchError(f"engine ({policy}): lanes without a filter are not 0")
        expected = np.broadcast_to(np.array(program.pass_cycles), run.pass_cycles.shape)
        if not np.array_equal(run.pass_cycles, expected):
            raise NetlistMismatchError(f"engine ({policy}): pass cycles {run.pass_cycles[0]} "
                                       f"differ from the schedule's {program.pass_cycles}")
        cycles[policy] = run.cycles
    return cycles


def core_output(run: sim.CoreRun, q: fixed.QuantizedLayer) -> np.ndarray:
    """Overlap-and-add of the core's output blocks (what the output buffer does)."""
    tiles = fixed.layer_tiles(q)
    th, tw = tiles.shape[1:3]
    n = q.wr.shape[0]
    blocks = run.blocks[:, :n].reshape(th, tw, n, K, K).transpose(2, 0, 1, 3, 4)
    hp, wp = q.x.shape[1] + 2 * q.padding, q.x.shape[2] + 2 * q.padding
    return overlap_add(blocks, q.k, (hp - q.k + 1, wp - q.k + 1))


def check_core(rng: np.random.Generator, cfg: EngineConfig,
               q: fixed.QuantizedLayer | None = None, policy: str = "optimal",
               harness: WideStreamHarness | None = None, stalls: bool = False,
               seed: int = 0) -> int:
    """The core on a layer: the overlap-added output equals the fixed-point convolution;
    without stalls its cycles equal :func:`core_cycles`. Returns the cycles."""
    if q is None:
        q = random_layer(rng, 2, cfg.lanes + 1, density=0.25)
    h = harness or sim.core_harness(cfg)
    program: Program = build_program(q, cfg.lanes, cfg.banks, policy, cfg.layout)
    sim.load_program(h, cfg, program)
    tiles = fixed.layer_tiles(q)
    run = sim.run_core(h, cfg, program, tiles, seed=seed, **(STALLS if stalls else {}))
    _same("core output (after overlap-and-add)", core_output(run, q),
          fixed.spectral_conv2d_fixed(q, cfg.fp))
    if not stalls:
        model = core_cycles(tiles.shape[1] * tiles.shape[2], tiles.shape[0], cfg.lanes,
                            cfg.banks, [sum(row) for row in program.pass_cycles]).total
        if run.cycles != model:
            raise NetlistMismatchError(f"core took {run.cycles} cycles, the cycle model says "
                                       f"{model}")
    return run.cycles
