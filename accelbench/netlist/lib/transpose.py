"""A transpose buffer of synchronous-read banks with diagonal placement."""

from __future__ import annotations

from collections.abc import Sequence

import pyrtl

from accelbench.netlist.lib.systolic import rotate
from accelbench.netlist.lib.widths import index_bits


class SkewedBuffer:
    """A rows x cols matrix in ``n`` synchronous-read banks (n a power of two >= rows,
    cols): element (i, j) sits in bank (i + j) mod n at address j. One cycle writes a
    whole line i (its ``cols`` values, each to a different bank) or reads a whole line j
    (its ``rows`` values, from one address of every bank): a transpose buffer with no
    bank conflicts. The banks are ``pyrtl.MemBlock``s named ``<name>_b<bank>`` (SRAM
    macros); the rotators in front of and behind them are ``rotate`` networks.
    """

    def __init__(self, n: int, rows: int, cols: int, width: int, name: str) -> None:
        if n & (n - 1) or rows > n or cols > n:
            raise ValueError("SkewedBuffer needs n a power of two >= rows and cols")
        self.n, self.rows, self.cols, self.width = n, rows, cols, width
        self.address_bits = index_bits(cols)
        self.banks = [pyrtl.MemBlock(width, self.address_bits, name=f"{name}_b{b}")
                      for b in range(n)]

    def write(self, i: pyrtl.WireVector, values: Sequence[pyrtl.WireVector],
              enable: pyrtl.WireVector) -> None:
        """Line i: values[j] goes to bank (i + j) mod n, address j."""
        n, nb = self.n, index_bits(self.n)
        padded = list(values) + [pyrtl.Const(0, self.width)] * (n - len(values))
        i = i.zero_extended(nb)[:nb] if len(i) < nb else i[:nb]
        placed = rotate(padded, (pyrtl.Const(n, nb + 1) - i)[:nb])
        for b in range(n):
            j = (pyrtl.Const(b + n, nb + 1) - i)[:nb]
            enabled = enable & (j < self.cols) if self.cols < n else enable
            self.banks[b][j[:self.address_bits]] <<= pyrtl.MemBlock.EnabledWrite(
                placed[b], enabled)

    def read(self, j: pyrtl.Register) -> list[pyrtl.WireVector]:
        """Line j, read at the address register ``j`` (address_bits wide); the values
        arrive in the cycle ``j`` holds them, in order i = 0..rows-1."""
        if len(j) != self.address_bits:
            raise ValueError(f"the read address register must be {self.address_bits} bits")
        data = [bank[j] for bank in self.banks]
        nb = index_bits(self.n)
        amount = j.zero_extended(nb) if len(j) < nb else j[:nb]
        return rotate(data, amount)[:self.rows]
