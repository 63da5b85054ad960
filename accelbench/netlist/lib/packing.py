"""Bit packer and unpacker: variable-length codes to and from a stream of W-bit words.

Bit strings are MSB-first: the first bit of a stream is the most significant bit of its
first word, and of a buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

from accelbench.netlist.lib.logic import zeros
from accelbench.netlist.lib.widths import count_bits
from accelbench.netlist.ports import StreamIn, StreamOut


@dataclass
class Packer:
    """Output side of :func:`bit_packer`."""

    can_add: pyrtl.WireVector  # a symbol may be added this cycle
    flush_done: pyrtl.WireVector  # the flush request completes this cycle
    empty: pyrtl.WireVector  # no bits held and no word waiting


def bit_packer(out: StreamOut, word_bits: int, buffer_bits: int, max_symbol: int,
               symbol: pyrtl.WireVector, length: pyrtl.WireVector, add: pyrtl.WireVector,
               flush: pyrtl.WireVector, name: str) -> Packer:
    """Packs variable-length symbols MSB-first into words on ``out`` (one word a cycle).

    ``symbol`` is left-aligned (its first bit is the MSB) in ``max_symbol`` bits and is
    taken when ``add`` is high (the caller only adds when ``can_add``, which may depend
    on ``length`` when a symbol can be longer than a word, and on ``out.ready``). A word
    leaves as soon as more than ``word_bits`` bits are held, so the last word is always
    kept back until ``flush`` sends it with ``last`` (zero-padded). ``flush`` must not
    coincide with ``add``. ``out``'s ``valid``, ``data`` and ``last`` are registers;
    a symbol reaches ``out`` one cycle after it completes a word.
    """
    w = word_bits
    buf = pyrtl.Register(buffer_bits, f"{name}_buf")
    fill = pyrtl.Register(count_bits(buffer_bits), f"{name}_fill")
    o_data = pyrtl.Register(w, f"{name}_data")
    o_valid = pyrtl.Register(1, f"{name}_valid")
    o_last = pyrtl.Register(1, f"{name}_last")

    free = ~o_valid | out.ready
    window_bits = buffer_bits + w
    if len(symbol) != max_symbol or max_symbol > window_bits:
        raise ValueError(f"{name}: symbol must be {max_symbol} <= {window_bits} bits wide")
    sym_window = pyrtl.concat(symbol, zeros(window_bits - max_symbol)) \
        if window_bits > max_symbol else symbol
    placed = pyrtl.shift_right_logical(
        pyrtl.select(add, sym_window, zeros(window_bits)), fill)
    window = pyrtl.concat(buf, zeros(w)) | placed
    total = (fill + pyrtl.select(add, length, pyrtl.Const(0, len(length))))[
        : count_bits(window_bits)]
    emit = (total > w) & free
    do_flush = flush & free & (fill != 0) & (fill <= w)

    buf.next <<= pyrtl.select(do_flush, zeros(buffer_bits),
                              pyrtl.select(emit, window[:buffer_bits], window[w:]))
    fill.next <<= pyrtl.select(do_flush, 0, pyrtl.select(emit, (total - w)[: len(fill)],
                                                        total[: len(fill)]))
    o_data.next <<= pyrtl.select(emit | do_flush, window[-w:], o_data)
    o_last.next <<= pyrtl.select(emit | do_flush, do_flush, o_last)
    o_valid.next <<= emit | do_flush | (o_valid & ~out.ready)
    out.data <<= o_data
    out.valid <<= o_valid
    out.last <<= o_last
    room = buffer_bits + w - max_symbol  # fill that still leaves room for any symbol
    if room >= buffer_bits:
        can_add = free
    else:  # room for this very symbol: kept in the buffer, or one word leaves now
        needed = fill + length
        can_add = (needed <= buffer_bits) | (free & (needed <= window_bits))
    return Packer(can_add=can_add, flush_done=flush & ((fill == 0) | do_flush),
                  empty=(fill == 0) & ~o_valid)


@dataclass
class Unpacker:
    """Output side of :func:`bit_unpacker`."""

    head: pyrtl.WireVector  # the next ``head_bits`` bits, MSB first
    fill: pyrtl.WireVector  # how many bits are held
    seen_last: pyrtl.WireVector  # the stream's last word has been loaded
    empty: pyrtl.WireVector  # no bits held and no stream in progress
    surplus: pyrtl.WireVector  # were the stream to end now, words of it would be left over


def unpacker_buffer_bits(word_bits: int, max_consume: int, head_bits: int) -> int:
    """Buffer size at which a registered ``ready`` never starves the consumer.

    With ``ready`` high exactly when ``fill <= buffer - W``, a cycle without a load
    leaves at least ``buffer - W + 1 - max_consume`` bits, which must cover the
    ``head_bits`` the consumer may need; a cycle with a load adds W >= what it takes.
    """
    return word_bits + max_consume + head_bits - 1


def bit_unpacker(inp: StreamIn, word_bits: int, head_bits: int, max_consume: int,
                 consume: pyrtl.WireVector, enable: pyrtl.WireVector | int,
                 clear: pyrtl.WireVector, name: str) -> Unpacker:
    """Unpacks the words of ``inp`` into a bit buffer read MSB-first at ``head``.

    ``consume`` (bits taken from the head this cycle, at most ``max_consume`` and at
    most ``fill``) may depend on anything, including the head and a downstream ready.
    ``inp.ready`` is a function of the unpacker's registers and ``enable`` only: high
    when the buffer (:func:`unpacker_buffer_bits`) has room for a word whatever is
    consumed, the stream is ``enable``-d and its ``last`` word has not been loaded yet;
    so a consumer that takes at most W bits a cycle and needs at most ``head_bits``
    (<= W) never waits for a refill while words arrive. ``clear`` (the consumer has
    taken the stream's final code) drops what is left (the stream's padding) and readies
    the next stream; ``surplus``, read on that cycle, says the stream held a whole word
    or more beyond its codes (its ``last`` word not loaded before this cycle, or W or
    more bits left after this cycle's consumption).
    """
    w = word_bits
    buffer_bits = unpacker_buffer_bits(w, max_consume, head_bits)
    buf = pyrtl.Register(buffer_bits, f"{name}_buf")
    fill = pyrtl.Register(count_bits(buffer_bits), f"{name}_fill")
    seen_last = pyrtl.Register(1, f"{name}_seen_last")

    inp.ready <<= pyrtl.as_wires(enable, 1) & ~seen_last & (fill <= buffer_bits - w)
    load = inp.valid & inp.ready
    after = pyrtl.shift_left_logical(buf, consume)
    fill_after = (fill - consume)[: len(fill)]
    placed = pyrtl.shift_right_logical(pyrtl.concat(inp.data, zeros(buffer_bits - w)),
                                       fill_after)
    buf.next <<= pyrtl.select(clear, zeros(buffer_bits),
                              after | pyrtl.select(load, placed, zeros(buffer_bits)))
    fill.next <<= pyrtl.select(clear, 0, (fill_after + pyrtl.select(
        load, pyrtl.Const(w, len(fill)), pyrtl.Const(0, len(fill))))[: len(fill)])
    seen_last.next <<= ~clear & (seen_last | (load & inp.last))
    return Unpacker(head=buf[-head_bits:], fill=fill, seen_last=seen_last,
                    empty=(fill == 0) & ~seen_last,
                    surplus=~seen_last | (fill_after >= w))
