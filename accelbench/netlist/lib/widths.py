"""Register widths: the one pair of helpers every netlist uses.

``count_bits(n)`` holds a count 0..n (a fill level, a run length, a number of items);
``index_bits(n)`` holds an index 0..n-1 (an address into n entries, a position in a
block). Both are at least 1, because a PyRTL wire cannot be 0 bits wide.
"""

from __future__ import annotations


def count_bits(n: int) -> int:
    """Bits of a register that holds every count 0..n (at least 1)."""
    if n < 0:
        raise ValueError(f"a count cannot reach {n}")
    return max(1, int(n).bit_length())


def index_bits(n: int) -> int:
    """Bits of a register that holds every index 0..n-1 of n entries (at least 1)."""
    if n < 1:
        raise ValueError(f"cannot index {n} entries")
    return max(1, (int(n) - 1).bit_length())
