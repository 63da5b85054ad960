"""The compressed stream format: a bitmap stream and a value stream.

Per 8x8 block (64 quantised coefficients in coding order: zig-zag for the 2-D transform):

* ``bitmap``: 64 flags, 1 = the coefficient is non-zero, MSB-first, packed into W-bit
  words (W divides 64, so every block starts on a word);
* ``values``: the non-zero coefficients in coding order, each in the signed width of its
  position (a constant of the design variant), MSB-first and packed across blocks; the
  last word is zero-padded.

So a block costs 64 + sum of the widths of its non-zero coefficients bits. The decoder
checks everything it can: word counts, word ranges, flags at positions that cannot be
non-zero, zero values flagged as non-zero, non-zero padding. A stream that fails a check
raises :class:`~accelbench.errors.StreamFormatError`; one that passes decodes into exactly
the number of blocks the shape asks for.
"""

from __future__ import annotations

import numpy as np

from accelbench.bits import pack_bits, unpack_bits, word_dtype
from accelbench.errors import StreamFormatError

BLOCK = 64
STREAMS = ("bitmap", "values")


def check_stream_bits(word_bits: int) -> None:
    if word_bits not in (8, 16, 32, 64):
        raise ValueError(f"stream words must be 8, 16, 32 or 64 bits, got {word_bits}")


def value_bits(values: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """The MSB-first bits of each value in its own two's-complement width, concatenated."""
    values = np.asarray(values, dtype=np.int64)
    widths = np.asarray(widths, dtype=np.int64)
    total = int(widths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.uint8)
    starts = np.cumsum(widths) - widths
    rep = np.repeat(values, widths)
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts, widths)
    shift = np.repeat(widths, widths) - 1 - pos
    return ((rep >> shift) & 1).astype(np.uint8)


def encode_blocks(q: np.ndarray, widths: np.ndarray, word_bits: int
                  ) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Streams and bit counts of quantised blocks ``q`` (blocks x 64, coding order)."""
    check_stream_bits(word_bits)
    q = np.asarray(q, dtype=np.int64).reshape(-1, BLOCK)
    flags = q != 0
    pos = np.broadcast_to(np.arange(BLOCK), q.shape)[flags]
    ws = widths[pos]
    bits = value_bits(q[flags], ws)
    streams = {"bitmap": pack_bits(flags.ravel(), word_bits),
               "values": pack_bits(bits, word_bits)}
    return streams, {"bitmap": flags.size, "values": int(bits.size)}


def count_bits(q: np.ndarray, widths: np.ndarray) -> int:
    """64 per block + the widths of the non-zero coefficients (no stream padding)."""
    q = np.asarray(q).reshape(-1, BLOCK)
    return q.shape[0] * BLOCK + int(((q != 0) * widths).sum())


def _words(streams: dict, name: str, word_bits: int) -> np.ndarray:
    if name not in streams:
        raise StreamFormatError(f"DCT stream {name!r} is missing")
    arr = np.asarray(streams[name])
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise StreamFormatError(f"DCT stream {name!r} must be a 1-D array of integer words")
    arr = arr.astype(np.int64) if arr.dtype != np.uint64 else arr
    if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= 1 << word_bits):
        raise StreamFormatError(f"DCT stream {name!r} holds values outside {word_bits}-bit "
                                f"words")
    return arr.astype(np.uint64)


def decode_blocks(streams: dict, n_blocks: int, widths: np.ndarray,
                  word_bits: int) -> np.ndarray:
    """Quantised blocks (n_blocks x 64, coding order) from checked streams."""
    check_stream_bits(word_bits)
    bitmap = _words(streams, "bitmap", word_bits)
    values = _words(streams, "values", word_bits)
    want = n_blocks * BLOCK // word_bits
    if len(bitmap) != want:
        how = "truncated" if len(bitmap) < want else "trailing words"
        raise StreamFormatError(f"DCT bitmap stream has {len(bitmap)} words, expected {want} "
                                f"for {n_blocks} blocks ({how})")
    flags = unpack_bits(bitmap, word_bits).reshape(n_blocks, BLOCK).astype(bool)
    if np.any(flags & (widths == 0)):
        raise StreamFormatError("DCT bitmap flags a coefficient that this variant always "
                                "quantises to zero")
    pos = np.broadcast_to(np.arange(BLOCK), flags.shape)[flags]
    ws = widths[pos]
    total = int(ws.sum())
    need = -(-total // word_bits)
    if len(values) != need:
        raise StreamFormatError(f"DCT value stream has {len(values)} words, the bitmap asks "
                                f"for {need} ({total} bits: "
                                f"{'truncated' if len(values) < need else 'trailing words'})")
    bits = unpack_bits(values, word_bits) if need else np.zeros(0, dtype=np.uint8)
    if bits[total:].any():
        raise StreamFormatError("DCT value stream: non-zero padding after the last value")
    q = np.zeros(flags.shape, dtype=np.int64)
    if total:
        starts = np.cumsum(ws) - ws
        shift = np.repeat(ws, ws) - 1 - (np.arange(total) - np.repeat(starts, ws))
        raw = np.add.reduceat(bits[:total].astype(np.int64) << shift, starts)
        signed = raw - (((raw >> (ws - 1)) & 1) << ws)
        if np.any(signed == 0):
            raise StreamFormatError("DCT value stream holds a zero value flagged as non-zero")
        q[flags] = signed
    return q


def stream_dtype(word_bits: int) -> np.dtype:
    return word_dtype(word_bits)
