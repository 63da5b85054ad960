"""BPC alone as an accelbench codec design."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from accelbench.designs.bpc import golden, netlist
from accelbench.designs.ebpc.design import BitPlaneCodec
from accelbench.designs.ebpc.paper_metrics import alternative_size
from accelbench.families.codec import SizeMeasure
from accelbench.netlist.ports import Ports


class BpcCodec(BitPlaneCodec):
    technique = "bpc"
    baseline_for = ("ebpc",)
    summary = ("Bit-plane compression alone (the EBPC paper's BPC baseline): EBPC's "
               "bit-plane coder on every word, zeros included")
    compressed_streams = ("bpc",)
    headline_description = (
        "uncompressed / compressed bits, mean over images; compressed size as the "
        "paper's bpcUtils.BPC (chunk 8, variant 'baseline') counts it for W-bit words")
    assumed_defaults: ClassVar[tuple[str, ...]] = (
        "compression_ratio uses the paper's bpcUtils.BPC count (W planes of wrapped "
        "deltas, original zero codes, no padding); the hardware stream is reported as "
        "hardware_compression_ratio",
    )

    golden_model = golden

    def __init__(self, word_bits: int = 8, block_size: int = 8) -> None:
        super().__init__(f"bpc-w{word_bits}-b{block_size}", word_bits, block_size)

    def compressed_bits(self, values: np.ndarray, shape=None) -> int:
        """The paper's bpcUtils.BPC(chunkSize=8) size for W-bit words (the ratio metric)."""
        return golden.paper_bits(values, self.word_bits)

    def build_compressor(self, ports: Ports) -> None:
        netlist.bpc_compressor(ports, self.word_bits, self.block_size)

    def build_decompressor(self, ports: Ports) -> None:
        netlist.bpc_decompressor(ports, self.word_bits, self.block_size)

    def size_measures(self, fmt: str) -> list[SizeMeasure]:
        return [
            alternative_size(
                "hardware",
                lambda words, fmt: golden.hardware_bits(self._signed(words), self.word_bits,
                                                        self.block_size),
                fmt, self.word_bits, paper_uncompressed=False,
                description="the hardware stream (W+1 exact delta planes, blocks padded "
                            "with zero words), unpadded last word"),
            alternative_size(
                "paper", lambda words, fmt: golden.paper_bits(words, self.word_bits, fmt),
                fmt, self.word_bits, paper_uncompressed=True,
                description="the paper's BPC in the format's own dtype and width (float16 "
                            "deltas for float16, 12-bit values for fixed12) over N*numBit"),
        ]
