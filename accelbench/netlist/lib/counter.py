"""Counting the words of a stream whose length arrives as a configuration input."""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl


@dataclass
class WordCounter:
    """Output side of :func:`word_counter`."""

    is_last: pyrtl.WireVector  # the word counted this cycle would be word N-1
    empty: pyrtl.WireVector  # the count is at 0 (no stream in progress)


def word_counter(num_words: pyrtl.WireVector, step: pyrtl.WireVector,
                 name: str) -> WordCounter:
    """Counts the cycles where ``step`` is high; wraps to 0 after word ``num_words`` (N-1).

    ``is_last`` is combinational in the count register and ``num_words`` only (no path
    from ``step``), so a producer can use it to mark the word it produces with ``last``.
    """
    count = pyrtl.Register(len(num_words), f"{name}_count")
    is_last = count == num_words
    count.next <<= pyrtl.select(step, pyrtl.select(is_last, 0, (count + 1)[: len(count)]),
                                count)
    return WordCounter(is_last=is_last, empty=count == 0)
