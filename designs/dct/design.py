"""The DCT codecs as accelbench designs: 2-D DCT (Shao et al.) and channel DCT (DCT-CM).

Both are lossy, shape-aware codecs of one C x H x W map of 8-bit words on the codec
base (:class:`~accelbench.families.codec.CodecDesign`): the base co-simulates the
netlists against the golden encoder and decoder, verifies, evaluates (ratios,
reconstruction error, throughput, area, energy, accuracy on real images). This module
gives the golden model, the netlists, the streaming hooks (block order in and out, the
shape as configuration inputs) and the DCT's own evaluation figures: the padding each
layer stores, the block latency, the co-simulation window of the channel transform.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from accelbench.bits import to_words
from accelbench.design import EvaluationOptions
from accelbench.designs.dct import netlist, netlist_cm
from accelbench.designs.dct.model import DctModel, Shape, check_shape
from accelbench.errors import NetlistMismatchError
from accelbench.families.codec import CodecDesign, Encoded
from accelbench.metrics import Metric
from accelbench.netlist.ports import Ports

DEFAULTS_2D = (
    "8x8 blocks per channel, row-major block order, edges zero-padded to a multiple of 8 "
    "(padding coded and counted in every ratio)",
    "transform: 8x8 constant matrix, constants round(2^14 A), 4 fraction bits between "
    "the passes, round half up (within 0.858 of the exact DCT for every block)",
    "quantisation tables jpeg (libjpeg quality scaling of the JPEG luminance table), "
    "uniform, zonal; round half away from zero",
    "coding: 64-bit non-zero bitmap + non-zero values in zig-zag order, each in the "
    "width its frequency needs under the table; two streams (bitmap, values) of 16-bit "
    "words",
    "uint8 is level-shifted by -128 before the transform (as JPEG)",
)
DEFAULTS_CM = (
    "channels in groups of 8 (zero-padded), a block = 8 consecutive pixels x 8 channel "
    "frequencies, pixels zero-padded to a multiple of 8 (padding counted)",
    "transform: 1-D 8-point DCT along the channels, constants round(2^14 A), round "
    "half up",
    "jpeg table: the first row of the JPEG luminance table, libjpeg quality scaling",
    "coding as the 2-D variant: 64-bit bitmap + non-zero values",
    "uint8 is level-shifted by -128",
)


def variant_name(transform: str, fmt: str, table: str, value: int) -> str:
    prefix = "dct" if transform == "2d" else "dctcm"
    knob = {"jpeg": "q", "uniform": "s", "zonal": "k"}[table]
    return f"{prefix}-{fmt}-{table}-{knob}{value}"


#: the DCT variants the matrix implements on the FPGA
FPGA_VARIANTS = ("dct-fixed8-jpeg-q50",)


class DctCodec(CodecDesign):
    """The 2-D DCT codec (Shao et al.): one variant = format + quantisation table."""

    summary = ("DCT interlayer feature-map compression (Shao et al., arXiv 2110.06155): "
               "8x8 2-D DCT, quantisation, bitmap + non-zero values; lossy")
    technique: ClassVar[str] = "dct"
    baseline_for: ClassVar[tuple[str, ...]] = ()
    lossy: ClassVar[bool] = True
    needs_shape: ClassVar[bool] = True
    compressed_streams = ("bitmap", "values")
    transform: ClassVar[str] = "2d"
    assumed_defaults: ClassVar[tuple[str, ...]] = DEFAULTS_2D
    headline_description = ("uncompressed / compressed bits over all layers (padding of "
                            "edge blocks counted), mean over images")
    #: configuration inputs of the netlists
    config_inputs: ClassVar[tuple[str, ...]] = ("channels", "height", "width")

    @property
    def fpga_in_matrix(self) -> bool:  # type: ignore[override]
        """One variant per transform in the matrix's FPGA flow: the variants share the
        datapath (only constant tables differ) and each place-and-route takes minutes."""
        return self.name in FPGA_VARIANTS
    #: map shapes of :meth:`verification_cases`: padded edges, single values
    verify_shapes: ClassVar[tuple[Shape, ...]] = ((1, 8, 8), (2, 13, 21), (3, 7, 7),
                                                   (1, 1, 1), (2, 16, 9))

    def __init__(self, fmt: str = "fixed8", table: str = "jpeg", value: int = 50,
                 stream_bits: int = 16) -> None:
        self.model = DctModel(self.transform, fmt, table, value, stream_bits)
        super().__init__(variant_name(self.transform, fmt, table, value), word_bits=8,
                         transform=self.transform, format=fmt, table=table,
                         table_value=value, stream_bits=stream_bits)
        self.fmt = fmt
        #: the one number format a variant codes (signed fixed8, or level-shifted uint8)
        self.formats = (fmt,)

    # --- golden model ----------------------------------------------------------------
    def encode(self, values: np.ndarray, shape: Shape | None = None) -> Encoded:
        return self.model.encode(to_words(values, 8), self._shape(shape))

    def decode(self, encoded: Encoded) -> np.ndarray:
        return self.model.decode(encoded)

    def compressed_bits(self, values: np.ndarray, shape: Shape | None = None) -> int:
        return self.model.compressed_bits(to_words(values, 8), self._shape(shape))

    def roundtrip(self, values: np.ndarray, shape: Shape | None = None) -> np.ndarray:
        """decode(encode(values)) without building the streams (the accuracy runs)."""
        return self.model.roundtrip(to_words(values, 8), self._shape(shape))

    def _shape(self, shape: Shape | None) -> Shape:
        if shape is None:
            raise ValueError(f"{self.name} needs the map shape (C, H, W)")
        return shape

    # --- netlists ----------------------------------------------------------------------
    def build_compressor(self, ports: Ports) -> None:
        netlist.dct2d_compressor(ports, self.model)

    def build_decompressor(self, ports: Ports) -> None:
        netlist.dct2d_decompressor(ports, self.model)

    # --- streaming hooks ---------------------------------------------------------------
    def config(self, shape: Shape) -> dict[str, int]:
        c, h, w = check_shape(shape)
        return {"channels": c, "height": h, "width": w}

    def compressor_inputs(self, words: np.ndarray, shape: Shape | None
                          ) -> tuple[dict[str, np.ndarray], dict[str, int]]:
        """The map's words in the order the compressor consumes them, and its config."""
        words = to_words(np.asarray(words).reshape(-1), 8)
        shape = check_shape(self._shape(shape), len(words))
        return {"in": words[self.model.hardware_order(shape)]}, self.config(shape)

    def decompressor_sideband(self, encoded: Encoded) -> dict[str, int]:
        return self.config(self._shape(encoded.shape))

    def decompressor_output(self, out: np.ndarray, encoded: Encoded) -> np.ndarray:
        """The decompressor's output stream (block order) back in C,H,W order."""
        order = self.model.hardware_order(self._shape(encoded.shape))
        out = np.asarray(out)
        if len(out) != len(order):
            raise NetlistMismatchError(f"{self.name} decompressor produced {len(out)} "
                                       f"words, expected {len(order)}")
        result = np.zeros(len(order), dtype=np.uint8)
        result[order] = out.astype(np.uint8)
        return result

    # --- hooks of the codec base's verification and evaluation ---------------------------
    def verification_cases(self, rng: np.random.Generator
                           ) -> Iterator[tuple[np.ndarray, Shape | None]]:
        """Every shape of ``verify_shapes``, dense, 70 % zeros and all-zero."""
        for shape in self.verify_shapes:
            n = int(np.prod(shape))
            for zero_fraction in (0.0, 0.7, 1.0):
                values = rng.integers(0, 256, n)
                values[rng.random(n) < zero_fraction] = 0
                yield values, shape

    def example_shape(self, words: int) -> Shape:
        """The squarest map of exactly ``words`` values (8 channels, one group, for the
        channel transform when ``words`` allows), so the example is not mostly padding."""
        channels = 8 if self.transform == "channel" and words % 8 == 0 else 1
        pixels = words // channels
        height = max(d for d in range(1, math.isqrt(pixels) + 1) if pixels % d == 0)
        return channels, height, pixels // height

    def layer_entry(self, shape: Shape) -> dict[str, Any]:
        """The zero padding this codec stores for a map of ``shape`` (and counts in its
        ratio), as a fraction of the real values."""
        padded = int(np.prod(self.model.padded_shape(check_shape(shape))))
        return {"padding_fraction": round(padded / int(np.prod(shape)) - 1, 6)}

    def extra_metrics(self, options: EvaluationOptions) -> list[Metric]:
        """Latency of one block through each netlist (none without co-simulation)."""
        if options.sim_words <= 0:
            return []
        compress, decompress = self.block_latency(options.simulator)
        what = "block of 8 channels x 8 pixels" if self.transform == "channel" else "8x8 block"
        return [
            Metric("compressor_block_latency_cycles", compress, "cycle", "lower",
                   description=f"one {what} alone, first input word to idle"),
            Metric("decompressor_block_latency_cycles", decompress, "cycle", "lower",
                   description=f"one {what} alone, first input word to idle"),
        ]

    def block_latency(self, simulator: str = "compiled") -> tuple[int, int]:
        """Cycles of one block alone through the compressor and the decompressor, both
        checked bit-exactly against the golden model."""
        shape = (8, 1, 8) if self.transform == "channel" else (1, 8, 8)
        co = self.cosimulate((np.arange(64) * 37) % 256, shape, simulator=simulator)
        return co.compress_cycles, co.decompress_cycles


class DctCmCodec(DctCodec):
    """The channel DCT codec (DCT-CM style, Shi et al. arXiv 2106.12850)."""

    summary = ("Channel DCT (DCT-CM style, Shi et al., arXiv 2106.12850): 1-D 8-point DCT "
               "along the channels of each pixel, quantisation, bitmap + non-zero values; "
               "lossy")
    transform = "channel"
    assumed_defaults = DEFAULTS_CM
    config_inputs = ("channels", "pixels")
    verify_shapes = ((8, 1, 8), (13, 5, 7), (3, 7, 7), (1, 1, 1), (16, 3, 4))

    def build_compressor(self, ports: Ports) -> None:
        netlist_cm.dctcm_compressor(ports, self.model)

    def build_decompressor(self, ports: Ports) -> None:
        netlist_cm.dctcm_decompressor(ports, self.model)

    def config(self, shape: Shape) -> dict[str, int]:
        c, h, w = check_shape(shape)
        if h * w >= 1 << netlist_cm.PIXEL_BITS:
            raise ValueError(f"{self.name}: H*W must be below 2^{netlist_cm.PIXEL_BITS}")
        return {"channels": c, "pixels": h * w}

    def simulation_map(self, words: np.ndarray, shape: Shape, size: int
                       ) -> tuple[np.ndarray, Shape | None]:
        """About ``size`` values of a layer: whole channel groups of 8 (all channels of a
        thinner map) from the middle of the map, over as many whole rows as fit; the
        transform runs along the channels, so a cut through a group would pad it."""
        c, h, w = shape
        if size <= 0 or words.size <= size:
            return words, shape
        keep = min(c, max(8, size // (h * w) // 8 * 8))
        rows = min(h, max(1, size // (keep * w)))
        first = (c - keep) // 2 // 8 * 8
        top = (h - rows) // 2
        cut = words.reshape(shape)[first:first + keep, top:top + rows]
        return np.ascontiguousarray(cut).reshape(-1), (keep, rows, w)
