"""Cycle model of the spectral core (FFT -> engine -> inverse FFT), per layer.

Exact for the netlist of :mod:`accelbench.designs.spectral.core` when input rows are
always available and output blocks always accepted (tests compare it with simulation),
and cheap enough for whole networks: it steps over tiles and filter groups, not cycles.

Timing of the units (derived from their state machines):

* FFT: 8 cycles to take a tile's rows, 5 to emit its columns; the engine's loader takes
  a column word every L = max(1, 8 / B) cycles, so a channel's spectrum enters every
  ``T = max(3L + 10, 5L)`` cycles (13 for B >= 8), and a tile's C spectra fill one half
  of the spectrum buffer. A half is free again one cycle after the engine releases it.
* Engine: a tile's groups start 2 cycles after its last column word arrives (or 1
  cycle after the previous tile's last drain word, if that is later); a group runs its
  passes back to back (sum over channels of the schedule's cycles), 2 flush cycles, then
  drains P spectra of 5 words; the half is released on the first flush cycle of the
  tile's last group.
* Inverse FFT: takes a spectrum's 5 words, then emits 8 rows, so it accepts a new
  spectrum every 13 cycles; the drain of a group runs at that pace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from accelbench.designs.spectral.golden import HALF, K

FFT_ROWS = K
IFFT_PERIOD = HALF + K  # 13 cycles per spectrum through the inverse FFT
FLUSH = 2


def load_interval(banks: int) -> int:
    """Cycles the engine's loader spends on one column word."""
    return max(1, K // banks)


def spectrum_period(banks: int) -> int:
    """Cycles between consecutive spectra entering the engine (FFT-bound)."""
    lo = load_interval(banks)
    return max(3 * lo + 10, 5 * lo)


@dataclass
class CoreCycles:
    total: int  # first input row to the core going idle
    compute: int  # cycles the engine spends running passes
    first_fill: int  # cycles until the first tile's spectra are in


def core_cycles(tiles: int, channels: int, lanes: int, banks: int,
                group_cycles: Sequence[int], *, steady_state: bool = True) -> CoreCycles:
    """Cycles of one layer through the core; ``group_cycles[g]`` = sum over channels of
    group g's pass cycles (the same for every tile).

    The recurrence is a max-plus system with the same inputs for every tile, so once the
    state of one tile is the previous tile's shifted by a uniform delay, every later tile
    repeats that delay: the remaining tiles are then added in one step (exactly;
    ``steady_state=False`` steps through every tile instead).
    """
    if tiles < 1 or not group_cycles:
        raise ValueError("a layer needs at least one tile and one filter group")
    period = spectrum_period(banks)
    lo = load_interval(banks)
    # state after a tile: (s0, release of this and the previous tile, drain_end,
    # ready_ifft, last_word)
    s0 = FFT_ROWS + 1  # the first column word enters the cycle after it is emitted
    rel_prev = rel = None
    drain_end = None
    ready_ifft = last_word = 0
    first_fill = 0
    history: list[tuple[int, ...]] = []
    tile = 0
    while tile < tiles:
        if tile:
            s0 += period * channels
        if rel_prev is not None:
            s0 = max(s0, rel_prev + 1)
        s_last = s0 + period * (channels - 1) + 5 * lo - 1  # its last sub-cycle
        if tile == 0:
            first_fill = s_last
        run = s_last + 2 if drain_end is None else max(drain_end + 1, s_last + 2)
        for g, busy in enumerate(group_cycles):
            start_drain = run + busy + FLUSH
            if g == len(group_cycles) - 1:
                rel_prev, rel = rel, run + busy
            a0 = max(start_drain + 1, ready_ifft)
            drain_end = a0 + IFFT_PERIOD * lanes - 10
            ready_ifft = a0 + IFFT_PERIOD * lanes
            last_word = a0 + IFFT_PERIOD * (lanes - 1) + 4
            run = drain_end + 1
        tile += 1
        if rel_prev is None or not steady_state:
            continue
        state = (s0, rel_prev, rel, drain_end, ready_ifft, last_word)
        history.append(state)
        if len(history) >= 2:
            deltas = {a - b for a, b in zip(state, history[-2], strict=True)}
            if len(deltas) == 1:  # uniform shift: every later tile repeats it
                (delta,) = deltas
                last_word += delta * (tiles - tile)
                break
    total = last_word + 10
    return CoreCycles(total=total, compute=tiles * sum(group_cycles), first_fill=first_fill)
