"""BPC-alone compressor and decompressor netlists (one stream ``bpc``): EBPC's block
collector, plane coder and plane decoder (:mod:`accelbench.designs.ebpc.hw_bpc`) fed
with every word, zeros included. The compressor takes its input through a skid buffer
(registered ``in_ready``); the decompressor's unpacker has a registered ``ready`` and
raises ``error`` (held until reset) when the stream holds words beyond its blocks."""

from __future__ import annotations

import pyrtl

from accelbench.designs.ebpc.bpc import BlockShape
from accelbench.designs.ebpc.hw_bpc import bpc_decoder, bpc_encoder
from accelbench.families.codec import NUM_WORDS_BITS
from accelbench.netlist.lib import output_buffer, skid_buffer, word_counter
from accelbench.netlist.ports import Ports


def bpc_compressor(ports: Ports, word_bits: int = 8, block_size: int = 8) -> None:
    shape = BlockShape(word_bits, block_size)
    inp = skid_buffer(ports.stream_in("in", word_bits), "in_skid")
    bpc_out = ports.stream_out("bpc", word_bits)
    idle = ports.output("idle", 1)
    ending = pyrtl.Register(1, "ending")
    done = pyrtl.Register(1, "done")
    take = pyrtl.WireVector(1)
    path = bpc_encoder(bpc_out, shape, take, inp.data, ending, done)
    inp.ready <<= ~ending & path.accept
    take <<= inp.valid & inp.ready
    finished = ending & (done | path.flush_done)
    ending.next <<= ~finished & (ending | (take & inp.last))
    done.next <<= ~finished & (done | path.flush_done)
    idle <<= ~inp.valid & ~ending & path.empty


def bpc_decompressor(ports: Ports, word_bits: int = 8, block_size: int = 8) -> None:
    shape = BlockShape(word_bits, block_size)
    bpc_in = ports.stream_in("bpc", word_bits)
    num_words = ports.input("num_words", NUM_WORDS_BITS)
    out = ports.stream_out("out", word_bits)
    idle = ports.output("idle", 1)
    error = ports.output("error", 1)
    obuf = output_buffer(out, "obuf")
    clear = pyrtl.WireVector(1)
    produce = pyrtl.WireVector(1)
    values = bpc_decoder(bpc_in, shape, 1, produce, clear)
    produce <<= obuf.ready & values.avail
    counter = word_counter(num_words, produce, "out")
    clear <<= produce & counter.is_last
    surplus = pyrtl.Register(1, "surplus")
    surplus.next <<= surplus | (clear & values.surplus)
    obuf.valid <<= produce
    obuf.data <<= values.value
    obuf.last <<= counter.is_last
    error <<= surplus
    idle <<= counter.empty & ~out.valid & values.empty
