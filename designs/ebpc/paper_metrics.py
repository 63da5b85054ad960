"""A second compression ratio beside the codec's own (evaluated by accelbench.families.codec_eval).

EBPC reports the paper-method ratio beside its hardware ratio; the baselines report the
hardware ratio and the format-aware paper ratio beside their paper-defined headline.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from accelbench.datasets.types import FORMATS
from accelbench.designs.ebpc import paper
from accelbench.families.codec import SizeMeasure

BitsFunction = Callable[[np.ndarray, str | None], int]


def alternative_size(key: str, bits: BitsFunction, fmt: str, word_bits: int, *,
                     paper_uncompressed: bool, description: str) -> SizeMeasure:
    """A size measure counted by ``bits(words, format)`` for number format ``fmt``.

    ``paper_uncompressed``: the uncompressed size is N * the format's numBit (12 for
    fixed12, as the paper counts it) instead of N * word width.
    """
    known = fmt if fmt in FORMATS else None
    conv = paper.CONVENTIONS.get(known) if known else None
    value_bits = conv.value_bits if (paper_uncompressed and conv) else word_bits
    return SizeMeasure(key, lambda words: bits(words, known), value_bits, description)
