"""accelbench.netlist.lib: reusable RTL builders (PyRTL rtllib style).

Each builder creates its registers and logic in the working block and returns the wires
its neighbours need (a small dataclass, or the other side of a stream); its docstring
states its protocol and latency. Streams follow :mod:`accelbench.netlist.ports`.

Widths: :func:`count_bits` (a count 0..n), :func:`index_bits` (an index 0..n-1).
Logic: :func:`zeros`, :func:`left_code`, :func:`priority_mux`, :func:`onehot_to_binary`.
Streams: :func:`output_buffer` (1-word output register), :func:`skid_buffer` (2-entry,
registered upstream ready), :func:`word_counter`, :func:`bit_packer`,
:func:`bit_unpacker` (registered ready).
"""

from accelbench.netlist.lib.buffers import output_buffer, skid_buffer
from accelbench.netlist.lib.counter import WordCounter, word_counter
from accelbench.netlist.lib.logic import left_code, onehot_to_binary, priority_mux, zeros
from accelbench.netlist.lib.packing import (
    Packer,
    Unpacker,
    bit_packer,
    bit_unpacker,
    unpacker_buffer_bits,
)
from accelbench.netlist.lib.widths import count_bits, index_bits

__all__ = [
    "Packer",
    "Unpacker",
    "WordCounter",
    "bit_packer",
    "bit_unpacker",
    "count_bits",
    "index_bits",
    "left_code",
    "onehot_to_binary",
    "output_buffer",
    "priority_mux",
    "skid_buffer",
    "unpacker_buffer_bits",
    "word_counter",
    "zeros",
]
