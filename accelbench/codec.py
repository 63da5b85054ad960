"""Compatibility name: the codec family lives in :mod:`accelbench.families.codec`."""

from accelbench.families.codec import (  # noqa: F401
    MAX_VALUES,
    NUM_WORDS_BITS,
    CodecDesign,
    CoSimResult,
    Encoded,
    SizeMeasure,
)
