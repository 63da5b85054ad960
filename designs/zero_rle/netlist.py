"""Zero-RLE compressor and decompressor netlists (one stream ``rle``).

Compressor: a skid buffer on the input (registered ``in_ready``), a 4-bit zero counter
and a packer with a 2W-bit buffer: a non-zero word adds ``1`` + the word (plus a pending
run code), so on dense data the output (W+1 bits a word) is the bottleneck and the input
stalls about one cycle in W+1. Decompressor: an unpacker with a registered ``ready``
(3W+1 bits) and a run counter; one word a cycle except where the W+1-bit value codes
outrun the input's W bits a cycle. ``error`` rises (held until reset) when the stream
holds words beyond its codes.
"""

from __future__ import annotations

import pyrtl

from accelbench.families.codec import NUM_WORDS_BITS
from accelbench.netlist.lib import (
    bit_packer,
    bit_unpacker,
    count_bits,
    output_buffer,
    skid_buffer,
    word_counter,
    zeros,
)
from accelbench.netlist.ports import Ports


def zero_rle_compressor(ports: Ports, word_bits: int = 8) -> None:
    w = word_bits
    inp = skid_buffer(ports.stream_in("in", w), "in_skid")  # registered in_ready
    rle = ports.stream_out("rle", w)
    idle = ports.output("idle", 1)

    ending = pyrtl.Register(1, "ending")
    zcount = pyrtl.Register(4, "zcount")
    take = pyrtl.WireVector(1)
    nonzero = inp.data != 0
    pending = zcount != 0
    close = ~nonzero & ((zcount == 15) | inp.last)
    max_symbol = w + 6
    symbol = pyrtl.select(
        nonzero,
        pyrtl.select(pending,
                     pyrtl.concat(pyrtl.Const(0, 1), (zcount - 1)[:4], pyrtl.Const(1, 1),
                                  inp.data),
                     pyrtl.concat(pyrtl.Const(1, 1), inp.data, zeros(5))),
        pyrtl.concat(pyrtl.Const(0, 1), zcount, zeros(w + 1)))
    lb = count_bits(max_symbol)
    length = pyrtl.select(nonzero, pyrtl.select(pending, pyrtl.Const(w + 6, lb),
                                                pyrtl.Const(w + 1, lb)),
                          pyrtl.select(close, pyrtl.Const(5, lb), pyrtl.Const(0, lb)))
    pack = bit_packer(rle, w, 2 * w, max_symbol, symbol, length, take & (nonzero | close),
                      ending, "rle_pack")
    inp.ready <<= ~ending & pack.can_add
    take <<= inp.valid & inp.ready
    zcount.next <<= pyrtl.select(take, pyrtl.select(nonzero | close, 0, (zcount + 1)[:4]),
                                 zcount)
    ending.next <<= ~pack.flush_done & (ending | (take & inp.last))
    idle <<= ~inp.valid & ~ending & (zcount == 0) & pack.empty


def zero_rle_decompressor(ports: Ports, word_bits: int = 8) -> None:
    w = word_bits
    rle = ports.stream_in("rle", w)
    num_words = ports.input("num_words", NUM_WORDS_BITS)
    out = ports.stream_out("out", w)
    idle = ports.output("idle", 1)
    error = ports.output("error", 1)

    obuf = output_buffer(out, "obuf")
    clear = pyrtl.WireVector(1)
    consume = pyrtl.WireVector(count_bits(w + 1))
    unpack = bit_unpacker(rle, w, w + 1, w + 1, consume, 1, clear, "rle_unpack")
    zrun = pyrtl.Register(4, "zrun")
    surplus = pyrtl.Register(1, "surplus")
    head = unpack.head  # W+1 bits: the flag then a word or a 4-bit count
    in_run = zrun != 0
    code_one = ~in_run & head[w] & (unpack.fill >= w + 1)
    code_zero = ~in_run & ~head[w] & (unpack.fill >= 5)
    produce = obuf.ready & (in_run | code_one | code_zero)
    counter = word_counter(num_words, produce, "out")
    clear <<= produce & counter.is_last
    cb = len(consume)
    consume <<= pyrtl.select(produce & code_one, pyrtl.Const(w + 1, cb), pyrtl.select(
        produce & code_zero, pyrtl.Const(5, cb), pyrtl.Const(0, cb)))
    zrun.next <<= pyrtl.select(clear, 0, pyrtl.select(
        produce & code_zero, head[w - 4: w], pyrtl.select(produce & in_run, (zrun - 1)[:4],
                                                          zrun)))
    surplus.next <<= surplus | (clear & unpack.surplus)
    obuf.valid <<= produce
    obuf.data <<= pyrtl.select(code_one, head[:w], zeros(w))
    obuf.last <<= counter.is_last
    error <<= surplus
    idle <<= counter.empty & ~out.valid & unpack.empty & ~in_run
