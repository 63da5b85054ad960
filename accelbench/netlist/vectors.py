"""Golden test vectors for streaming netlists, independent of any simulator.

A :class:`StreamVectors` is one job through a streaming netlist: the words of every input
stream (``last`` goes with the final word), the values held on the plain inputs, and the
words the golden model expects on every output stream. Testbenches (the PyRTL recorder,
the cocotb bench, the native Verilator harness) drive them with random valid and ready
and compare every output word.

:func:`netlist_vectors` finds the vectors of a design's netlist: codec designs get them
from the public :class:`~accelbench.families.codec.CodecDesign` API (``encode``,
``decode``, ``compressed_streams``, ``compressor_inputs``, ``decompressor_sideband``,
``decompressor_output``, ``word_bits``); any other design may provide them with a method
``rtl_vectors(netlist, seed) -> list[StreamVectors]``. A netlist without vectors is
still checked against its own PyRTL simulation on random stimulus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from accelbench.bits import to_words

if TYPE_CHECKING:
    from accelbench.design import Design

#: (map shape (C, H, W), fraction of zeros) of the short vector set: 1, 2, 40 and 200
#: values, edge cases around a block for word codecs and for 8x8 block transforms
SHORT_CODEC_CASES = (((1, 1, 1), 0.0), ((1, 1, 2), 0.5), ((1, 5, 8), 0.5), ((2, 10, 10), 0.8))


@dataclass(frozen=True)
class StreamVectors:
    """One job: input stream words, plain-input values and expected output words."""

    name: str
    streams: Mapping[str, np.ndarray]
    inputs: Mapping[str, int] = field(default_factory=dict)
    expected: Mapping[str, np.ndarray] = field(default_factory=dict)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The words as named uint64 arrays (for an ``.npz`` file)."""
        out = {f"{prefix}in_{k}": np.asarray(v).astype(np.uint64) for k, v in self.streams.items()}
        out.update({f"{prefix}exp_{k}": np.asarray(v).astype(np.uint64)
                    for k, v in self.expected.items()})
        return out

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "inputs": {k: int(v) for k, v in self.inputs.items()},
                "streams": sorted(self.streams), "expected": sorted(self.expected)}


def _output_order(design: Any, golden: Any, n: int) -> np.ndarray:
    """``order`` with ``decompressor_output(out)[i] == out[order[i]]``, found by feeding
    the index through :meth:`decompressor_output` one byte at a time (it may cast to
    the word type)."""
    order = np.zeros(n, dtype=np.int64)
    index = np.arange(n, dtype=np.int64)
    shift = 0
    while shift == 0 or (n - 1) >> shift:
        digit = (index >> shift) & 0xFF
        got = np.asarray(design.decompressor_output(digit.astype(np.uint64), golden))
        order |= got.astype(np.int64) << shift
        shift += 8
    if not np.array_equal(np.sort(order), index):
        raise ValueError(f"{design.name}: decompressor_output is not a reordering")
    return order


def codec_vectors(design: Any, netlist: str, seed: int = 0,
                  cases: Sequence[tuple[tuple[int, ...], float]] = SHORT_CODEC_CASES,
                  values: Sequence[tuple[np.ndarray, tuple[int, ...]]] | None = None
                  ) -> list[StreamVectors]:
    """Vectors of a codec's ``compressor`` or ``decompressor`` from its golden model.

    Random signed words (``cases``: map shape and zero fraction), or the given
    ``values`` (words, shape) pairs, through the public
    :class:`~accelbench.families.codec.CodecDesign` API: the
    compressor takes :meth:`compressor_inputs` and must give :meth:`encode`'s streams;
    the decompressor takes those streams and :meth:`decompressor_sideband` and must give
    :meth:`decode`'s words (the golden decoder, also for lossy codecs), in the order its
    ``out`` stream carries them (the inverse of :meth:`decompressor_output`, a
    reordering). Every codec is given the map's shape; word codecs ignore it.
    """
    w = design.word_bits
    if values is None:
        rng = np.random.default_rng(seed)
        values = []
        for shape, zero_fraction in cases:
            n = int(np.prod(shape))
            v = rng.integers(-(1 << (w - 1)), 1 << (w - 1), n)
            v[rng.random(n) < zero_fraction] = 0
            values.append((v, tuple(shape)))
    out = []
    for k, (v, shape) in enumerate(values):
        words = to_words(np.asarray(v).astype(np.int64), w)
        golden = design.encode(words, shape)
        streams = {s: np.asarray(golden.streams[s]) for s in design.compressed_streams}
        name = f"{'x'.join(map(str, shape))} map #{k}"
        if netlist == "compressor":
            inputs, sideband = design.compressor_inputs(words, shape)
            out.append(StreamVectors(name, dict(inputs), dict(sideband), streams))
        elif netlist == "decompressor":
            decoded = np.asarray(design.decode(golden)).astype(np.uint64)
            raw = np.zeros(len(words), dtype=np.uint64)
            raw[_output_order(design, golden, len(words))] = decoded
            out.append(StreamVectors(name, streams, dict(design.decompressor_sideband(golden)),
                                     {"out": raw}))
        else:
            raise ValueError(f"codec {design.name!r} has no netlist {netlist!r}")
    return out


def netlist_vectors(design: Design, netlist: str, seed: int = 0) -> list[StreamVectors] | None:
    """Golden vectors of one netlist, or None when the design provides none."""
    from accelbench.families.codec import CodecDesign

    provider = getattr(design, "rtl_vectors", None)
    if callable(provider):
        return list(provider(netlist, seed))
    if isinstance(design, CodecDesign):
        return codec_vectors(design, netlist, seed)
    return None
