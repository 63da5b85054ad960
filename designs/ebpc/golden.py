"""Bit-exact golden model of EBPC's hardware variant (specs/ebpc.md), vectorised numpy.

``encode`` turns N signed W-bit words into two streams of W-bit words: ``znz`` (the
zero-run-length code of the zero/non-zero mask) and ``bpc`` (the bit-plane code of the
non-zero words, padded with zero words to whole blocks). ``decode`` inverts it given N.
``paper_bits`` (details in :mod:`accelbench.designs.ebpc.paper`) gives the size the
paper's evaluation code would count instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from accelbench.bits import check_count, to_signed
from accelbench.designs.ebpc import bpc, znz
from accelbench.designs.ebpc.bitcode import pack_codes, stream_bits
from accelbench.errors import StreamFormatError
from accelbench.families.codec import MAX_VALUES, Encoded

STREAMS = ("znz", "bpc")
SUPPORTED = ((8, 8), (16, 8), (16, 16))


@dataclass
class EbpcEncoded(Encoded):
    """The two compressed streams; also usable wherever a codec's ``Encoded`` is expected."""

    @property
    def znz_words(self) -> np.ndarray:
        return self.streams["znz"]

    @property
    def bpc_words(self) -> np.ndarray:
        return self.streams["bpc"]

    @property
    def znz_bits(self) -> int:
        return self.bits["znz"]

    @property
    def bpc_bits(self) -> int:
        return self.bits["bpc"]


def check_shape(word_bits: int, block_size: int) -> bpc.BlockShape:
    """The coder shape for (W, B), or ValueError if the hardware does not support it."""
    if (word_bits, block_size) not in SUPPORTED:
        raise ValueError(f"EBPC supports (word_bits, block_size) in {list(SUPPORTED)} "
                         f"(W in 8/16, B in 8/16, B <= W), got ({word_bits}, {block_size})")
    return bpc.BlockShape(word_bits, block_size)


def check_values(values: np.ndarray, word_bits: int) -> np.ndarray:
    """``values`` as int64 after checking: 1-D integer array of 1..2**24 signed W-bit words."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"expected a 1-D array of words, got {arr.ndim} dimensions "
                         f"(shape {arr.shape})")
    if arr.dtype.kind not in "iu":
        raise ValueError(f"expected an integer array, got dtype {arr.dtype}")
    if not 1 <= arr.size <= MAX_VALUES:
        raise ValueError(f"the hardware codes 1..{MAX_VALUES} words (24-bit num_words), got "
                         f"{arr.size}")
    lo, hi = -(1 << (word_bits - 1)), (1 << (word_bits - 1)) - 1
    if arr.dtype.kind == "u" and arr.dtype.itemsize * 8 >= 64 and arr.max() > hi:
        raise ValueError(f"values outside the signed {word_bits}-bit range [{lo}, {hi}]")
    wide = arr.astype(np.int64)
    if wide.min() < lo or wide.max() > hi:
        raise ValueError(f"values outside the signed {word_bits}-bit range [{lo}, {hi}] "
                         f"(min {wide.min()}, max {wide.max()})")
    return wide


def pad_blocks(nonzero_values: np.ndarray, block_size: int) -> np.ndarray:
    """The non-zero words padded with zero words to whole blocks, shape (n_blocks, B)."""
    pad = (-len(nonzero_values)) % block_size
    return np.concatenate([nonzero_values, np.zeros(pad, np.int64)]).reshape(-1, block_size)


def bpc_stream(values: np.ndarray, shape: bpc.BlockShape) -> tuple[np.ndarray, int]:
    """The BPC stream of ``values`` (padded to whole blocks): words and unpadded bits."""
    blocks = pad_blocks(values, shape.block_size)
    code_values, code_lengths = bpc.block_codes(blocks, shape)
    return pack_codes(code_values, code_lengths, shape.word_bits)


def encode(values: np.ndarray, word_bits: int = 8, block_size: int = 8) -> EbpcEncoded:
    """Compress N signed W-bit words into the ``znz`` and ``bpc`` streams."""
    shape = check_shape(word_bits, block_size)
    v = check_values(values, word_bits)
    nonzero = v != 0
    z_words, z_bits = pack_codes(*znz.codes(nonzero), word_bits)
    b_words, b_bits = bpc_stream(v[nonzero], shape)
    return EbpcEncoded(streams={"znz": z_words, "bpc": b_words},
                       bits={"znz": z_bits, "bpc": b_bits}, n_values=len(v))


def compressed_bits(values: np.ndarray, word_bits: int = 8, block_size: int = 8) -> int:
    """Unpadded hardware stream size in bits (both streams, without last-word padding),
    counted from code lengths only (faster than :func:`encode`)."""
    shape = check_shape(word_bits, block_size)
    v = check_values(values, word_bits)
    nonzero = v != 0
    return (znz.code_bits(nonzero)
            + bpc.block_bits(pad_blocks(v[nonzero], shape.block_size), shape))


def paper_bits(values: np.ndarray, word_bits: int = 8, fmt: str | None = None) -> int:
    """Size in bits as the paper's evaluation code counts it (BPCplus, 'ours-04', chunk
    8), for words of number format ``fmt`` (None: W-bit integers); see :mod:`.paper`."""
    from accelbench.designs.ebpc import paper

    return paper.ebpc_bits(np.asarray(values), paper.convention(fmt, word_bits))


def streams_of(s: object) -> tuple[np.ndarray, np.ndarray]:
    """The (znz, bpc) words of ``s``: an ``Encoded``, an object with ``znz_words`` and
    ``bpc_words``, or a mapping with those keys (or ``znz``/``bpc``)."""
    if isinstance(s, Encoded):
        missing = [n for n in STREAMS if n not in s.streams]
        if missing:
            raise StreamFormatError(f"EBPC streams {missing} are missing")
        return s.streams["znz"], s.streams["bpc"]
    if isinstance(s, Mapping):
        for keys in (("znz_words", "bpc_words"), STREAMS):
            if all(k in s for k in keys):
                return s[keys[0]], s[keys[1]]
        raise StreamFormatError("EBPC streams znz_words/bpc_words are missing")
    try:
        return s.znz_words, s.bpc_words  # type: ignore[attr-defined]
    except AttributeError:
        raise TypeError("expected an object with znz_words and bpc_words") from None


def decode(s: object, n_values: int, word_bits: int = 8, block_size: int = 8) -> np.ndarray:
    """Decompress ``n_values`` signed words (int64) from the streams of ``s``.

    A truncated or corrupt stream raises StreamFormatError (never an IndexError); a
    corrupt stream that still parses into ``n_values`` words returns them.
    """
    shape = check_shape(word_bits, block_size)
    n = check_count(n_values, MAX_VALUES)
    znz_words, bpc_words = streams_of(s)
    z_bits = stream_bits(znz_words, word_bits, "ZNZ")
    flags, _, z_used = znz.decode(z_bits, n)
    _check_words("ZNZ", len(znz_words), z_used, word_bits)
    b_bits = stream_bits(bpc_words, word_bits, "BPC")
    n_nonzero = int(flags.sum())
    n_blocks = -(-n_nonzero // block_size)
    blocks, b_used = bpc.decode_blocks(b_bits, n_blocks, shape)
    _check_words("BPC", len(bpc_words), b_used, word_bits)
    out = np.zeros(n, dtype=np.int64)
    out[flags] = to_signed(blocks.reshape(-1)[:n_nonzero], word_bits)
    return out


def _check_words(what: str, n_words: int, used_bits: int, word_bits: int) -> None:
    expected = -(-used_bits // word_bits)
    if n_words != expected:
        raise StreamFormatError(f"{what} stream has {n_words} words but its codes fill "
                                f"{expected} ({used_bits} bits): trailing words")

