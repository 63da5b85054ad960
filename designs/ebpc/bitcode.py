"""Vectorised helpers for variable-length codes: packing code words, parsing bit streams.

A code sequence is a pair of arrays ``values``/``lengths``: code word i is the low
``lengths[i]`` bits of ``values[i]``, sent MSB first; a length of 0 sends nothing.
"""

from __future__ import annotations

import numpy as np

from accelbench.bits import check_words, unpack_bits, word_dtype


def clog2(n: int) -> int:
    """ceil(log2(n)) for n >= 1 (0 for n == 1), as the hardware's field widths."""
    return (int(n) - 1).bit_length()


def code_bits(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The MSB-first bit sequence of a code sequence (uint8 array of 0/1)."""
    lengths = np.asarray(lengths, dtype=np.int64).ravel()
    values = np.asarray(values, dtype=np.int64).ravel()
    keep = lengths > 0
    lengths, values = lengths[keep], values[keep]
    if lengths.size == 0:
        return np.zeros(0, dtype=np.uint8)
    width = int(lengths.max())
    aligned = values << (width - lengths)  # left-align every code in `width` bits
    shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
    bits = ((aligned[:, None] >> shifts) & 1).astype(np.uint8)
    return bits[np.arange(width)[None, :] < lengths[:, None]]


def pack_codes(values: np.ndarray, lengths: np.ndarray,
               word_bits: int) -> tuple[np.ndarray, int]:
    """Pack a code sequence MSB-first into ``word_bits``-bit words (last word zero-padded).

    Returns the words and the unpadded length in bits. Every value must fit its length
    (``value < 2**length``, so a length-0 code has value 0) and every code must be at
    most ``word_bits`` + 1 long, so it touches at most two words. O(codes), no bit array;
    equal to ``accelbench.bits.pack_bits(code_bits(...))`` (tested).
    """
    if word_bits not in (8, 16):
        raise ValueError(f"pack_codes packs 8- or 16-bit words, got {word_bits}")
    lengths = np.asarray(lengths, dtype=np.int64).ravel()
    values = np.asarray(values, dtype=np.int64).ravel()
    if lengths.size and lengths.max() > word_bits + 1:
        raise ValueError(f"a code of {lengths.max()} bits does not fit a {word_bits}-bit word")
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if ends.size else 0
    n_words = -(-total // word_bits)
    if n_words == 0:
        return np.zeros(0, dtype=word_dtype(word_bits)), 0
    starts = ends - lengths
    # each code shifted into the two-word window of the word it starts in; the windows
    # summed per word (disjoint bits, below 2**32: exact in bincount's float weights)
    window = values << (2 * word_bits - (starts & (word_bits - 1)) - lengths)
    sums = np.bincount(starts >> (word_bits.bit_length() - 1), weights=window,
                       minlength=n_words).astype(np.int64)[:n_words]
    words = sums >> word_bits
    words[1:] |= sums[:-1] & ((1 << word_bits) - 1)
    return words.astype(word_dtype(word_bits)), total


def stream_bits(words: np.ndarray, word_bits: int, what: str) -> np.ndarray:
    """Unpack a compressed stream, checking that its words are ``word_bits``-bit words."""
    wide = check_words(words, word_bits, what)
    return unpack_bits(wide, word_bits) if wide.size else np.zeros(0, dtype=np.uint8)


def windows(bits: np.ndarray, width: int) -> np.ndarray:
    """For every bit position p, the next ``width`` (<= 17) bits as an integer (zeros past
    the end). Position ``len(bits)`` is included, so an index equal to the stream length
    is valid. Each window is cut from the 3 bytes around it."""
    if not 1 <= width <= 17:
        raise ValueError(f"window width must be 1..17 bits, got {width}")
    n = len(bits) + 1
    padded = np.zeros(((n + 7) // 8 + 3) * 8, dtype=np.uint8)
    padded[: len(bits)] = bits
    packed = np.packbits(padded).astype(np.int64)
    pos = np.arange(n)
    byte = pos >> 3
    three = (packed[byte] << 16) | (packed[byte + 1] << 8) | packed[byte + 2]
    return (three >> (24 - width - (pos & 7))) & ((1 << width) - 1)


def orbit(step: np.ndarray, start: int, count: int) -> np.ndarray:
    """``start, step[start], step[step[start]], ...``: the first ``count`` elements.

    ``step`` must map every index into ``range(len(step))``. Pointer doubling: log2(count)
    passes over ``step`` instead of ``count`` Python steps.
    """
    out = np.array([start], dtype=np.int64)
    jump = np.asarray(step, dtype=np.int64)
    while len(out) < count:
        out = np.concatenate([out, jump[out]])
        if len(out) < count:
            jump = jump[jump]
    return out[:count]


def field(window: np.ndarray, width: int, offset: int, size: int) -> np.ndarray:
    """Bits ``offset .. offset+size-1`` (MSB first) of ``width``-bit windows."""
    return (window >> (width - offset - size)) & ((1 << size) - 1)
