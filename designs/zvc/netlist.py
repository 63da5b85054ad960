"""ZVC compressor and decompressor netlists: one word per cycle, valid/ready streams.

Every input ``ready`` is a register (a skid buffer, or the mask unpacker's registered
ready) and every output comes from a one-word output register.
"""

from __future__ import annotations

import pyrtl

from accelbench.families.codec import NUM_WORDS_BITS
from accelbench.netlist.lib import (
    bit_unpacker,
    index_bits,
    output_buffer,
    skid_buffer,
    word_counter,
    zeros,
)
from accelbench.netlist.ports import Ports


def zvc_compressor(ports: Ports, word_bits: int) -> None:
    """Stream ``in`` -> ``mask`` (flags, MSB-first) and ``values`` (non-zero words).

    The last non-zero word is held back one step so it can carry ``last`` on the value
    stream; after the input's last word a flush cycle sends it out.
    """
    w = word_bits
    inp = skid_buffer(ports.stream_in("in", w), "in_skid")
    mask_out = ports.stream_out("mask", w)
    values_out = ports.stream_out("values", w)
    idle = ports.output("idle", 1)
    mask = output_buffer(mask_out, "mask_obuf")
    values = output_buffer(values_out, "values_obuf")

    acc = pyrtl.Register(w, "acc")
    count = pyrtl.Register(index_bits(w), "count")
    held, held_valid = pyrtl.Register(w, "held"), pyrtl.Register(1, "held_valid")
    flush = pyrtl.Register(1, "flush")

    inp.ready <<= ~flush & mask.ready & values.ready
    take = inp.valid & inp.ready
    nonzero = inp.data != 0
    # flag i of a mask word lands on bit W-1-i: a one-hot decode of the count, no shifter
    placed = acc | pyrtl.concat_list([(count == w - 1 - j) & nonzero for j in range(w)])
    word_done = (count == w - 1) | inp.last
    mask.valid <<= take & word_done
    mask.data <<= placed
    mask.last <<= inp.last
    acc.next <<= pyrtl.select(take, pyrtl.select(word_done, zeros(w), placed), acc)
    count.next <<= pyrtl.select(take, pyrtl.select(word_done, 0, count + 1), count)

    push_held = take & nonzero & held_valid
    flush_out = flush & values.ready
    values.valid <<= push_held | flush_out
    values.data <<= held
    values.last <<= flush
    held.next <<= pyrtl.select(take & nonzero, inp.data, held)
    held_valid.next <<= (take & nonzero) | (held_valid & ~flush_out)
    flush.next <<= (take & inp.last & (held_valid | nonzero)) | (flush & ~flush_out)
    idle <<= (~inp.valid & ~flush & ~mask_out.valid & ~values_out.valid & ~held_valid
              & (count == 0))


def zvc_decompressor(ports: Ports, word_bits: int) -> None:
    """Streams ``mask`` and ``values`` + ``num_words`` (N-1) -> stream ``out``.

    One word per cycle: a flag 1 takes the next value word, 0 emits a zero. The word
    counter ends the stream after N words and discards the mask's padding bits.
    ``error`` rises (held until reset) where the golden decoder raises: mask words
    beyond the N flags, value words beyond the flagged ones, a value taken after the
    value stream's last word, or a zero value word.
    """
    w = word_bits
    mask_in = ports.stream_in("mask", w)
    values_in = ports.stream_in("values", w)
    num_words = ports.input("num_words", NUM_WORDS_BITS)
    out = ports.stream_out("out", w)
    idle = ports.output("idle", 1)
    error = ports.output("error", 1)
    obuf = output_buffer(out, "obuf")

    clear = pyrtl.WireVector(1)
    produce = pyrtl.WireVector(1)
    flags = bit_unpacker(mask_in, w, 1, 1, produce, 1, clear, "mask_unpack")
    flag = flags.head[0]
    values_used = pyrtl.Register(1, "values_used")  # this tensor took a value word
    values_done = pyrtl.Register(1, "values_done")  # ... and the value stream's last one
    # read the value stream only once this tensor needs it, and not past its last word
    needed = ~values_done & (values_used | (flag & (flags.fill != 0)))
    values = skid_buffer(values_in, "values_skid", enable=needed)
    produce <<= obuf.ready & (flags.fill != 0) & (~flag | values.valid)
    values.ready <<= produce & flag
    counter = word_counter(num_words, produce, "out")
    clear <<= produce & counter.is_last

    took = values.valid & values.ready
    used_now = values_used | took
    done_now = values_done | (took & values.last)
    values_used.next <<= ~clear & used_now
    values_done.next <<= ~clear & done_now
    surplus = pyrtl.Register(1, "surplus")
    bad_value = took & (values_done | (values.data == 0))
    surplus.next <<= surplus | bad_value | (clear & (flags.surplus | (used_now & ~done_now)))

    obuf.valid <<= produce
    obuf.data <<= pyrtl.select(flag, values.data, zeros(w))
    obuf.last <<= counter.is_last
    error <<= surplus
    idle <<= counter.empty & ~out.valid & flags.empty & ~values.valid
