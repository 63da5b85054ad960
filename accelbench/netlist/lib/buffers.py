"""Stream buffers: a one-word output register and a two-entry skid buffer.

Both speak the valid/ready protocol of :mod:`accelbench.netlist.ports`: a word moves on
a cycle where ``valid`` and ``ready`` are both high, and an offered word stays offered,
unchanged, until it moves.
"""

from __future__ import annotations

import pyrtl

from accelbench.netlist.ports import StreamIn, StreamOut


def output_buffer(out: StreamOut, name: str) -> StreamOut:
    """A one-word register in front of the output stream ``out``; returns its input side.

    The producer drives the returned stream's ``data``, ``valid`` and ``last`` and reads
    its ``ready`` (high when the register is empty or ``out`` takes its word this cycle,
    so it follows ``out.ready`` combinationally: an internal path, not a port). ``out``'s
    ``valid``, ``data`` and ``last`` come straight from registers. Latency 1 cycle,
    one word a cycle.
    """
    data = pyrtl.Register(len(out.data), f"{name}_data")
    valid = pyrtl.Register(1, f"{name}_valid")
    last = pyrtl.Register(1, f"{name}_last")
    up = StreamOut(pyrtl.WireVector(len(out.data)), pyrtl.WireVector(1), pyrtl.WireVector(1),
                   ~valid | out.ready)
    load = up.valid & up.ready
    data.next <<= pyrtl.select(load, up.data, data)
    last.next <<= pyrtl.select(load, up.last, last)
    valid.next <<= load | (valid & ~out.ready)
    out.data <<= data
    out.valid <<= valid
    out.last <<= last
    return up


def skid_buffer(inp: StreamIn, name: str,
                enable: pyrtl.WireVector | int = 1) -> StreamIn:
    """A two-entry skid buffer after the input stream ``inp``; returns its output side.

    ``inp.ready`` is a register (high while the skid entry is empty) and'ed with
    ``enable``, which must itself come from registers (e.g. "this stream is needed"):
    then ``inp.ready`` depends on no input combinationally. The returned stream's
    ``valid``, ``data`` and ``last`` are registers too. The consumer drives the returned
    ``ready`` and may compute it from anything (the data it is offered, a downstream
    ready). Latency 1 cycle, one word a cycle: a word that arrives while the consumer
    stalls waits in the skid entry.
    """
    w = len(inp.data)
    main_data, skid_data = pyrtl.Register(w, f"{name}_data"), pyrtl.Register(w, f"{name}_skid")
    main_last = pyrtl.Register(1, f"{name}_last")
    skid_last = pyrtl.Register(1, f"{name}_skid_last")
    main_valid = pyrtl.Register(1, f"{name}_valid")
    skid_valid = pyrtl.Register(1, f"{name}_skid_valid")
    down = StreamIn(main_data, main_valid, main_last, pyrtl.WireVector(1))

    inp.ready <<= ~skid_valid & pyrtl.as_wires(enable, 1)
    take = inp.valid & inp.ready
    main_free = ~main_valid | down.ready
    refill_from_skid = main_free & skid_valid
    refill_from_input = main_free & ~skid_valid & take
    main_data.next <<= pyrtl.select(refill_from_skid, skid_data,
                                    pyrtl.select(refill_from_input, inp.data, main_data))
    main_last.next <<= pyrtl.select(refill_from_skid, skid_last,
                                    pyrtl.select(refill_from_input, inp.last, main_last))
    main_valid.next <<= skid_valid | take | (main_valid & ~down.ready)
    park = ~main_free & take
    skid_data.next <<= pyrtl.select(park, inp.data, skid_data)
    skid_last.next <<= pyrtl.select(park, inp.last, skid_last)
    skid_valid.next <<= park | (skid_valid & ~main_free)
    return down
