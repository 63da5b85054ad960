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

#: (values, fraction of zeros) of the short vector set: edge lengths around a block
SHORT_CODEC_CASES = ((1, 0.0), (2, 0.5), (37, 0.5), (200, 0.8))


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


def codec_vectors(design: Any, netlist: str, seed: int = 0,
                  cases: Sequence[tuple[int, float]] = SHORT_CODEC_CASES,
                  values: Sequence[np.ndarray] | None = None) -> list[StreamVectors]:
    """Vectors of a codec's ``compressor`` or ``decompressor`` from its golden model.

    Random signed words (``cases``: count and zero fraction), or the given ``values``,
    through the public :class:`~accelbench.families.codec.CodecDesign` API: the
    compressor takes :meth:`compressor_inputs` and must give :meth:`encode`'s streams;
    the decompressor takes those streams and :meth:`decompressor_sideband` and must give
    :meth:`decode`'s words (the golden decoder, also for lossy codecs), in the order its
    ``out`` stream carries them (the inverse of :meth:`decompressor_output`, a
    reordering). Shape-aware codecs get the shape (1, 1, N), as in their ``verify``.
    """
    w = design.word_bits
    if values is None:
        rng = np.random.default_rng(seed)
        values = []
        for n, zero_fraction in cases:
            v = rng.integers(-(1 << (w - 1)), 1 << (w - 1), n)
            v[rng.random(n) < zero_fraction] = 0
            values.append(v)
    out = []
    for k, v in enumerate(values):
        words = to_words(np.asarray(v).astype(np.int64), w)
        shape = (1, 1, len(words)) if getattr(design, "needs_shape", False) else None
        golden = design.encode(words, shape)
        streams = {s: np.asarray(golden.streams[s]) for s in design.compressed_streams}
        name = f"{len(words)} values #{k}"
        if netlist == "compressor":
            inputs, sideband = design.compressor_inputs(words, shape)
            out.append(StreamVectors(name, dict(inputs), dict(sideband), streams))
        elif netlist == "decompressor":
            decoded = np.asarray(design.decode(golden)).astype(np.uint64)
            order = np.asarray(design.decompressor_output(np.arange(len(words)), golden))
            raw = np.zeros(len(words), dtype=np.uint64)
            raw[order.astype(np.int64)] = decoded
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
