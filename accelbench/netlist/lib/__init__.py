"""accelbench.netlist.lib: reusable RTL builders (PyRTL rtllib style).

Each builder creates its registers and logic in the working block and returns the wires
its neighbours need (a small dataclass); its docstring states its protocol and latency.

Widths: :func:`count_bits` (a count 0..n), :func:`index_bits` (an index 0..n-1).
Systolic arrays: :func:`delay`, :func:`pe_cell` (:func:`pe_netlist`: one PE as a
netlist), :func:`column_readout`,
:func:`systolic_array` (splittable output-stationary array), :func:`rotate` (ring
rotator), :func:`strided_taps` (lane i takes ring position i x stride), :func:`lane_banks`
(operand SRAM, lanes packed eight to a word).
Control: :func:`config_registers` (layer parameters written by a host port),
:func:`register_queue` (a small FIFO in registers).
"""

from accelbench.netlist.lib.control import (
    ConfigField,
    QueueHead,
    config_registers,
    register_queue,
)
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
from accelbench.netlist.lib.widths import count_bits, index_bits

__all__ = [
    "ACC_BITS",
    "DATA_BITS",
    "VALUES_PER_WORD",
    "ArrayPorts",
    "ConfigField",
    "PeWires",
    "QueueHead",
    "column_readout",
    "config_registers",
    "count_bits",
    "delay",
    "index_bits",
    "lane_banks",
    "lane_groups",
    "pe_cell",
    "pe_netlist",
    "register_queue",
    "rotate",
    "strided_taps",
    "systolic_array",
]
