"""Codec designs: feature-map compressor/decompressor pairs, lossless or lossy.

A codec has a numpy golden model (:meth:`CodecDesign.encode`, :meth:`CodecDesign.decode`)
and two streaming netlists. The compressor takes the input streams that
:meth:`CodecDesign.compressor_inputs` gives (by default one stream ``in`` of W-bit words)
and produces the streams named in ``compressed_streams``; the decompressor takes those
streams plus the plain inputs of :meth:`CodecDesign.decompressor_sideband` (by default
``num_words``, the value count minus one) and produces ``out``.

Co-simulation checks the compressor's streams against :meth:`encode` and the
decompressor's output against :meth:`decode` (the golden *decoder*), bit for bit; for a
lossless codec (``lossy = False``) the decoder's output must also equal the input, which is
asserted too. A lossy codec's evaluation adds the accuracy cost of its errors on real
images (:mod:`accelbench.families.lossy`). This base class supplies co-simulation,
verification and the evaluation on feature-map workloads; a codec writes its golden model
and netlists.

Shape-aware codecs (``needs_shape = True``, e.g. block transforms) receive the map's
shape (C, H, W) in :meth:`encode` and may stream the map in another order (e.g. 8x8
blocks) through :meth:`compressor_inputs` / :meth:`decompressor_output`.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from accelbench.bits import to_words, word_dtype
from accelbench.design import Design, EvaluationOptions, Netlist
from accelbench.errors import NetlistMismatchError, SimulationError, UnknownNameError
from accelbench.metrics import Evaluation, Metric
from accelbench.netlist.ports import Ports
from accelbench.netlist.stream import StreamHarness, StreamResult
from accelbench.workloads import FeatureMapData, FeatureMapWorkload, Workload

NUM_WORDS_BITS = 24
MAX_VALUES = 1 << NUM_WORDS_BITS

Shape = tuple[int, ...]


@dataclass
class Encoded:
    """Compressed streams: W-bit words per stream and the unpadded bit count of each.

    ``shape`` is the shape of the map that was encoded, for codecs that need it.
    """

    streams: dict[str, np.ndarray]
    bits: dict[str, int]
    n_values: int
    shape: Shape | None = None

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
    decoded: np.ndarray
    compress_cycles: int
    decompress_cycles: int


class CodecDesign(Design):
    family: ClassVar[str] = "codec"
    compressed_streams: ClassVar[tuple[str, ...]]
    #: the decoder reproduces the input exactly (False: an approximation, measured for
    #: its accuracy cost on real images)
    lossy: ClassVar[bool] = False
    #: ``encode`` needs the map's shape (C, H, W); co-simulation then streams whole
    #: (cropped) maps instead of flat windows
    needs_shape: ClassVar[bool] = False
    #: number formats the codec is meant for (None: every format of its word width)
    formats: ClassVar[tuple[str, ...] | None] = None
    #: the matrix also runs the FPGA flow on this codec's netlists (with area on)
    fpga_in_matrix: ClassVar[bool] = True
    #: what the headline ``compression_ratio`` counts
    headline_description: ClassVar[str] = (
        "uncompressed / compressed bits over all layers, mean over images")

    def __init__(self, name: str, *, word_bits: int, **parameters: Any) -> None:
        super().__init__(name, word_bits=word_bits, **parameters)
        self.word_bits = word_bits
        self._harnesses: dict[tuple[str, str], StreamHarness] = {}

    # --- golden model ------------------------------------------------------------
    @abc.abstractmethod
    def encode(self, values: np.ndarray, shape: Shape | None = None) -> Encoded:
        """Compress one map: a 1-D array of W-bit words (signed or unsigned patterns) in
        (C, H, W) order; ``shape`` is that map's shape when known."""

    @abc.abstractmethod
    def decode(self, encoded: Encoded) -> np.ndarray:
        """The golden decoder: the words as unsigned W-bit patterns, in input order (for a
        lossless codec exactly the input). Malformed streams raise StreamFormatError."""

    def compressed_bits(self, values: np.ndarray, shape: Shape | None = None) -> int:
        """Unpadded compressed size in bits (override with a faster count if possible)."""
        return self.encode(values, shape).total_bits

    def size_measures(self, fmt: str) -> list[SizeMeasure]:
        """Further size counts for number format ``fmt`` (none by default)."""
        return []

    def roundtrip(self, values: np.ndarray, shape: Shape | None = None) -> np.ndarray:
        """decode(encode(values)); override with a faster path that gives the same words
        (used on every map of the accuracy runs)."""
        return self.decode(self.encode(values, shape))

    def layer_entry(self, shape: Shape) -> dict[str, Any]:
        """Extra per-layer figures for a map of this shape (e.g. the padding a block codec
        stores); none by default."""
        return {}

    def extra_metrics(self, options: EvaluationOptions) -> list[Metric]:
        """Design-specific metrics of an evaluation (e.g. block latency from a simulation,
        skipped when ``options.sim_words`` is 0); none by default."""
        return []

    def example_shape(self, words: int) -> Shape:
        """The (C, H, W) of ``words`` values that ``accelbench simulate`` streams through a
        shape-aware codec (one row by default; block codecs pick a squarer map)."""
        return (1, 1, words)

    def simulation_map(self, words: np.ndarray, shape: Shape, size: int
                       ) -> tuple[np.ndarray, Shape | None]:
        """The part of one map streamed through the netlists during an evaluation: a flat
        window from its middle, or for shape-aware codecs a smaller map cut from it."""
        from accelbench.families.codec_eval import map_window, simulation_window

        if self.needs_shape:
            return map_window(words, shape, size)
        return simulation_window(words, size), None

    # --- netlists ----------------------------------------------------------------
    @abc.abstractmethod
    def build_compressor(self, ports: Ports) -> None:
        """Streams of :meth:`compressor_inputs` -> streams ``compressed_streams``; ``idle``."""

    @abc.abstractmethod
    def build_decompressor(self, ports: Ports) -> None:
        """Streams ``compressed_streams`` + :meth:`decompressor_sideband` inputs -> stream
        ``out``; output ``idle``."""

    def compressor_inputs(self, words: np.ndarray, shape: Shape | None
                          ) -> tuple[dict[str, np.ndarray], dict[str, int]]:
        """The compressor's input streams and plain (configuration) inputs for one map."""
        return {"in": words}, {}

    def decompressor_sideband(self, encoded: Encoded) -> dict[str, int]:
        """The decompressor's plain (configuration) inputs for one encoded map."""
        return {"num_words": encoded.n_values - 1}

    def decompressor_output(self, out: np.ndarray, encoded: Encoded) -> np.ndarray:
        """The decompressor's output stream as words in input order."""
        return out

    def netlists(self) -> Mapping[str, Netlist]:
        return {
            "compressor": Netlist("compressor", self.build_compressor,
                                  f"{self.name} compressor, one {self.word_bits}-bit word in"),
            "decompressor": Netlist("decompressor", self.build_decompressor,
                                    f"{self.name} decompressor, one word out"),
        }

    def harness(self, netlist: str, simulator: str = "compiled") -> StreamHarness:
        """A simulation harness for one netlist, compiled once per design and reused."""
        key = (netlist, simulator)
        if key not in self._harnesses:
            self._harnesses[key] = StreamHarness(self.netlists()[netlist].build,
                                                 simulator=simulator)
        return self._harnesses[key]

    def _run_harness(self, netlist: str, simulator: str, inputs: dict[str, np.ndarray],
                     sideband: dict[str, int] | None, stalls: dict[str, Any]) -> StreamResult:
        """Run one stream; a failed run leaves the netlist mid-stream, so forget it."""
        try:
            return self.harness(netlist, simulator).run(inputs, sideband or None, **stalls)
        except SimulationError:
            self._harnesses.pop((netlist, simulator), None)
            raise

    # --- co-simulation -----------------------------------------------------------
    def simulate_compress(self, values: np.ndarray, shape: Shape | None = None, *,
                          simulator: str = "compiled", **stalls: Any) -> tuple[Encoded, int]:
        """Run the compressor netlist; returns its streams (as an Encoded) and cycles."""
        words = to_words(values, self.word_bits)
        streams, sideband = self.compressor_inputs(words, shape)
        res = self._run_harness("compressor", simulator, streams, sideband, stalls)
        widths = self.harness("compressor", simulator).ports.stream_outputs
        out = {n: res.outputs[n].astype(word_dtype(widths[n])) for n in self.compressed_streams}
        return Encoded(out, {}, len(words), shape), res.cycles

    def simulate_decompress(self, encoded: Encoded, *, simulator: str = "compiled",
                            **stalls: Any) -> tuple[np.ndarray, int]:
        if not 1 <= encoded.n_values <= MAX_VALUES:
            raise ValueError(f"n_values must be in 1..{MAX_VALUES}, got {encoded.n_values}")
        res = self._run_harness("decompressor", simulator,
                                {n: encoded.streams[n] for n in self.compressed_streams},
                                self.decompressor_sideband(encoded), stalls)
        out = self.decompressor_output(res.outputs["out"], encoded)
        out = np.asarray(out).astype(word_dtype(self.word_bits))
        if len(out) != encoded.n_values:
            raise NetlistMismatchError(
                f"{self.name} decompressor produced {len(out)} words, expected "
                f"{encoded.n_values}")
        return out, res.cycles

    def cosimulate(self, values: np.ndarray, shape: Shape | None = None, *,
                   simulator: str = "compiled", **stalls: Any) -> CoSimResult:
        """Compress and decompress through the netlists, checking both bit-exactly: the
        compressor against :meth:`encode`, the decompressor against :meth:`decode` (and,
        for a lossless codec, against the input)."""
        words = to_words(values, self.word_bits)
        golden = self.encode(words, shape)
        decoded = np.asarray(self.decode(golden)).astype(words.dtype)
        if not self.lossy:
            compare_words(f"{self.name} golden decoder (lossless)", decoded, words, len(words))
        got, c_cycles = self.simulate_compress(words, shape, simulator=simulator, **stalls)
        for stream in self.compressed_streams:
            compare_words(f"{self.name} compressor stream {stream!r}", got.streams[stream],
                          golden.streams[stream], len(words))
        restored, d_cycles = self.simulate_decompress(golden, simulator=simulator, **stalls)
        compare_words(f"{self.name} decompressor output", restored, decoded, len(words))
        return CoSimResult(golden, decoded, c_cycles, d_cycles)

    def verification_cases(self, rng: np.random.Generator
                           ) -> Iterator[tuple[np.ndarray, Shape | None]]:
        """Small random maps (values, shape) for :meth:`verify`."""
        w = self.word_bits
        lo, hi = -(1 << (w - 1)), 1 << (w - 1)
        for n in (1, 2, w - 1, w, w + 1, 3 * w + 5, 257):
            for zero_fraction in (0.0, 0.5, 0.9, 1.0):
                values = rng.integers(lo, hi, n)
                values[rng.random(n) < zero_fraction] = 0
                yield values, ((1, 1, n) if self.needs_shape else None)

    def verify(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        for values, shape in self.verification_cases(rng):
            for p in (1.0, 0.6):
                self.cosimulate(values, shape, valid_probability=p, ready_probability=p,
                                seed=int(rng.integers(1 << 31)))

    def example_simulation(self, *, netlist: str | None = None, vcd: str | None = None,
                           seed: int = 0, words: int = 64,
                           simulator: str = "compiled") -> dict[str, Any]:
        """Random half-sparse words through one netlist, checked against the golden model."""
        netlist = netlist or "compressor"
        if netlist not in self.netlists():
            raise UnknownNameError(f"design {self.name!r} has no netlist {netlist!r}")
        if words < 1:
            raise ValueError(f"words must be >= 1, got {words}")
        rng = np.random.default_rng(seed)
        w = self.word_bits
        values = rng.integers(-(1 << (w - 1)), 1 << (w - 1), words)
        values[rng.random(len(values)) < 0.5] = 0
        shape = self.example_shape(words) if self.needs_shape else None
        values = to_words(values, w)
        golden = self.encode(values, shape)
        harness = StreamHarness(self.netlists()[netlist].build,
                                simulator="fast" if vcd else simulator, trace=bool(vcd))
        if netlist == "compressor":
            streams, sideband = self.compressor_inputs(values, shape)
            res = harness.run(streams, sideband or None)
            for stream in self.compressed_streams:
                compare_words(f"{self.name} compressor stream {stream!r}", res.outputs[stream],
                              golden.streams[stream], len(values))
        else:
            res = harness.run({n: golden.streams[n] for n in self.compressed_streams},
                              self.decompressor_sideband(golden))
            compare_words(f"{self.name} decompressor output",
                          self.decompressor_output(res.outputs["out"], golden),
                          self.decode(golden), len(values))
        if vcd:
            harness.write_vcd(vcd)
        return {"design": self.name, "netlist": netlist, "values": len(values),
                "cycles": res.cycles, "words_per_cycle": round(len(values) / res.cycles, 4),
                "compressed_bits": golden.total_bits, "matches_golden_model": True,
                "vcd": vcd or ""}

    # --- evaluation ----------------------------------------------------------------
    def accepts(self, workload: Workload) -> bool:
        if not isinstance(workload, FeatureMapWorkload):
            return False
        if self.formats is not None:
            return workload.format in self.formats
        return workload.word_bits == self.word_bits

    def evaluate(self, data: FeatureMapData, options: EvaluationOptions) -> Evaluation:
        from accelbench.families.codec_eval import evaluate_codec

        return evaluate_codec(self, data, options)


def compare_words(what: str, got: Sequence[int] | np.ndarray,
                  expected: Sequence[int] | np.ndarray, n_values: int) -> None:
    """Raise NetlistMismatchError naming the first differing word of two word arrays."""
    got = np.asarray(got).astype(np.uint64)
    expected = np.asarray(expected).astype(np.uint64)
    if got.shape == expected.shape and np.array_equal(got, expected):
        return
    n = min(len(got), len(expected))
    diff = np.nonzero(got[:n] != expected[:n])[0]
    where = (f"first difference at word {diff[0]}: got 0x{int(got[diff[0]]):x}, expected "
             f"0x{int(expected[diff[0]]):x}") if diff.size else "one is a prefix of the other"
    raise NetlistMismatchError(f"{what} differs from the golden model for {n_values} input "
                               f"values: got {len(got)} words, expected {len(expected)}; "
                               f"{where}")
