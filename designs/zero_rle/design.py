"""Zero-RLE as an accelbench codec design."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from accelbench.bits import to_signed, to_words
from accelbench.designs.ebpc.paper_metrics import alternative_size
from accelbench.designs.zero_rle import golden, netlist
from accelbench.families.codec import CodecDesign, Encoded, SizeMeasure
from accelbench.netlist.ports import Ports


class ZeroRleCodec(CodecDesign):
    technique = "zero-rle"
    baseline_for = ("ebpc",)
    summary = ("Zero-RLE baseline of the EBPC paper: 1 + word per non-zero, 0 + 4-bit run "
               "length per run of up to 16 zeros (one stream)")
    compressed_streams = ("rle",)
    headline_description = (
        "uncompressed / compressed bits, mean over images; compressed size as the "
        "paper's referenceImpl.zeroRLE counts it for W-bit words")
    assumed_defaults: ClassVar[tuple[str, ...]] = (
        "hardware run code = 0 + (L-1) in 4 bits (the paper's code writes L itself, 5 bits "
        "for L = 16); compression_ratio uses the paper's count",
    )

    def __init__(self, word_bits: int = 8) -> None:
        if word_bits not in golden.SUPPORTED:
            raise ValueError(f"zero-RLE supports word_bits 8 or 16, got {word_bits}")
        super().__init__(f"zero-rle-w{word_bits}", word_bits=word_bits, max_zero_run=16)

    def _signed(self, values: np.ndarray) -> np.ndarray:
        return to_signed(to_words(values, self.word_bits), self.word_bits)

    def encode(self, values: np.ndarray, shape=None) -> Encoded:
        return golden.encode(self._signed(values), self.word_bits)

    def decode(self, encoded: Encoded) -> np.ndarray:
        return to_words(golden.decode(encoded, encoded.n_values, self.word_bits),
                        self.word_bits)

    def compressed_bits(self, values: np.ndarray, shape=None) -> int:
        """The paper's referenceImpl.zeroRLE size for W-bit words (the ratio metric)."""
        return golden.paper_bits(values, self.word_bits)

    def build_compressor(self, ports: Ports) -> None:
        netlist.zero_rle_compressor(ports, self.word_bits)

    def build_decompressor(self, ports: Ports) -> None:
        netlist.zero_rle_decompressor(ports, self.word_bits)

    def size_measures(self, fmt: str) -> list[SizeMeasure]:
        return [
            alternative_size(
                "hardware",
                lambda words, fmt: golden.hardware_bits(self._signed(words), self.word_bits),
                fmt, self.word_bits, paper_uncompressed=False,
                description="the hardware stream (0 + (L-1) run codes), unpadded"),
            alternative_size(
                "paper", lambda words, fmt: golden.paper_bits(words, self.word_bits, fmt),
                fmt, self.word_bits, paper_uncompressed=True,
                description="the paper's zeroRLE in the format's own width (12 bits for "
                            "fixed12) over N*numBit"),
        ]
