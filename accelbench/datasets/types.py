"""Feature-map datasets: number formats, layer maps and the DatasetSource contract."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

#: relu: ReLU/ReLU6 output; linear: conv output without activation (linear bottleneck);
#: residual: output of a residual add; activation: another activation's output (SiLU,
#: hard-swish, leaky ReLU...), only from ``onnx:`` models
LAYER_KINDS = ("relu", "linear", "residual", "activation")


@dataclass(frozen=True)
class NumberFormat:
    """How activations become the integer words the hardware sees.

    Every format is stored as integer words of ``word_bits`` bits in a numpy integer
    dtype (floating formats as their bit patterns). ``zero`` is the word that encodes an
    activation of 0.0 (non-zero only for affine formats with a zero point).
    """

    name: str
    word_bits: int
    signed: bool
    description: str

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(f"{'int' if self.signed else 'uint'}{self.word_bits}")


FORMATS: dict[str, NumberFormat] = {f.name: f for f in (
    NumberFormat("fixed8", 8, True, "EBPC's fixed8: x*0.75/max(layer)*127, truncated, int8"),
    NumberFormat("fixed12", 16, True,
                 "EBPC's fixed12: x*0.75/max*2047, truncated, held in 16-bit words"),
    NumberFormat("fixed16", 16, True, "EBPC's fixed16: x*0.75/max*32767, truncated, int16"),
    NumberFormat("float16", 16, True, "IEEE half precision, bit pattern as a 16-bit word"),
    NumberFormat("bfloat16", 16, True, "bfloat16 (upper half of float32), 16-bit word"),
    NumberFormat("uint8", 8, False, "TFLite-style affine uint8 (scale, zero point)"),
)}


@dataclass
class LayerMaps:
    """One interlayer feature map over all images: ``words`` has shape (images, values)."""

    name: str
    kind: str
    shape: tuple[int, ...]
    words: np.ndarray
    scale: float = 1.0
    zero_point: int = 0

    @property
    def values_per_image(self) -> int:
        return int(self.words.shape[1])

    def zero_fraction(self) -> float:
        """Fraction of words equal to the word that encodes 0.0."""
        return float(np.mean(self.words == self.zero_point))


@dataclass
class FeatureMapSet:
    """The feature maps of one dataset in one number format."""

    dataset: str
    format: str
    images: list[str]
    layers: list[LayerMaps]
    synthetic: bool
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def word_bits(self) -> int:
        return FORMATS[self.format].word_bits


class DatasetSource(abc.ABC):
    """A producer of feature maps for one network (real) or generator (synthetic).

    Real sources (:class:`accelbench.datasets.sources.NetworkSource`) also accept
    ``load(fmt, cache_dir=...)`` and offer ``build()``.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    synthetic: ClassVar[bool] = False
    #: evaluated by every codec in the default benchmark matrix
    in_default_matrix: ClassVar[bool] = True
    formats: ClassVar[Sequence[str]] = tuple(FORMATS)
    #: the registered network graph whose compute layers this source's convolutions are
    #: (same names and shapes), so engines get real weights and activations; None if none
    network_name: ClassVar[str | None] = None

    @abc.abstractmethod
    def load(self, fmt: str) -> FeatureMapSet:
        """Return the feature maps in format ``fmt`` (building or reading a cache)."""

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "synthetic": self.synthetic, "formats": list(self.formats),
                "in_default_matrix": self.in_default_matrix}
