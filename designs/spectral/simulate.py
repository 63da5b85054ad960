"""Co-simulation drivers: the spectral netlists on integer tiles, spectra and layers.

Each driver packs the fixed-point model's arrays into stream words, runs a
:class:`~accelbench.designs.spectral.harness.WideStreamHarness` and unpacks the result, so
tests, ``verify`` and the cycle-model checks compare like with like.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accelbench.designs.spectral import fft
from accelbench.designs.spectral.engine import EngineConfig, engine_netlist
from accelbench.designs.spectral.fixed import DEFAULT, FixedPoint
from accelbench.designs.spectral.golden import HALF, K
from accelbench.designs.spectral.harness import WideStreamHarness
from accelbench.designs.spectral.program import Program
from accelbench.errors import NetlistMismatchError


def pack_words(values: np.ndarray, width: int) -> list[int]:
    """Rows of ``values`` (n x m ints) as words, element 0 in the low bits."""
    mask = (1 << width) - 1
    out = []
    for row in np.asarray(values).reshape(len(values), -1).tolist():
        word = 0
        for i, v in enumerate(row):
            word |= (int(v) & mask) << (i * width)
        out.append(word)
    return out


def pack_complex_words(re: np.ndarray, im: np.ndarray, width: int) -> list[int]:
    """Rows of complex values as words of {re, im} pairs (re in the upper half)."""
    mask = (1 << width) - 1
    inter = (np.asarray(re, dtype=object) & mask) * (1 << width) + (
        np.asarray(im, dtype=object) & mask)
    return pack_words(inter, 2 * width)


def unpack_signed(words: Sequence[int], width: int, count: int) -> np.ndarray:
    mask, sign = (1 << width) - 1, 1 << (width - 1)
    out = np.zeros((len(words), count), dtype=np.int64)
    for r, word in enumerate(words):
        word = int(word)
        for i in range(count):
            v = (word >> (i * width)) & mask
            out[r, i] = v - (1 << width) if v & sign else v
    return out


def unpack_complex(words: Sequence[int], width: int) -> tuple[np.ndarray, np.ndarray]:
    both = unpack_signed(words, width, 2 * K)
    return both[:, 1::2], both[:, 0::2]


def fft_harness(fp: FixedPoint = DEFAULT, simulator: str = "compiled") -> WideStreamHarness:
    return WideStreamHarness(lambda p: fft.fft2d_netlist(p, fp), simulator=simulator)


def ifft_harness(fp: FixedPoint = DEFAULT, simulator: str = "compiled") -> WideStreamHarness:
    return WideStreamHarness(lambda p: fft.ifft2d_netlist(p, fp), simulator=simulator)


def engine_harness(cfg: EngineConfig, simulator: str = "compiled") -> WideStreamHarness:
    return WideStreamHarness(lambda p: engine_netlist(p, cfg), simulator=simulator)


@dataclass
class Run:
    re: np.ndarray
    im: np.ndarray | None
    cycles: int


def run_fft(h: WideStreamHarness, tiles: np.ndarray, fp: FixedPoint = DEFAULT,
            **stalls) -> Run:
    """T x 8 x 8 integer tiles -> spectra (re, im) T x 8 x 5."""
    t = len(tiles)
    res = h.run({"tile": pack_words(np.asarray(tiles).reshape(t * K, K), fp.in_bits)}, {},
                **stalls)
    re, im = unpack_complex(res.outputs["spec"], fp.spec_bits)
    _expect_last(res.last_index["spec"], len(res.outputs["spec"]), t * HALF)
    return Run(np.swapaxes(re.reshape(t, HALF, K), 1, 2),
               np.swapaxes(im.reshape(t, HALF, K), 1, 2), res.cycles)


def spectrum_words(re: np.ndarray, im: np.ndarray, width: int) -> list[int]:
    """... x 8 x 5 spectra -> column words (v = 0..4 per spectrum), in array order."""
    cols_re = np.swapaxes(np.asarray(re), -1, -2).reshape(-1, K)
    cols_im = np.swapaxes(np.asarray(im), -1, -2).reshape(-1, K)
    return pack_complex_words(cols_re, cols_im, width)


def run_ifft(h: WideStreamHarness, yr: np.ndarray, yi: np.ndarray,
             fp: FixedPoint = DEFAULT, **stalls) -> Run:
    """Spectra T x 8 x 5 -> real blocks T x 8 x 8."""
    t = len(yr)
    res = h.run({"acc": spectrum_words(yr, yi, fp.acc_bits)}, {}, **stalls)
    blocks = unpack_signed(res.outputs["tile"], fp.out_bits, K).reshape(t, K, K)
    _expect_last(res.last_index["tile"], len(res.outputs["tile"]), t * K)
    return Run(blocks, None, res.cycles)


def load_program(h: WideStreamHarness, cfg: EngineConfig, program: Program) -> None:
    """Write the kernel memories through the ``kw_*`` port (one entry per lane a cycle;
    shorter lanes get ``nop`` padding)."""
    depth = program.depth
    if depth == 0:
        return
    width = cfg.layout.width
    padded = [words + [cfg.layout.empty] * (depth - len(words)) for words in program.words]
    data = [sum(padded[lane][a] << (lane * width) for lane in range(cfg.lanes))
            for a in range(depth)]
    h.load({"kw_en": [1] * depth, "kw_addr": list(range(depth)), "kw_data": data})


@dataclass
class EngineRun:
    re: np.ndarray  # tiles x groups*P x 8 x 5 accumulators
    im: np.ndarray
    pass_cycles: np.ndarray  # tiles x groups x channels, measured
    cycles: int


def run_engine(h: WideStreamHarness, cfg: EngineConfig, program: Program,
               xr: np.ndarray, xi: np.ndarray, **stalls) -> EngineRun:
    """Tile spectra (tiles x C x 8 x 5) through a loaded engine; kernel memories must
    hold ``program`` (:func:`load_program`)."""
    tiles, channels = xr.shape[:2]
    if channels != program.channels:
        raise ValueError(f"spectra have {channels} channels, the program {program.channels}")
    side = _run_inputs(channels, program)
    res = h.run({"spec": spectrum_words(xr, xi, cfg.fp.spec_bits)}, side,
                watch=("running", "pass_end"), **stalls)
    lanes = cfg.lanes
    re, im = unpack_complex(res.outputs["acc"], cfg.fp.acc_bits)
    count = tiles * program.groups * lanes
    if re.shape[0] != count * HALF:
        raise NetlistMismatchError(f"engine emitted {re.shape[0]} accumulator columns, "
                                   f"expected {count * HALF}")
    _expect_last(res.last_index["acc"], re.shape[0], count * HALF)
    shape = (tiles, program.groups * lanes, HALF, K)
    running = h.traces["running"]
    ends = np.flatnonzero(h.traces["pass_end"])
    per_pass = np.diff(np.concatenate([[0], np.cumsum(running)[ends]]))
    return EngineRun(np.swapaxes(re.reshape(shape), 2, 3), np.swapaxes(im.reshape(shape), 2, 3),
                     per_pass.reshape(tiles, program.groups, channels), res.cycles)


def _run_inputs(channels: int, program: Program) -> dict[str, int]:
    return {"channels": channels - 1, "groups": program.groups - 1, "kw_en": 0,
            "kw_addr": 0, "kw_data": 0}


def _expect_last(last_index: list[int], words: int, expected: int) -> None:
    if words != expected or last_index != [expected - 1]:
        raise NetlistMismatchError(f"stream ended after {words} words with last at "
                                   f"{last_index}; expected {expected} words, last on "
                                   "the final one")


def core_harness(cfg: EngineConfig, simulator: str = "compiled") -> WideStreamHarness:
    from accelbench.designs.spectral.core import core_netlist

    return WideStreamHarness(lambda p: core_netlist(p, cfg), simulator=simulator)


@dataclass
class CoreRun:
    blocks: np.ndarray  # tiles x groups*P x 8 x 8 integer output blocks
    pass_cycles: np.ndarray  # tiles x groups x channels
    cycles: int


def run_core(h: WideStreamHarness, cfg: EngineConfig, program: Program, tiles: np.ndarray,
             **stalls) -> CoreRun:
    """Input tiles (C x Th x Tw x 8 x 8 integers) through a loaded core."""
    channels = tiles.shape[0]
    per_tile = np.moveaxis(tiles.reshape(channels, -1, K, K), 0, 1)  # T x C x 8 x 8
    count = per_tile.shape[0]
    side = _run_inputs(channels, program)
    res = h.run({"tile": pack_words(per_tile.reshape(-1, K), cfg.fp.in_bits)}, side,
                watch=("running", "pass_end"), **stalls)
    expected = count * program.groups * cfg.lanes * K
    _expect_last(res.last_index["block"], len(res.outputs["block"]), expected)
    blocks = unpack_signed(res.outputs["block"], cfg.fp.out_bits, K)
    running = h.traces["running"]
    ends = np.flatnonzero(h.traces["pass_end"])
    per_pass = np.diff(np.concatenate([[0], np.cumsum(running)[ends]]))
    return CoreRun(blocks.reshape(count, program.groups * cfg.lanes, K, K),
                   per_pass.reshape(count, program.groups, channels), res.cycles)
