"""ZVC compressor and decompressor netlists: one word per cycle, valid/ready streams."""

from __future__ import annotations

import pyrtl

from accelbench.netlist.ports import Ports

COUNT_BITS = 24  # num_words port width (value count minus one), as EBPC's


def _clog2(n: int) -> int:
    return max(1, (n - 1).bit_length())


def zvc_compressor(ports: Ports, word_bits: int) -> None:
    """Stream ``in`` -> ``mask`` (flags, MSB-first) and ``values`` (non-zero words).

    The last non-zero word is held back one step so it can carry ``last`` on the value
    stream; after the input's last word a flush cycle sends it out.
    """
    w = word_bits
    inp = ports.stream_in("in", w)
    mask = ports.stream_out("mask", w)
    vals = ports.stream_out("values", w)
    idle = ports.output("idle", 1)

    acc = pyrtl.Register(w, "acc")
    count = pyrtl.Register(_clog2(w), "count")
    m_data, m_valid, m_last = (pyrtl.Register(w, "m_data"), pyrtl.Register(1, "m_valid"),
                               pyrtl.Register(1, "m_last"))
    v_data, v_valid, v_last = (pyrtl.Register(w, "v_data"), pyrtl.Register(1, "v_valid"),
                               pyrtl.Register(1, "v_last"))
    held, held_valid = pyrtl.Register(w, "held"), pyrtl.Register(1, "held_valid")
    flush = pyrtl.Register(1, "flush")

    m_free = ~m_valid | mask.ready
    v_free = ~v_valid | vals.ready
    inp.ready <<= ~flush & m_free & v_free
    take = inp.valid & inp.ready
    nonzero = inp.data != 0
    # flag i of a mask word lands on bit W-1-i: a one-hot decode of the count, no shifter
    placed = acc | pyrtl.concat_list([(count == w - 1 - j) & nonzero for j in range(w)])
    word_done = (count == w - 1) | inp.last

    m_load = take & word_done
    m_data.next <<= pyrtl.select(m_load, placed, m_data)
    m_last.next <<= pyrtl.select(m_load, inp.last, m_last)
    m_valid.next <<= m_load | (m_valid & ~mask.ready)
    acc.next <<= pyrtl.select(take, pyrtl.select(word_done, pyrtl.Const(0, w), placed), acc)
    count.next <<= pyrtl.select(take, pyrtl.select(word_done, 0, count + 1), count)

    push_held = take & nonzero & held_valid
    flush_out = flush & v_free
    v_load = push_held | flush_out
    v_data.next <<= pyrtl.select(v_load, held, v_data)
    v_last.next <<= pyrtl.select(v_load, flush, v_last)
    v_valid.next <<= v_load | (v_valid & ~vals.ready)
    held.next <<= pyrtl.select(take & nonzero, inp.data, held)
    held_valid.next <<= (take & nonzero) | (held_valid & ~flush_out)
    flush.next <<= (take & inp.last & (held_valid | nonzero)) | (flush & ~flush_out)

    mask.data <<= m_data
    mask.valid <<= m_valid
    mask.last <<= m_last
    vals.data <<= v_data
    vals.valid <<= v_valid
    vals.last <<= v_last
    idle <<= ~flush & ~m_valid & ~v_valid & ~held_valid & (count == 0)


def zvc_decompressor(ports: Ports, word_bits: int) -> None:
    """Streams ``mask`` and ``values`` + ``num_words`` (N-1) -> stream ``out``.

    One word per cycle: a flag 1 takes the next value word, 0 emits a zero. The word
    counter ends the stream after N words and discards the mask's padding bits.
    """
    w = word_bits
    mask = ports.stream_in("mask", w)
    vals = ports.stream_in("values", w)
    num_words = ports.input("num_words", COUNT_BITS)
    out = ports.stream_out("out", w)
    idle = ports.output("idle", 1)

    shift = pyrtl.Register(w, "shift")
    have = pyrtl.Register(_clog2(w + 1), "have")  # flags left in `shift`
    count = pyrtl.Register(COUNT_BITS, "count")
    o_data, o_valid, o_last = (pyrtl.Register(w, "o_data"), pyrtl.Register(1, "o_valid"),
                               pyrtl.Register(1, "o_last"))

    need_mask = have == 0
    flags = pyrtl.select(need_mask, mask.data, shift)
    flag = flags[w - 1]
    o_free = ~o_valid | out.ready
    produce = o_free & (~need_mask | mask.valid) & (~flag | vals.valid)
    mask.ready <<= produce & need_mask
    vals.ready <<= produce & flag
    is_last = count == num_words

    o_data.next <<= pyrtl.select(produce, pyrtl.select(flag, vals.data, pyrtl.Const(0, w)),
                                 o_data)
    o_last.next <<= pyrtl.select(produce, is_last, o_last)
    o_valid.next <<= produce | (o_valid & ~out.ready)
    shift.next <<= pyrtl.select(produce, pyrtl.concat(flags[: w - 1], pyrtl.Const(0, 1)), shift)
    have.next <<= pyrtl.select(produce, pyrtl.select(
        is_last, 0, pyrtl.select(need_mask, w - 1, have - 1)), have)
    count.next <<= pyrtl.select(produce, pyrtl.select(is_last, 0, count + 1), count)

    out.data <<= o_data
    out.valid <<= o_valid
    out.last <<= o_last
    idle <<= (count == 0) & ~o_valid & need_mask
