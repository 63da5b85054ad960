"""ZVC as an accelbench codec design."""

from __future__ import annotations

import numpy as np

from accelbench.designs.zvc import golden, netlist
from accelbench.families.codec import CodecDesign, Encoded
from accelbench.netlist.ports import Ports


class ZvcCodec(CodecDesign):
    technique = "zvc"
    baseline_for = ("ebpc",)
    summary = "Zero-value compression: 1-bit flag per word + non-zero words (two streams)"
    compressed_streams = ("mask", "values")

    def __init__(self, word_bits: int = 8) -> None:
        if word_bits not in (8, 16):
            raise ValueError(f"ZVC supports word_bits 8 or 16, got {word_bits}")
        super().__init__(f"zvc-w{word_bits}", word_bits=word_bits)

    def encode(self, values: np.ndarray, shape=None) -> Encoded:
        return golden.encode(values, self.word_bits)

    def decode(self, encoded: Encoded) -> np.ndarray:
        return golden.decode(encoded, self.word_bits)

    def compressed_bits(self, values: np.ndarray, shape=None) -> int:
        return golden.compressed_bits(values, self.word_bits)

    def build_compressor(self, ports: Ports) -> None:
        netlist.zvc_compressor(ports, self.word_bits)

    def build_decompressor(self, ports: Ports) -> None:
        netlist.zvc_decompressor(ports, self.word_bits)
