"""EBPC as an accelbench codec design."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

import numpy as np

from accelbench.bits import to_signed, to_words
from accelbench.designs.ebpc import golden, netlist, paper
from accelbench.designs.ebpc.paper_metrics import alternative_size
from accelbench.families.codec import CodecDesign, Encoded, SizeMeasure
from accelbench.netlist.ports import Ports


class BitPlaneCodec(CodecDesign):
    """What EBPC and BPC alone share: signed W-bit words coded in blocks of B.

    ``golden_model`` is the module with ``encode(values, W, B)`` and
    ``decode(encoded, n, W, B)`` for the codec's hardware format.
    """

    golden_model: ClassVar[ModuleType]

    def __init__(self, name: str, word_bits: int, block_size: int, **parameters) -> None:
        golden.check_shape(word_bits, block_size)
        super().__init__(name, word_bits=word_bits, block_size=block_size, **parameters)
        self.block_size = block_size

    def _signed(self, values: np.ndarray) -> np.ndarray:
        return to_signed(to_words(values, self.word_bits), self.word_bits)

    def encode(self, values: np.ndarray, shape=None) -> Encoded:
        return self.golden_model.encode(self._signed(values), self.word_bits, self.block_size)

    def decode(self, encoded: Encoded) -> np.ndarray:
        out = self.golden_model.decode(encoded, encoded.n_values, self.word_bits,
                                       self.block_size)
        return to_words(out, self.word_bits)


class EbpcCodec(BitPlaneCodec):
    technique = "ebpc"
    summary = ("Extended Bit-Plane Compression: zero-RLE mask stream + bit-plane code of "
               "the non-zero words (Cavigelli et al., JETCAS 2019), hardware variant")
    compressed_streams = ("znz", "bpc")
    assumed_defaults: ClassVar[tuple[str, ...]] = (
        "compressed size = hardware streams (block padding counted, last-word padding not); "
        "the paper-method size is reported as paper_compression_ratio",
    )

    golden_model = golden

    def __init__(self, word_bits: int = 8, block_size: int = 8) -> None:
        super().__init__(f"ebpc-w{word_bits}-b{block_size}", word_bits, block_size,
                         max_zero_run=16)

    def compressed_bits(self, values: np.ndarray, shape=None) -> int:
        return golden.compressed_bits(self._signed(values), self.word_bits, self.block_size)

    def paper_bits(self, values: np.ndarray, fmt: str | None = None) -> int:
        """Size by the paper's evaluation code (BPCplus 'ours-04', chunk 8)."""
        return paper.ebpc_bits(np.asarray(values), paper.convention(fmt, self.word_bits))

    def build_compressor(self, ports: Ports) -> None:
        netlist.ebpc_compressor(ports, self.word_bits, self.block_size)

    def build_decompressor(self, ports: Ports) -> None:
        netlist.ebpc_decompressor(ports, self.word_bits, self.block_size)

    def size_measures(self, fmt: str) -> list[SizeMeasure]:
        return [alternative_size(
            "paper", self.paper_bits, fmt, self.word_bits, paper_uncompressed=True,
            description="the paper's evaluation code (BPCplus 'ours-04', chunk 8: original "
                        "BPC zero codes, deltas in the format's dtype, no padding, free "
                        "trailing zero run) over N*numBit uncompressed bits")]
