"""The instruction-driven buffer controller netlist (one netlist per configuration).

Protocol: the program arrives on the ``program`` stream (one instruction a word, ``last``
on the final one) and is written into the program memory, a synchronous-read SRAM
(``pyrtl.MemBlock``); then the controller executes it from that memory: per on-chip
instruction it emits one ``access`` word per buffer word, ``{kind, address}``, at one per
cycle under back-pressure; per DRAM instruction it adds the bytes and bursts to its
counters in one cycle. After the program it emits the four counters (``{2, value}``,
``last`` on the fourth), clears itself and raises ``idle`` again. ``program.ready`` is a
function of the state register only; ``access`` comes from registers.
See :mod:`accelbench.designs.shortcutfusion.program` for the encoding and the golden model.
"""

from __future__ import annotations

import pyrtl

from accelbench.designs.shortcutfusion.program import (
    DRD,
    DWR,
    KIND_COUNT,
    RD,
    ControllerConfig,
)
from accelbench.netlist.ports import Ports

LOAD, DECODE, EMIT, SUMMARY = range(4)


def netlist(ports: Ports, cfg: ControllerConfig) -> None:
    """Build the controller for ``cfg`` into the working block."""
    a, n, p, c = cfg.addr_bits, cfg.len_bits, cfg.prog_bits, cfg.count_bits
    prog_in = ports.stream_in("program", cfg.instr_bits)
    access = ports.stream_out("access", cfg.out_bits)
    idle = ports.output("idle", 1)

    memory = pyrtl.MemBlock(cfg.instr_bits, p, name="program_memory")  # SRAM, sync read
    state = pyrtl.Register(2, "state")
    wptr = pyrtl.Register(p + 1, "load_pointer")
    count = pyrtl.Register(p + 1, "program_length")
    pc = pyrtl.Register(p, "pc")
    addr = pyrtl.Register(a, "address")
    remaining = pyrtl.Register(n, "words_left")
    kind = pyrtl.Register(1, "kind")
    counters = [pyrtl.Register(c, name) for name in ("dram_read_bytes", "dram_write_bytes",
                                                      "dram_read_bursts",
                                                      "dram_write_bursts")]
    rd_bytes, wr_bytes, rd_bursts, wr_bursts = counters
    which = pyrtl.Register(2, "counter_index")
    out_data = pyrtl.Register(cfg.out_bits, "out_data")
    out_valid = pyrtl.Register(1, "out_valid")
    out_last = pyrtl.Register(1, "out_last")

    prog_in.ready <<= state == LOAD
    memory[wptr[:p]] <<= pyrtl.MemBlock.EnabledWrite(prog_in.data, prog_in.fire)
    access.data <<= out_data
    access.valid <<= out_valid
    access.last <<= out_last
    idle <<= (state == LOAD) & (wptr == 0)

    instr = memory[pc]  # synchronous read: the address is the pc register
    length = instr[:n]
    base = instr[n:n + a]
    op = instr[n + a:]
    word_shift = cfg.word_bytes.bit_length() - 1  # powers of two: ceil by a slice
    burst_shift = cfg.burst_bytes.bit_length() - 1
    words = (length + (cfg.word_bytes - 1))[word_shift:]
    bursts = (length + (cfg.burst_bytes - 1))[burst_shift:]
    onchip = op < 2
    last_instr = (pc + 1)[:p + 1] == count
    fire = access.valid & access.ready
    payload = cfg.payload_bits

    def address_word(write: pyrtl.WireVector, address: pyrtl.WireVector) -> pyrtl.WireVector:
        pad = [pyrtl.Const(0, payload - a)] if payload > a else []
        return pyrtl.concat(pyrtl.Const(0, 1), write, *pad, address)

    # DRAM counters: added to while decoding a DRAM instruction, cleared after the summary
    decoding = state == DECODE
    clear = (state == SUMMARY) & fire & out_last
    for reg, op_code, amount in ((rd_bytes, DRD, length), (rd_bursts, DRD, bursts),
                                 (wr_bytes, DWR, length), (wr_bursts, DWR, bursts)):
        reg.next <<= pyrtl.select(clear, pyrtl.Const(0, c), pyrtl.select(
            decoding & (op == op_code), (reg + amount)[:c], reg))

    with pyrtl.conditional_assignment:
        with state == LOAD, prog_in.fire:
            wptr.next |= wptr + 1
            with prog_in.last:
                count.next |= wptr + 1
                pc.next |= 0
                state.next |= DECODE
        with state == DECODE:
            with onchip & (words != 0):
                kind.next |= op != RD
                out_data.next |= address_word(op != RD, base)
                out_valid.next |= 1
                addr.next |= base + 1
                remaining.next |= words - 1
                state.next |= EMIT
            with last_instr:
                state.next |= SUMMARY
            with pyrtl.otherwise:
                pc.next |= pc + 1
        with state == EMIT, fire:
            with remaining == 0:
                out_valid.next |= 0
                with last_instr:
                    state.next |= SUMMARY
                with pyrtl.otherwise:
                    pc.next |= pc + 1
                    state.next |= DECODE
            with pyrtl.otherwise:
                out_data.next |= address_word(kind, addr)
                addr.next |= addr + 1
                remaining.next |= remaining - 1
        with state == SUMMARY:
            with ~out_valid:
                out_data.next |= pyrtl.concat(pyrtl.Const(KIND_COUNT, 2),
                                              pyrtl.mux(which, *counters))
                out_valid.next |= 1
                out_last.next |= which == len(counters) - 1
            with fire:
                out_valid.next |= 0
                which.next |= which + 1
                with out_last:
                    out_last.next |= 0
                    state.next |= LOAD
                    wptr.next |= 0
                    pc.next |= 0
