"""The golden codec: one C x H x W map of 8-bit words <-> bitmap and value streams.

Two transforms share the quantiser and the stream format:

* ``2d`` (Shao et al.): each channel cut into 8x8 blocks in row-major block order, edges
  zero-padded to a multiple of 8 (the padding is coded and counted), the fixed-point 2-D
  DCT of :mod:`.golden`, coefficients in zig-zag order;
* ``channel`` (DCT-CM style): the channels of each pixel in groups of 8 (channels padded
  to a multiple of 8), the 1-D DCT along them; a block is 8 consecutive pixels (raster
  order, pixels padded to a multiple of 8) x 8 channel frequencies, coded pixel-major.

Formats: ``fixed8`` words are signed; ``uint8`` words are level-shifted by -128 (as JPEG
does) before the transform, and back after decoding. Padding is zero after the shift.
Decoding clamps to the 8-bit range.

The hardware consumes the map's real values in block order (:meth:`DctModel.hardware_order`)
and inserts the padding itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from accelbench.bits import to_signed, to_words
from accelbench.designs.dct import golden, stream
from accelbench.designs.dct.tables import Quantizer, steps_1d, steps_2d
from accelbench.errors import StreamFormatError
from accelbench.families.codec import Encoded

TRANSFORMS = ("2d", "channel")
FORMATS = ("fixed8", "uint8")
LEVEL_SHIFT = 128
Shape = tuple[int, int, int]
MAX_DIM = (1 << 16) - 1


def check_shape(shape: object, n_values: int | None = None) -> Shape:
    try:
        c, h, w = (int(s) for s in shape)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"the DCT codec needs the map shape (C, H, W), got {shape!r}") \
            from None
    if not all(1 <= s <= MAX_DIM for s in (c, h, w)):
        raise ValueError(f"map shape {shape!r}: every dimension must be 1..{MAX_DIM}")
    if n_values is not None and c * h * w != n_values:
        raise ValueError(f"map shape {(c, h, w)} holds {c * h * w} values, got {n_values}")
    return c, h, w


def _ceil8(n: int) -> int:
    return -(-n // 8) * 8


@dataclass(frozen=True)
class DctModel:
    """Golden model of one variant: transform, format, table and stream word width."""

    transform: str
    fmt: str
    table: str
    table_value: int
    stream_bits: int = 16

    def __post_init__(self) -> None:
        if self.transform not in TRANSFORMS:
            raise ValueError(f"unknown transform {self.transform!r}; known: {TRANSFORMS}")
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown format {self.fmt!r}; the DCT codec takes {FORMATS}")
        stream.check_stream_bits(self.stream_bits)
        self.quantizer  # noqa: B018 - validates the table

    # --- constants of the variant ------------------------------------------------------
    @cached_property
    def quantizer(self) -> Quantizer:
        """Over natural positions: 64 (v*8+u) for 2d, 8 (k) for channel."""
        if self.transform == "2d":
            return Quantizer.build(steps_2d(self.table, self.table_value),
                                   golden.coefficient_limits(LEVEL_SHIFT))
        return Quantizer.build(steps_1d(self.table, self.table_value),
                               golden.channel_coefficient_limits(LEVEL_SHIFT))

    @cached_property
    def coding_positions(self) -> np.ndarray:
        """Quantiser position of each of a block's 64 coefficients in coding order."""
        if self.transform == "2d":
            return golden.zigzag_order()
        return np.tile(np.arange(8), 8)  # pixel-major, frequency k minor

    @cached_property
    def coding_widths(self) -> np.ndarray:
        return self.quantizer.widths[self.coding_positions]

    # --- layout ------------------------------------------------------------------------
    def padded_shape(self, shape: Shape) -> Shape:
        c, h, w = shape
        if self.transform == "2d":
            return c, _ceil8(h), _ceil8(w)
        return _ceil8(c), 1, _ceil8(h * w)

    def n_blocks(self, shape: Shape) -> int:
        c, h, w = self.padded_shape(shape)
        return c * h * w // stream.BLOCK

    def signed_values(self, words: np.ndarray) -> np.ndarray:
        w = to_words(np.asarray(words), 8)
        if self.fmt == "fixed8":
            return to_signed(w, 8)
        return w.astype(np.int64) - LEVEL_SHIFT

    def unsigned_words(self, values: np.ndarray) -> np.ndarray:
        v = np.clip(values, -LEVEL_SHIFT, LEVEL_SHIFT - 1)
        return to_words(v + (LEVEL_SHIFT if self.fmt == "uint8" else 0), 8)

    def _blocks(self, x: np.ndarray, shape: Shape) -> np.ndarray:
        """Signed values (C*H*W) -> transform inputs: 2d (n, 8, 8); channel (n, 8 p, 8 c)."""
        c, h, w = shape
        pc, ph, pw = self.padded_shape(shape)
        if self.transform == "2d":
            grid = np.zeros((c, ph, pw), dtype=np.int64)
            grid[:, :h, :w] = x.reshape(c, h, w)
            return grid.reshape(c, ph // 8, 8, pw // 8, 8).transpose(0, 1, 3, 2, 4) \
                .reshape(-1, 8, 8)
        grid = np.zeros((pc, pw), dtype=np.int64)
        grid[:c, :h * w] = x.reshape(c, h * w)
        return grid.reshape(pc // 8, 8, pw // 8, 8).transpose(0, 2, 3, 1).reshape(-1, 8, 8)

    def _unblocks(self, blocks: np.ndarray, shape: Shape) -> np.ndarray:
        c, h, w = shape
        pc, ph, pw = self.padded_shape(shape)
        if self.transform == "2d":
            grid = blocks.reshape(c, ph // 8, pw // 8, 8, 8).transpose(0, 1, 3, 2, 4) \
                .reshape(c, ph, pw)
            return grid[:, :h, :w].reshape(-1)
        grid = blocks.reshape(pc // 8, pw // 8, 8, 8).transpose(0, 3, 1, 2).reshape(pc, pw)
        return grid[:c, :h * w].reshape(-1)

    def hardware_order(self, shape: Shape) -> np.ndarray:
        """Indices into the C,H,W-ordered map, in the order the netlists stream values."""
        shape = check_shape(shape)
        index = self._blocks(np.arange(1, int(np.prod(shape)) + 1), shape).reshape(-1)
        return index[index > 0] - 1

    # --- coefficients ------------------------------------------------------------------
    def quantized_blocks(self, words: np.ndarray, shape: Shape) -> np.ndarray:
        """Quantised coefficients (blocks x 64) in coding order."""
        x = self._blocks(self.signed_values(words), shape)
        if self.transform == "2d":
            coef = golden.dct2(x).reshape(-1, 64)
            q = self.quantizer.quantize(coef)
        else:
            q = self.quantizer.quantize(golden.dct1(x)).reshape(-1, 64)
        return q[:, self._coding_from_natural]

    @cached_property
    def _coding_from_natural(self) -> np.ndarray:
        if self.transform == "2d":
            return self.coding_positions
        return np.arange(64)

    def reconstruct(self, q: np.ndarray, shape: Shape) -> np.ndarray:
        """Signed values (C*H*W, clamped) from quantised blocks in coding order."""
        natural = np.zeros_like(q)
        natural[:, self._coding_from_natural] = q
        if self.transform == "2d":
            d = self.quantizer.dequantize(natural).reshape(-1, 8, 8)
            x = golden.idct2(d)
        else:
            x = golden.idct1(self.quantizer.dequantize(natural.reshape(-1, 8, 8)))
        x = np.clip(x, -LEVEL_SHIFT, LEVEL_SHIFT - 1)
        return self._unblocks(x, shape)

    # --- codec ---------------------------------------------------------------------------
    def encode(self, words: np.ndarray, shape: Shape) -> Encoded:
        words = np.asarray(words).reshape(-1)
        shape = check_shape(shape, len(words))
        q = self.quantized_blocks(words, shape)
        streams, bits = stream.encode_blocks(q, self.coding_widths, self.stream_bits)
        return Encoded(streams, bits, len(words), shape)

    def compressed_bits(self, words: np.ndarray, shape: Shape) -> int:
        words = np.asarray(words).reshape(-1)
        shape = check_shape(shape, len(words))
        return stream.count_bits(self.quantized_blocks(words, shape), self.coding_widths)

    def decode(self, encoded: Encoded) -> np.ndarray:
        shape = encoded.shape
        if shape is None:
            raise StreamFormatError("a DCT stream needs the map shape (C, H, W) to decode")
        try:
            shape = check_shape(shape, encoded.n_values)
        except ValueError as err:
            raise StreamFormatError(str(err)) from None
        q = stream.decode_blocks(encoded.streams, self.n_blocks(shape), self.coding_widths,
                                 self.stream_bits)
        return self.unsigned_words(self.reconstruct(q, shape))

    def roundtrip(self, words: np.ndarray, shape: Shape) -> np.ndarray:
        """decode(encode(words)) without building the streams (for accuracy runs)."""
        words = np.asarray(words).reshape(-1)
        shape = check_shape(shape, len(words))
        return self.unsigned_words(self.reconstruct(self.quantized_blocks(words, shape), shape))
