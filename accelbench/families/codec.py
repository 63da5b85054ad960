"""Codec designs: feature-map compressor/decompressor pairs.

A codec has a numpy golden model (:meth:`CodecDesign.encode`, :meth:`CodecDesign.decode`)
and two streaming netlists: the compressor takes one input stream ``in`` of W-bit words
and produces the streams named in ``compressed_streams``; the decompressor takes those
streams plus the plain input ``num_words`` (value count minus one) and produces ``out``.
This base class supplies co-simulation against the golden model, verification and the
evaluation on feature-map workloads; a codec only writes its golden model and netlists.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from accelbench.bits import to_words
from accelbench.design import Design, EvaluationOptions, Netlist
from accelbench.errors import NetlistMismatchError, SimulationError, UnknownNameError
from accelbench.metrics import Evaluation, Metric
from accelbench.netlist.ports import Ports
from accelbench.netlist.stream import StreamHarness, StreamResult
from accelbench.workloads import FeatureMapWorkload, Workload

NUM_WORDS_BITS = 24
MAX_VALUES = 1 << NUM_WORDS_BITS


@dataclass
class Encoded:
    """Compressed streams: W-bit words per stream and the unpadded bit count of each."""

    streams: dict[str, np.ndarray]
    bits: dict[str, int]
    n_values: int

    @property
    def total_bits(self) -> int:
        return sum(self.bits.values())

    @property
    def total_words(self) -> int:
        return sum(len(v) for v in self.streams.values())


@dataclass(frozen=True)
class SizeMeasure:
    """Another way of counting a codec's size, reported beside its headline ratio.

    ``bits(words)`` counts the compressed bits of one map; ``value_bits`` is the
    uncompressed size of one value under this count. The evaluation reports
    ``<key>_compression_ratio`` (+ std/min/max) and per-layer/per-image ``<key>_ratio``,
    computed in the same pass over the data as the headline.
    """

    key: str
    bits: Callable[[np.ndarray], int]
    value_bits: int
    description: str


@dataclass
class CoSimResult:
    encoded: Encoded
    compress_cycles: int
    decompress_cycles: int


class CodecDesign(Design):
    family: ClassVar[str] = "codec"
    compressed_streams: ClassVar[tuple[str, ...]]
    #: what the headline ``compression_ratio`` counts
    headline_description: ClassVar[str] = (
        "uncompressed / compressed bits over all layers, mean over images")

    def __init__(self, name: str, *, word_bits: int, **parameters: Any) -> None:
        super().__init__(name, word_bits=word_bits, **parameters)
        self.word_bits = word_bits

    # --- golden model ------------------------------------------------------------
    @abc.abstractmethod
    def encode(self, values: np.ndarray) -> Encoded:
        """Compress a 1-D array of W-bit words (signed or unsigned patterns)."""

    @abc.abstractmethod
    def decode(self, encoded: Encoded) -> np.ndarray:
        """Invert :meth:`encode`; returns the words as unsigned W-bit patterns."""

    def compressed_bits(self, values: np.ndarray) -> int:
        """Unpadded compressed size in bits (override with a faster count if possible)."""
        return self.encode(values).total_bits

    def size_measures(self, fmt: str) -> list[SizeMeasure]:
        """Further size counts for number format ``fmt`` (none by default)."""
        return []

    # --- netlists ----------------------------------------------------------------
    @abc.abstractmethod
    def build_compressor(self, ports: Ports) -> None:
        """Stream ``in`` -> streams ``compressed_streams``; output ``idle``."""

    @abc.abstractmethod
    def build_decompressor(self, ports: Ports) -> None:
        """Streams ``compressed_streams`` + input ``num_words`` -> stream ``out``; ``idle``."""

    def netlists(self) -> Mapping[str, Netlist]:
        return {
            "compressor": Netlist("compressor", self.build_compressor,
                                  f"{self.name} compressor, one {self.word_bits}-bit word in"),
            "decompressor": Netlist("decompressor", self.build_decompressor,
                                    f"{self.name} decompressor, one word out"),
        }

    @functools.lru_cache(maxsize=4)  # noqa: B019 - designs live for the whole process
    def harness(self, netlist: str, simulator: str = "compiled") -> StreamHarness:
        """A simulation harness for one netlist, compiled once and reused."""
        return StreamHarness(self.netlists()[netlist].build, simulator=simulator)

    def _run_harness(self, netlist: str, simulator: str, inputs: dict[str, np.ndarray],
                     sideband: dict[str, int] | None, stalls: dict[str, Any]) -> StreamResult:
        """Run one stream; a failed run leaves the netlist mid-stream, so forget it."""
        try:
            return self.harness(netlist, simulator).run(inputs, sideband, **stalls)
        except SimulationError:
            type(self).harness.cache_clear()
            raise

    # --- co-simulation -----------------------------------------------------------
    def simulate_compress(self, values: np.ndarray, *, simulator: str = "compiled",
                          **stalls: Any) -> tuple[Encoded, int]:
        """Run the compressor netlist; returns its streams (as an Encoded) and cycles."""
        words = to_words(values, self.word_bits)
        res = self._run_harness("compressor", simulator, {"in": words}, None, stalls)
        streams = {n: res.outputs[n].astype(words.dtype) for n in self.compressed_streams}
        return Encoded(streams, {}, len(words)), res.cycles

    def simulate_decompress(self, encoded: Encoded, *, simulator: str = "compiled",
                            **stalls: Any) -> tuple[np.ndarray, int]:
        if not 1 <= encoded.n_values <= MAX_VALUES:
            raise ValueError(f"n_values must be in 1..{MAX_VALUES}, got {encoded.n_values}")
        res = self._run_harness("decompressor", simulator,
                                {n: encoded.streams[n] for n in self.compressed_streams},
                                {"num_words": encoded.n_values - 1}, stalls)
        out = res.outputs["out"].astype(to_words(np.zeros(1, np.int64), self.word_bits).dtype)
        if len(out) != encoded.n_values:
            raise NetlistMismatchError(
                f"{self.name} decompressor produced {len(out)} words, expected "
                f"{encoded.n_values}")
        return out, res.cycles

    def cosimulate(self, values: np.ndarray, *, simulator: str = "compiled",
                   **stalls: Any) -> CoSimResult:
        """Compress and decompress through the netlists, checking both bit-exactly."""
        words = to_words(values, self.word_bits)
        golden = self.encode(words)
        got, c_cycles = self.simulate_compress(words, simulator=simulator, **stalls)
        for stream in self.compressed_streams:
            _compare(f"{self.name} compressor stream {stream!r}", got.streams[stream],
                     golden.streams[stream], len(words))
        restored, d_cycles = self.simulate_decompress(golden, simulator=simulator, **stalls)
        _compare(f"{self.name} decompressor output", restored, words, len(words))
        return CoSimResult(golden, c_cycles, d_cycles)

    def verify(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        w = self.word_bits
        lo, hi = -(1 << (w - 1)), 1 << (w - 1)
        for n in (1, 2, w - 1, w, w + 1, 3 * w + 5, 257):
            for zero_fraction in (0.0, 0.5, 0.9, 1.0):
                values = rng.integers(lo, hi, n)
                values[rng.random(n) < zero_fraction] = 0
                for p in (1.0, 0.6):
                    self.cosimulate(values, valid_probability=p, ready_probability=p,
                                    seed=int(rng.integers(1 << 31)))

    def example_simulation(self, *, netlist: str | None = None, vcd: str | None = None,
                           seed: int = 0, words: int = 64,
                           simulator: str = "compiled") -> dict[str, Any]:
        """Random half-sparse words through one netlist, checked against the golden model."""
        netlist = netlist or "compressor"
        if netlist not in self.netlists():
            raise UnknownNameError(f"design {self.name!r} has no netlist {netlist!r}")
        rng = np.random.default_rng(seed)
        w = self.word_bits
        values = rng.integers(-(1 << (w - 1)), 1 << (w - 1), max(words, 1))
        values[rng.random(len(values)) < 0.5] = 0
        golden = self.encode(values)
        harness = StreamHarness(self.netlists()[netlist].build,
                                simulator="fast" if vcd else simulator, trace=bool(vcd))
        if netlist == "compressor":
            res = harness.run({"in": to_words(values, w)})
            for stream in self.compressed_streams:
                _compare(f"{self.name} compressor stream {stream!r}", res.outputs[stream],
                         golden.streams[stream], len(values))
        else:
            res = harness.run({n: golden.streams[n] for n in self.compressed_streams},
                              {"num_words": len(values) - 1})
            _compare(f"{self.name} decompressor output", res.outputs["out"],
                     to_words(values, w), len(values))
        if vcd:
            harness.write_vcd(vcd)
        return {"design": self.name, "netlist": netlist, "values": len(values),
                "cycles": res.cycles, "words_per_cycle": round(len(values) / res.cycles, 4),
                "compressed_bits": golden.total_bits, "matches_golden_model": True,
                "vcd": vcd or ""}

    # --- evaluation ----------------------------------------------------------------
    def accepts(self, workload: Workload) -> bool:
        return (isinstance(workload, FeatureMapWorkload)
                and workload.word_bits == self.word_bits)

    def evaluate(self, workload: Workload, options: EvaluationOptions) -> Evaluation:
        from accelbench.codec_eval import evaluate_codec

        return evaluate_codec(self, workload, options)


def _compare(what: str, got: np.ndarray, expected: np.ndarray, n_values: int) -> None:
    got = np.asarray(got).astype(np.uint64)
    expected = np.asarray(expected).astype(np.uint64)
    if got.shape == expected.shape and np.array_equal(got, expected):
        return
    n = min(len(got), len(expected))
    diff = np.nonzero(got[:n] != expected[:n])[0]
    where = (f"first difference at word {diff[0]}: netlist 0x{int(got[diff[0]]):x}, golden "
             f"0x{int(expected[diff[0]]):x}") if diff.size else "one is a prefix of the other"
    raise NetlistMismatchError(f"{what} differs from the golden model for {n_values} input "
                               f"values: netlist gave {len(got)} words, golden {len(expected)};"
                               f" {where}")


def metric_ratio(name: str, value: float, description: str) -> Metric:
    return Metric(name, round(float(value), 6), "x", "higher", True, description)
