"""ZNZ: the zero-run-length code of EBPC's zero/non-zero mask (vectorised).

Non-zero word -> ``1``. A run of L zeros (1..16) -> ``0`` + (L-1) in 4 bits; a run is
closed by the next non-zero word, by its 16th zero (the counter restarts) or by the end
of the stream.
"""

from __future__ import annotations

import numpy as np

from accelbench.designs.ebpc.bitcode import clog2, field, orbit, windows
from accelbench.errors import StreamFormatError

MAX_RUN = 16  # MAX_ZRLE_LEN of the hardware


def codes(nonzero: np.ndarray, max_run: int = MAX_RUN) -> tuple[np.ndarray, np.ndarray]:
    """One code word per input position (length 0 where a zero only extends its run)."""
    lengths = nonzero.astype(np.int8)
    values = lengths.copy()
    starts, runs = run_starts_and_lengths(~nonzero)
    if runs.size:
        chunks = (runs + max_run - 1) // max_run  # codes per run
        run_of = np.repeat(np.arange(len(runs)), chunks)
        first = np.cumsum(chunks) - chunks
        k = np.arange(len(run_of)) - first[run_of]  # chunk index inside its run
        offset = np.minimum((k + 1) * max_run, runs[run_of]) - 1
        where = starts[run_of] + offset
        lengths[where] = 1 + clog2(max_run)
        values[where] = offset % max_run
    return values, lengths


def run_starts_and_lengths(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of every maximal run of True in ``flags``."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts


def run_lengths(zero: np.ndarray) -> np.ndarray:
    """Lengths of the maximal runs of True in ``zero``."""
    return run_starts_and_lengths(zero)[1]


def code_bits(nonzero: np.ndarray, max_run: int = MAX_RUN) -> int:
    """Size of the ZNZ code in bits: 1 per non-zero, 5 per started 16-zero chunk."""
    chunks = int(((run_lengths(~nonzero) + max_run - 1) // max_run).sum())
    return int(nonzero.sum()) + chunks * (1 + clog2(max_run))


def decode(bits: np.ndarray, n_values: int, max_run: int = MAX_RUN,
           value_bits: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """Parse the codes of ``n_values`` words from the start of ``bits``.

    With ``value_bits`` > 0 a non-zero code carries the word after its ``1`` (zero-RLE).
    Returns (non-zero flags, the carried words of the non-zeros, bits consumed).
    """
    count_bits = clog2(max_run)
    size = 1 + max(count_bits, value_bits)
    m = len(bits)
    win = windows(bits, size)  # positions 0..m
    is_one = field(win, size, 0, 1).astype(bool)
    covered = np.where(is_one, 1, field(win, size, 1, count_bits) + 1)
    length = np.where(is_one, 1 + value_bits, 1 + count_bits)
    # step over positions 0..m+1; m+1 marks "a code read past the end of the stream"
    pos = np.arange(m + 1)
    step = np.append(np.where(pos + length <= m, pos + length, m + 1), m + 1)
    step[m] = m + 1
    starts = orbit(step, 0, min(n_values, m + 1))
    starts = starts[starts < m]  # the orbit ends in the absorbing positions m, m+1
    total = np.cumsum(covered[starts])
    enough = np.nonzero(total >= n_values)[0]
    if enough.size == 0 or not (starts[: enough[0] + 1] + length[starts[: enough[0] + 1]]
                                <= m).all():
        raise StreamFormatError(f"stream truncated: its {m} bits code fewer than "
                                f"{n_values} values")
    k = int(enough[0])
    if total[k] != n_values:
        raise StreamFormatError(f"stream corrupt: a zero run ends {int(total[k])} values "
                                f"in, past the {n_values} values of the stream")
    used = starts[: k + 1]
    flags = np.repeat(is_one[used], covered[used])
    carried = field(win[used[is_one[used]]], size, 1, value_bits) if value_bits else \
        np.zeros(0, np.int64)
    return flags, carried, int(used[-1] + length[used[-1]])
