"""EBPC compressor and decompressor netlists, and drivers that simulate them.

Compressor: stream ``in`` (N signed W-bit words, ``last`` on the final one) -> streams
``znz`` and ``bpc`` with their own valid/ready/last. A skid buffer takes the input (so
``in_ready`` is a register); the ZNZ path (4-bit zero counter, packer) codes every word;
non-zero words also enter the BPC path (collector, plane coder, packer, see
:mod:`accelbench.designs.ebpc.hw_bpc`). On ``last`` the partial block is padded with
zero words, then each packer sends its held bits as the stream's last word.
Decompressor: ``znz`` + ``bpc`` + ``num_words`` (N-1, 24 bits) -> ``out``: the ZNZ
decoder yields one mask bit a cycle; a 1 takes the next word of the BPC decoder, a 0
sends a zero; after word N-1 the block padding and the streams' padding bits are
dropped. Both unpackers have a registered ``ready``. A stream that holds a word or more
beyond its codes (as the golden decoder rejects) raises the output ``error``, held until
reset. Both return to their initial state after a stream (output ``idle``); every
stream output comes from a register.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyrtl

from accelbench.bits import to_signed, to_words
from accelbench.designs.ebpc import bpc, znz
from accelbench.designs.ebpc.bitcode import stream_bits
from accelbench.designs.ebpc.hw_bpc import bpc_decoder, bpc_encoder
from accelbench.families.codec import NUM_WORDS_BITS
from accelbench.netlist.lib import (
    bit_packer,
    bit_unpacker,
    count_bits,
    left_code,
    output_buffer,
    skid_buffer,
    word_counter,
    zeros,
)
from accelbench.netlist.ports import Ports

ZNZ_SYMBOL_BITS = 6  # a closed zero run and the non-zero flag after it: 0cccc1


def znz_symbol(nonzero: pyrtl.WireVector, count: pyrtl.WireVector,
               close: pyrtl.WireVector) -> tuple[pyrtl.WireVector, pyrtl.WireVector]:
    """ZNZ bits for one word (left-aligned in 6 bits) and their number.

    ``count``: zeros pending before this word (0..15); ``close``: this zero word ends
    the run (16th zero or end of stream).
    """
    pending = count != 0
    run_then_one = pyrtl.concat(pyrtl.Const(0, 1), (count - 1)[:4], pyrtl.Const(1, 1))
    symbol = pyrtl.select(nonzero, pyrtl.select(pending, run_then_one, left_code(1, 1, 6)),
                          left_code(0, 1, 6, count))
    length = pyrtl.select(nonzero, pyrtl.select(pending, pyrtl.Const(6, 3), pyrtl.Const(1, 3)),
                          pyrtl.select(close, pyrtl.Const(5, 3), pyrtl.Const(0, 3)))
    return symbol, length


def ebpc_compressor(ports: Ports, word_bits: int = 8, block_size: int = 8) -> None:
    shape = bpc.BlockShape(word_bits, block_size)
    w = word_bits
    inp = skid_buffer(ports.stream_in("in", w), "in_skid")  # registered in_ready
    znz_out = ports.stream_out("znz", w)
    bpc_out = ports.stream_out("bpc", w)
    idle = ports.output("idle", 1)

    ending = pyrtl.Register(1, "ending")  # last word taken, streams not yet flushed
    znz_done = pyrtl.Register(1, "znz_done")
    bpc_done = pyrtl.Register(1, "bpc_done")
    zcount = pyrtl.Register(4, "zcount")
    take = pyrtl.WireVector(1)

    nonzero = inp.data != 0
    close = ~nonzero & ((zcount == 15) | inp.last)
    z_symbol, z_length = znz_symbol(nonzero, zcount, close)
    z_pack = bit_packer(znz_out, w, w, ZNZ_SYMBOL_BITS, z_symbol, z_length,
                        take & (nonzero | close), ending & ~znz_done, "znz_pack")
    b_path = bpc_encoder(bpc_out, shape, take & nonzero, inp.data, ending, bpc_done)

    inp.ready <<= ~ending & z_pack.can_add & (b_path.accept | ~nonzero)
    take <<= inp.valid & inp.ready
    zcount.next <<= pyrtl.select(take, pyrtl.select(nonzero | close, 0, (zcount + 1)[:4]),
                                 zcount)
    z_finished = znz_done | z_pack.flush_done
    b_finished = bpc_done | b_path.flush_done
    all_done = ending & z_finished & b_finished
    ending.next <<= ~all_done & (ending | (take & inp.last))
    znz_done.next <<= ~all_done & z_finished
    bpc_done.next <<= ~all_done & b_finished
    idle <<= ~inp.valid & ~ending & (zcount == 0) & z_pack.empty & b_path.empty


def ebpc_decompressor(ports: Ports, word_bits: int = 8, block_size: int = 8) -> None:
    shape = bpc.BlockShape(word_bits, block_size)
    w = word_bits
    znz_in = ports.stream_in("znz", w)
    bpc_in = ports.stream_in("bpc", w)
    num_words = ports.input("num_words", NUM_WORDS_BITS)
    out = ports.stream_out("out", w)
    idle = ports.output("idle", 1)
    error = ports.output("error", 1)

    obuf = output_buffer(out, "obuf")
    clear = pyrtl.WireVector(1)  # word N-1 leaves now: drop all padding
    z_consume = pyrtl.WireVector(count_bits(5))
    z_unpack = bit_unpacker(znz_in, w, 5, 5, z_consume, 1, clear, "znz_unpack")
    zrun = pyrtl.Register(4, "zrun")  # zeros still to send from the current run code
    bpc_used = pyrtl.Register(1, "bpc_used")  # this tensor has non-zero words
    surplus = pyrtl.Register(1, "surplus")  # a stream held words beyond its codes

    in_run = zrun != 0
    head = z_unpack.head
    code_one = ~in_run & head[4] & (z_unpack.fill >= 1)
    code_zero = ~in_run & ~head[4] & (z_unpack.fill >= 5)
    take_value = pyrtl.WireVector(1)
    values = bpc_decoder(bpc_in, shape, bpc_used | code_one, take_value, clear)

    produce = obuf.ready & (in_run | code_zero | (code_one & values.avail))
    take_value <<= produce & code_one
    counter = word_counter(num_words, produce, "out")
    clear <<= produce & counter.is_last
    z_consume <<= pyrtl.select(produce & code_one, pyrtl.Const(1, len(z_consume)),
                               pyrtl.select(produce & code_zero,
                                            pyrtl.Const(5, len(z_consume)),
                                            pyrtl.Const(0, len(z_consume))))
    zrun.next <<= pyrtl.select(clear, 0, pyrtl.select(
        produce & code_zero, head[:4], pyrtl.select(produce & in_run, (zrun - 1)[:4], zrun)))
    bpc_used.next <<= ~clear & (bpc_used | code_one)
    surplus.next <<= surplus | (clear & (z_unpack.surplus
                                         | ((bpc_used | code_one) & values.surplus)))
    obuf.valid <<= produce
    obuf.data <<= pyrtl.select(code_one, values.value, zeros(w))
    obuf.last <<= counter.is_last
    error <<= surplus
    idle <<= counter.empty & ~out.valid & z_unpack.empty & values.empty & ~in_run & ~bpc_used


# --- simulation drivers (contract: netlist.compress / netlist.decompress) -------------------
@dataclass
class CompressResult:
    """The compressor netlist's streams; bit counts are the lengths of the codes found
    in them (the netlist emits words only), cycles from the first input word."""

    znz_words: np.ndarray
    bpc_words: np.ndarray
    znz_bits: int
    bpc_bits: int
    cycles: int


@dataclass
class DecompressResult:
    values: np.ndarray
    cycles: int


@functools.cache
def _codec(word_bits: int, block_size: int) -> Any:
    from accelbench.designs.ebpc.design import EbpcCodec

    return EbpcCodec(word_bits=word_bits, block_size=block_size)


def compress(values: np.ndarray, word_bits: int = 8, block_size: int = 8,
             **stalls: Any) -> CompressResult:
    """Simulate the compressor netlist on ``values`` (signed W-bit words).

    ``stalls``: ``valid_probability``, ``ready_probability``, ``seed``, ``simulator``.
    """
    from accelbench.designs.ebpc import golden

    shape = golden.check_shape(word_bits, block_size)
    v = golden.check_values(values, word_bits)
    enc, cycles = _codec(word_bits, block_size).simulate_compress(to_words(v, word_bits),
                                                                  **stalls)
    z_words, b_words = enc.streams["znz"], enc.streams["bpc"]
    flags, _, z_bits = znz.decode(stream_bits(z_words, word_bits, "ZNZ"), len(v))
    n_blocks = -(-int(flags.sum()) // block_size)
    _, b_bits = bpc.decode_blocks(stream_bits(b_words, word_bits, "BPC"), n_blocks, shape)
    return CompressResult(z_words, b_words, z_bits, b_bits, cycles)


def decompress(s: Any, n_values: int, word_bits: int = 8, block_size: int = 8,
               **stalls: Any) -> DecompressResult:
    """Simulate the decompressor netlist on the streams of ``s`` (``znz_words``,
    ``bpc_words``); returns the signed words and the cycles."""
    from accelbench.designs.ebpc import golden
    from accelbench.families.codec import Encoded

    golden.check_shape(word_bits, block_size)
    znz_words, bpc_words = golden.streams_of(s)
    enc = Encoded({"znz": np.asarray(znz_words), "bpc": np.asarray(bpc_words)}, {},
                  int(n_values))
    words, cycles = _codec(word_bits, block_size).simulate_decompress(enc, **stalls)
    return DecompressResult(to_signed(words, word_bits), cycles)
