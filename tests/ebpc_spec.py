"""A slow, literal transcription of specs/ebpc.md (bit strings, one value at a time),
used by the tests as a reference independent of the vectorised golden models."""

import numpy as np
from hypothesis import strategies as st

from accelbench.designs.ebpc.bitcode import clog2


# --- a slow, literal transcription of specs/ebpc.md (bit strings, one value at a time) ---
def _bits(value: int, width: int) -> str:
    return format(value & ((1 << width) - 1), f"0{width}b")


def spec_znz(values) -> str:
    out, run = "", 0
    for v in values:
        if v != 0:
            if run:
                out += "0" + _bits(run - 1, 4)
                run = 0
            out += "1"
        else:
            run += 1
            if run == 16:
                out += "0" + _bits(15, 4)
                run = 0
    if run:
        out += "0" + _bits(run - 1, 4)
    return out


def spec_symbol(x: str, dbp: str, b: int) -> str:
    if set(x) == {"1"}:
        return "00000"
    if set(dbp) == {"0"}:
        return "00001"
    ones = [i for i, c in enumerate(x) if c == "1"]
    if len(ones) == 2 and ones[1] == ones[0] + 1:
        return "00010" + _bits(ones[0], clog2(b))
    if len(ones) == 1:
        return "00011" + _bits(ones[0], clog2(b))
    return "1" + x


def spec_block(block, w: int, b: int) -> str:
    out = _bits(block[0], w)
    deltas = [_bits(block[j + 1] - block[j], w + 1) for j in range(b - 1)]
    planes = ["".join(d[w - p] for d in deltas) for p in range(w + 1)]
    run = 0
    for p in range(w + 1):
        x = planes[0] if p == 0 else _bits(int(planes[p], 2) ^ int(planes[p - 1], 2), b - 1)
        if set(x) == {"0"}:
            run += 1
            continue
        if run:
            out += "01" if run == 1 else "001" + _bits(run - 2, clog2(w))
            run = 0
        out += spec_symbol(x, planes[p], b)
    if run:
        out += "01" if run == 1 else "001" + _bits(run - 2, clog2(w))
    return out


def spec_bpc(values, w: int, b: int) -> str:
    nz = [int(v) for v in values if v != 0]
    if nz:
        nz += [0] * ((-len(nz)) % b)
    return "".join(spec_block(nz[i:i + b], w, b) for i in range(0, len(nz), b))


def spec_words(bits: str, w: int) -> list[int]:
    bits += "0" * ((-len(bits)) % w)
    return [int(bits[i:i + w], 2) for i in range(0, len(bits), w)]


@st.composite
def signed_words(draw, w, max_size=300):
    n = draw(st.integers(1, max_size))
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    zero_p = draw(st.sampled_from([0.0, 0.3, 0.6, 0.9, 0.97, 1.0]))
    small = draw(st.booleans())  # small magnitudes give the compressible plane symbols
    values = draw(st.lists(st.integers(-3, 3) if small else st.integers(lo, hi),
                           min_size=n, max_size=n))
    keep = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    return np.array([0 if k < zero_p else v for v, k in zip(values, keep, strict=True)],
                    dtype=np.int64)


# --- the paper's evaluation-code sizes -----------------------------------------------
def paper_reference_block(values, conv) -> int:
    """Length of one block in the paper's 'ours-04' code, literally (strings)."""
    n = len(values)
    if n < 2:
        return 0
    planes = conv.planes
    if conv.float16:
        f = np.array(values, dtype=np.int64).astype(np.uint16).view(np.float16)
        with np.errstate(over="ignore", invalid="ignore"):
            d = [int(x) for x in np.diff(f).view(np.uint16)]
    else:
        d = [values[j + 1] - values[j] for j in range(n - 1)]
    dstr = [_bits(x, conv.dtype_bits)[-planes:] for x in d]
    dbp = ["".join(s[planes - 1 - p] for s in dstr) for p in range(planes)]
    length, run = conv.base_bits, 0
    for p in range(planes):
        x = dbp[0] if p == 0 else _bits(int(dbp[p], 2) ^ int(dbp[p - 1], 2), n - 1)
        if set(x) == {"0"}:
            run += 1
            continue
        if run:
            length += 3 if run == 1 else 2 + clog2(conv.value_bits)
            run = 0
        length += len(spec_symbol(x, dbp[p], n))
    if run:
        length += 3 if run == 1 else 2 + clog2(conv.value_bits)
    return length
