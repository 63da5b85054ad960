"""The IM2COL unit: distributed local memories on a ring, the loader that streams the
input map into them once, and the two readers (zero flags for the skip controller's front
end, patch values for the array).

Input column x lives in local memory (bank) x mod ``banks``, at word
``slot * RW + (x div banks) * C + c`` (RW = column blocks x C words per input row), so
the lanes of a step (columns u + i * stride, u = tile column + dx - pad_left) read
``lanes`` different banks in one cycle: bank b holds column block q0 + (b < rho), with
rho = u mod banks and q0 = floor(u / banks). A logarithmic rotator (the ring) turns the
bank outputs by rho and lane i takes position i * stride. Padding is generated (masked
lanes), not stored.

The loader reads the global buffer sequentially, one word per bank per beat, row by row
(channels innermost), and writes a row into the slot of a row no later output row needs;
the slot count is kh + stride. As it streams it packs one zero flag per activation,
``block`` channels to a flag word, for the input-skip check.

All memories are synchronous-read SRAM with one read and one write port: every read
address comes straight from a register (the macro's address latch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyrtl

from accelbench.designs.spots.hardware import SpotsHardware
from accelbench.netlist.lib import DATA_BITS, count_bits, rotate, strided_taps


@dataclass
class LocalMemories:
    data: list[pyrtl.MemBlock]  # per bank: activations
    flags: list[pyrtl.MemBlock]  # per bank: ``block`` zero flags a word


def local_memories(hw: SpotsHardware) -> LocalMemories:
    w = hw.widths
    return LocalMemories(
        [pyrtl.MemBlock(DATA_BITS, w["local"], name=f"lm{b}") for b in range(hw.banks)],
        [pyrtl.MemBlock(hw.config.block, w["flag"], name=f"zf{b}") for b in range(hw.banks)])


@dataclass
class Loader:
    loaded: pyrtl.Register  # input rows written so far
    beat: pyrtl.WireVector  # a beat (one word per bank) moves this cycle
    active: pyrtl.WireVector  # rows left to load


def im2col_loader(hw: SpotsHardware, cfg: dict[str, pyrtl.Register], mems: LocalMemories,
                  gbuf_read: Callable[[pyrtl.Register], list[pyrtl.WireVector]],
                  start: pyrtl.WireVector, row_done: pyrtl.WireVector) -> Loader:
    """Stream the input from the global buffer into the local memories (see the module
    docstring). ``gbuf_read(address_register)`` returns the ``banks`` words at that
    address; ``row_done`` frees the slots of ``stride`` input rows (an output row
    finished reading)."""
    w = hw.widths
    g = hw.config.block
    qb = count_bits(g - 1) if g > 1 else 0
    run = pyrtl.Register(1, "ld_run")
    ly = pyrtl.Register(w["y"], "ld_y")
    loff = pyrtl.Register(w["local"], "ld_off")  # word within the row: xb * C + c
    lc = pyrtl.Register(w["channel"], "ld_c")
    lfo = pyrtl.Register(w["flag"], "ld_foff")
    lslot = pyrtl.Register(w["slot"], "ld_slot")
    slot_rw = pyrtl.Register(w["local"], "ld_slot_rw")  # lslot * RW
    slot_rwf = pyrtl.Register(w["flag"], "ld_slot_rwf")
    gaddr = pyrtl.Register(w["gbuf"], "ld_gaddr")
    limit = pyrtl.Register(w["y"], "ld_limit")
    loaded = pyrtl.Register(w["y"], "ld_rows")

    active = run & (ly < cfg["h"])
    go = active & (ly < limit)
    row_last = loff == cfg["rw_m1"]
    last_c = lc == cfg["c_m1"]
    q = lc[:qb] if qb else pyrtl.Const(0, 1)
    block_done = ((q == g - 1) | last_c) if g > 1 else pyrtl.Const(1, 1)
    words = gbuf_read(gaddr)
    data_addr = (slot_rw + loff)[:w["local"]]
    flag_addr = (slot_rwf + lfo)[:w["flag"]]
    for b in range(hw.banks):
        word = words[b]
        mems.data[b][data_addr] <<= pyrtl.MemBlock.EnabledWrite(word, go)
        acc = pyrtl.Register(g, f"ld_flags{b}")
        nz = (word != 0).zero_extended(g)
        fresh = pyrtl.shift_left_logical(nz, q) if g > 1 else nz
        acc_new = (pyrtl.select(q == 0, pyrtl.Const(0, g), acc) | fresh)[:g]
        acc.next <<= pyrtl.select(go, acc_new, acc)
        mems.flags[b][flag_addr] <<= pyrtl.MemBlock.EnabledWrite(acc_new, go & block_done)

    last_slot = lslot == cfg["ns_m1"]
    with pyrtl.conditional_assignment:
        with start:
            for reg in (ly, loff, lc, lfo, lslot, slot_rw, slot_rwf, gaddr, loaded):
                reg.next |= 0
        with go:
            gaddr.next |= gaddr + 1
            with row_last:
                loff.next |= 0
                lc.next |= 0
                lfo.next |= 0
                ly.next |= ly + 1
                loaded.next |= loaded + 1
                with last_slot:
                    lslot.next |= 0
                    slot_rw.next |= 0
                    slot_rwf.next |= 0
                with pyrtl.otherwise:
                    lslot.next |= lslot + 1
                    slot_rw.next |= slot_rw + cfg["rw"]
                    slot_rwf.next |= slot_rwf + cfg["rwf"]
            with pyrtl.otherwise:
                loff.next |= loff + 1
                lc.next |= pyrtl.select(last_c, 0, lc + 1)
                lfo.next |= pyrtl.select(block_done, lfo + 1, lfo)
    run.next <<= start | active  # stops after the last row, before the next layer
    limit.next <<= pyrtl.select(start, cfg["limit0"],
                                pyrtl.select(row_done, limit + cfg["stride"], limit))
    return Loader(loaded, go, active)


def bank_addresses(base: pyrtl.WireVector, step: pyrtl.WireVector, rho: pyrtl.WireVector,
                   banks: int, bits: int, name: str) -> list[pyrtl.Register]:
    """Address registers of the banks: bank b reads ``base + step`` when b < rho (its
    column block is one further along the ring), else ``base``."""
    ahead = (base + step)[:bits]
    regs = []
    for b in range(banks):
        reg = pyrtl.Register(bits, f"{name}{b}")
        reg.next <<= pyrtl.select(rho > b, ahead, base[:bits])
        regs.append(reg)
    return regs


def lane_mask(hw: SpotsHardware, cfg: dict[str, pyrtl.Register], u: pyrtl.WireVector,
              lanes_left: pyrtl.WireVector, y_ok: pyrtl.WireVector) -> pyrtl.WireVector:
    """Lanes whose value lies inside the input (column u + i * stride in [0, W)), whose
    output column exists (i < ``lanes_left`` = E_w - tile start) and that the mode uses;
    ``u`` is signed (two's complement)."""
    xw = len(u)
    neg = u[xw - 1]
    lo = pyrtl.select(neg, (~u + 1)[:xw], pyrtl.Const(0, xw))  # max(-u, 0)
    hi = (cfg["w"].zero_extended(xw + 1) - u.sign_extended(xw + 1))[:xw + 1]
    hi_pos = ~hi[xw] & (hi[:xw] != 0)
    rps = hw.config.rows_per_sub
    oks = []
    for i, allowed in enumerate(hw.lane_strides()):
        offs = [pyrtl.Const(i * s, xw) for s in range(max(allowed) + 1)]
        off = pyrtl.mux(cfg["stride"], *offs, default=offs[1]) if len(allowed) > 1 \
            else offs[allowed[0]]
        ok = y_ok & (off >= lo) & hi_pos & (off < hi[:xw]) & (lanes_left > i)
        if hw.config.subarrays > 1 and i >= rps:
            ok = ok & ~cfg["split"]
        oks.append(ok)
    return pyrtl.concat_list(oks)


def flag_check(hw: SpotsHardware, stride: pyrtl.WireVector, mems: LocalMemories,
               addresses: list[pyrtl.Register], rho: pyrtl.WireVector,
               mask: pyrtl.WireVector) -> pyrtl.WireVector:
    """High when any used lane of the step's block holds a non-zero activation: each
    bank's flag word is OR-reduced, the bits go round the ring and lane i takes
    position i * stride."""
    any_bits = [mem[addr] != 0 for mem, addr in zip(mems.flags, addresses, strict=True)]
    taps = strided_taps(rotate(any_bits, rho), stride, hw.lane_strides())
    return pyrtl.rtl_any(*[tap & mask[i] for i, tap in enumerate(taps)])


def patch_read(hw: SpotsHardware, stride: pyrtl.WireVector, mems: LocalMemories,
               addresses: list[pyrtl.Register], rho: pyrtl.WireVector
               ) -> list[pyrtl.WireVector]:
    """Lane values of a step: the banks' words turned by rho, lane i at i * stride."""
    words = [mem[addr] for mem, addr in zip(mems.data, addresses, strict=True)]
    return strided_taps(rotate(words, rho), stride, hw.lane_strides())
