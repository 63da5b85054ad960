"""accelbench.netlist.lib: reusable RTL builders (PyRTL rtllib style).

Each builder creates its registers and logic in the working block and returns the wires
its neighbours need (a small dataclass, or the other side of a stream); its docstring
states its protocol and latency. Streams follow :mod:`accelbench.netlist.ports`.

Widths: :func:`count_bits` (a count 0..n), :func:`index_bits` (an index 0..n-1).
Logic: :func:`zeros`, :func:`left_code`, :func:`priority_mux`, :func:`onehot_to_binary`,
:func:`one_hot_mux` (AND-OR multiplexer).
Signed arithmetic on two's-complement wires: :func:`sext`, :func:`s_add`, :func:`s_sub`,
:func:`s_neg`, :func:`s_mul`, :func:`s_mul_const`, :func:`round_shift` (round half up).
Arbitration: :func:`priority_arbiter`, :func:`bank_arbiter` (per bank, lowest requester).
Streams: :func:`output_buffer` (1-word output register), :func:`skid_buffer` (2-entry,
registered upstream ready), :func:`word_counter`, :func:`bit_packer`,
:func:`bit_unpacker` (registered ready).
Systolic arrays: :func:`delay`, :func:`pe_cell` (:func:`pe_netlist`: one PE as a
netlist), :func:`column_readout`, :func:`systolic_array` (splittable output-stationary
array), :func:`rotate` (ring rotator), :func:`strided_taps` (lane i takes ring position
i x stride), :func:`lane_banks` (operand SRAM, lanes packed eight to a word).
Control: :func:`config_registers` (layer parameters written by a host port),
:func:`register_queue` (a small FIFO in registers).
Memories and wiring: :class:`SkewedBuffer` (a conflict-free transpose buffer of
synchronous-read banks), :func:`internal_stream` (a stream between two units of a block).
"""

from accelbench.netlist.lib.arbiter import bank_arbiter, priority_arbiter
from accelbench.netlist.lib.buffers import output_buffer, skid_buffer
from accelbench.netlist.lib.control import (
    ConfigField,
    QueueHead,
    config_registers,
    register_queue,
)
from accelbench.netlist.lib.counter import WordCounter, word_counter
from accelbench.netlist.lib.logic import (
    left_code,
    one_hot_mux,
    onehot_to_binary,
    priority_mux,
    zeros,
)
from accelbench.netlist.lib.packing import (
    Packer,
    Unpacker,
    bit_packer,
    bit_unpacker,
    unpacker_buffer_bits,
)
from accelbench.netlist.lib.signed import (
    round_shift,
    s_add,
    s_mul,
    s_mul_const,
    s_neg,
    s_sub,
    sext,
)
from accelbench.netlist.lib.streams import internal_stream
from accelbench.netlist.lib.systolic import (
    ACC_BITS,
    DATA_BITS,
    VALUES_PER_WORD,
    ArrayPorts,
    PeWires,
    column_readout,
    delay,
    lane_banks,
    lane_groups,
    pe_cell,
    pe_netlist,
    rotate,
    strided_taps,
    systolic_array,
)
from accelbench.netlist.lib.transpose import SkewedBuffer
from accelbench.netlist.lib.widths import count_bits, index_bits

__all__ = [
    "ACC_BITS",
    "DATA_BITS",
    "VALUES_PER_WORD",
    "ArrayPorts",
    "ConfigField",
    "Packer",
    "PeWires",
    "QueueHead",
    "SkewedBuffer",
    "Unpacker",
    "WordCounter",
    "bank_arbiter",
    "bit_packer",
    "bit_unpacker",
    "column_readout",
    "config_registers",
    "count_bits",
    "delay",
    "index_bits",
    "internal_stream",
    "lane_banks",
    "lane_groups",
    "left_code",
    "one_hot_mux",
    "onehot_to_binary",
    "output_buffer",
    "pe_cell",
    "pe_netlist",
    "priority_arbiter",
    "priority_mux",
    "register_queue",
    "rotate",
    "round_shift",
    "s_add",
    "s_mul",
    "s_mul_const",
    "s_neg",
    "s_sub",
    "sext",
    "skid_buffer",
    "strided_taps",
    "systolic_array",
    "unpacker_buffer_bits",
    "word_counter",
    "zeros",
]
