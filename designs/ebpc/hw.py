"""Streaming building blocks shared by the EBPC, BPC and zero-RLE netlists.

PyRTL builders in the rtllib style: each function creates its registers and logic in the
working block and returns the wires its neighbours need. Bit strings are kept
MSB-first: the first bit of a stream is the most significant bit of a buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

from accelbench.netlist.ports import StreamIn, StreamOut


def width_for(n: int) -> int:
    """Bits for the values 0..n."""
    return max(1, int(n).bit_length())


def zeros(n: int) -> pyrtl.Const:
    return pyrtl.Const(0, n)


def left_code(code: int, code_bits: int, width: int,
              field: pyrtl.WireVector | None = None) -> pyrtl.WireVector:
    """A constant code word (and an optional field after it) at the top of ``width`` bits."""
    parts = [pyrtl.Const(code, code_bits)] + ([field] if field is not None else [])
    used = code_bits + (len(field) if field is not None else 0)
    if used < width:
        parts.append(zeros(width - used))
    return pyrtl.concat(*parts)


def mux_cases(default: pyrtl.WireVector | int,
              cases: list[tuple[pyrtl.WireVector, pyrtl.WireVector | int]],
              bitwidth: int) -> pyrtl.WireVector:
    """The value of the first case whose condition is true (a priority mux)."""
    out = pyrtl.as_wires(default, bitwidth=bitwidth)
    for cond, value in reversed(cases):
        out = pyrtl.select(cond, pyrtl.as_wires(value, bitwidth=bitwidth), out)
    return out[:bitwidth]


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
    on ``length`` when a symbol can be longer than a word). A word leaves as
    soon as more than ``word_bits`` bits are held, so the last word is always kept back
    until ``flush`` sends it with ``last`` (zero-padded). ``flush`` must not coincide
    with ``add``.
    """
    w = word_bits
    buf = pyrtl.Register(buffer_bits, f"{name}_buf")
    fill = pyrtl.Register(width_for(buffer_bits), f"{name}_fill")
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
        : width_for(window_bits)]
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
    empty: pyrtl.WireVector


def bit_unpacker(inp: StreamIn, word_bits: int, buffer_bits: int, head_bits: int,
                 consume: pyrtl.WireVector, enable: pyrtl.WireVector | int,
                 clear: pyrtl.WireVector, name: str) -> Unpacker:
    """Unpacks words of ``inp`` into a bit buffer read MSB-first.

    ``consume`` (bits taken from the head this cycle, a function of ``head`` and the
    consumer's state) must not exceed ``fill``. A word is loaded whenever it fits after
    this cycle's consumption; no word is loaded after the one carrying ``last`` until
    ``clear`` drops the rest of the stream (its padding) and readies the next one.
    """
    w = word_bits
    buf = pyrtl.Register(buffer_bits, f"{name}_buf")
    fill = pyrtl.Register(width_for(buffer_bits), f"{name}_fill")
    seen_last = pyrtl.Register(1, f"{name}_seen_last")

    after = pyrtl.shift_left_logical(buf, consume)
    fill_after = (fill - consume)[: len(fill)]
    room = fill_after <= buffer_bits - w
    inp.ready <<= pyrtl.as_wires(enable, 1) & ~seen_last & room & ~clear
    load = inp.valid & inp.ready
    placed = pyrtl.shift_right_logical(pyrtl.concat(inp.data, zeros(buffer_bits - w)),
                                       fill_after)
    buf.next <<= pyrtl.select(clear, zeros(buffer_bits),
                              after | pyrtl.select(load, placed, zeros(buffer_bits)))
    fill.next <<= pyrtl.select(clear, 0, (fill_after + pyrtl.select(
        load, pyrtl.Const(w, len(fill)), pyrtl.Const(0, len(fill))))[: len(fill)])
    seen_last.next <<= ~clear & (seen_last | (load & inp.last))
    return Unpacker(head=buf[-head_bits:], fill=fill, seen_last=seen_last,
                    empty=(fill == 0) & ~seen_last)


@dataclass
class WordCounter:
    is_last: pyrtl.WireVector  # the word produced now is word N-1
    empty: pyrtl.WireVector


def word_counter(num_words: pyrtl.WireVector, step: pyrtl.WireVector,
                 name: str) -> WordCounter:
    """Counts produced words; wraps to 0 after word ``num_words`` (N-1)."""
    count = pyrtl.Register(len(num_words), f"{name}_count")
    is_last = count == num_words
    count.next <<= pyrtl.select(step, pyrtl.select(is_last, 0, (count + 1)[: len(count)]),
                                count)
    return WordCounter(is_last=is_last, empty=count == 0)


class OutputBuffer:
    """A one-word output register on ``out``: check ``free``, then call :meth:`drive`."""

    def __init__(self, out: StreamOut, name: str) -> None:
        self.out = out
        self.data = pyrtl.Register(len(out.data), f"{name}_data")
        self.valid = pyrtl.Register(1, f"{name}_valid")
        self.last = pyrtl.Register(1, f"{name}_last")
        self.free = ~self.valid | out.ready

    def drive(self, produce: pyrtl.WireVector, data: pyrtl.WireVector,
              last: pyrtl.WireVector) -> None:
        self.data.next <<= pyrtl.select(produce, data, self.data)
        self.last.next <<= pyrtl.select(produce, last, self.last)
        self.valid.next <<= produce | (self.valid & ~self.out.ready)
        self.out.data <<= self.data
        self.out.valid <<= self.valid
        self.out.last <<= self.last
