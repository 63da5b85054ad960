"""The sparse Hadamard-product engine netlist: P lanes, B single-ported banks.

Data path (one netlist per (P, B); layer sizes in configuration inputs):

* **Spectrum buffer.** Input stream ``spec`` carries, for each tile, every channel's
  spectrum as 5 column words (the FFT unit's output). Bin b of channel c goes to bank
  ``b % B`` at address ``c * ceil(40 / B) + b // B``. The buffer is doubled (two halves
  of B single-port synchronous-read macros): one half is filled while the lanes read the
  other, so a macro is never read and written in the same cycle. B must be a power of
  two; a column word's 8 bins then spread evenly over the banks (one cycle per word for
  B >= 8, 8 / B cycles otherwise).
* **Lanes.** Lane l runs filter ``g * P + l`` of group g. Its kernel memory
  (synchronous read, written through the ``kw_*`` port before a run, one entry per lane
  per cycle) holds the program of :mod:`~accelbench.designs.spectral.program`: for each
  group, for each channel (a *pass*), the lane's entries in issue order. Each cycle an
  active lane requests the bank of its head entry; per bank a fixed-priority arbiter
  grants the lowest requesting lane (the others retry), a ``nop`` entry needs no bank. A
  lane whose ``last`` entry issues waits for the others; the next pass starts the cycle
  after the last lane's ``last`` issues, so a pass takes exactly
  :func:`accelbench.designs.spectral.schedule.cycles` of its entries (in-order lists, or
  greedy/optimal slots with bubbles).
* **Multiply-accumulate.** Issue (cycle t: bank address registered), operand select and
  the 4 real products (t+1, each registered), their rounded sums accumulated (t+2) into
  the lane's accumulator: 8 two-port register-file macros (one per row frequency u, 8
  words by v), so a drain can read a whole spectrum column per cycle. Reads of the same
  bin are >= 1 cycle apart, so a read always sees the previous write.
* **Drain.** After a group's last pass (2 cycles for the pipeline to empty), the P
  accumulated spectra leave on stream ``acc`` as 5 column words each (lane 0 first),
  each read clears its words for the next group; then the next group starts.

After reset the engine spends 8 cycles clearing its accumulators (they are not reset
flip-flops). Outputs: ``idle`` (nothing held), ``running`` (a pass is executing) and
``pass_end`` (a pass ends this cycle), so a testbench can time every pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyrtl

from accelbench.designs.spectral.fft import acc_word_bits, pack, spec_word_bits, split
from accelbench.designs.spectral.fixed import DEFAULT, FixedPoint
from accelbench.designs.spectral.golden import BINS, HALF, K, SpectralError
from accelbench.designs.spectral.hwlib import (
    Complex,
    PartialProducts,
    bank_arbiter,
    combine_products,
    one_hot_mux,
    partial_products,
    s_add,
)
from accelbench.designs.spectral.program import EntryLayout
from accelbench.netlist.lib import index_bits
from accelbench.netlist.ports import Ports, StreamIn, StreamOut

INIT, WAIT, RUN, FLUSH, DRAIN = range(5)
FLUSH_CYCLES = 2
ACC_WORDS = 8  # accumulator macro depth (5 used: v = 0..4)


@dataclass(frozen=True)
class EngineConfig:
    """Hardware parameters of one engine variant (defaults labelled in docs/spectral.md).

    ``kernel_depth``: entries per lane, default 1 MiB of kernel budget over 8 lanes of
    4-byte entries; ``max_groups``: filter groups per layer (filters / lanes).
    """

    lanes: int = 8
    banks: int = 8
    kernel_depth: int = 32768
    max_groups: int = 256
    fp: FixedPoint = field(default_factory=lambda: DEFAULT)

    def __post_init__(self) -> None:
        if self.lanes < 1:
            raise SpectralError(f"lanes must be >= 1, got {self.lanes}")
        if self.banks < 1 or self.banks & (self.banks - 1):
            raise SpectralError(f"the engine netlist needs a power-of-two bank count, got "
                                f"{self.banks}")

    @property
    def bank_words(self) -> int:
        """Words of one channel's spectrum in one bank: ceil(40 / B)."""
        return -(-BINS // self.banks)

    @property
    def spectrum_depth(self) -> int:
        return self.fp.max_channels * self.bank_words

    @property
    def load_cycles_per_word(self) -> int:
        return max(1, K // self.banks)

    @property
    def layout(self) -> EntryLayout:
        return EntryLayout(self.fp.kernel_bits)

    @property
    def group_bits(self) -> int:
        return index_bits(self.max_groups)


@dataclass
class KernelWrite:
    """The kernel-memory write port: one entry into every lane's memory per cycle
    (lane l's entry in bits [l * width, (l + 1) * width) of ``data``)."""

    enable: pyrtl.WireVector
    address: pyrtl.WireVector
    data: pyrtl.WireVector


@dataclass
class EngineWires:
    idle: pyrtl.WireVector
    running: pyrtl.WireVector
    pass_end: pyrtl.WireVector


def _reg(width: int, name: str, reset: int = 0) -> pyrtl.Register:
    return pyrtl.Register(width, name, reset_value=reset)


def hadamard_unit(inp: StreamIn, out: StreamOut, cfg: EngineConfig,
                  channels_m1: pyrtl.WireVector, groups_m1: pyrtl.WireVector,
                  kw: KernelWrite, name: str = "had") -> EngineWires:
    """Build the engine (see the module docstring) around the given streams."""
    fp = cfg.fp
    lanes, banks = cfg.lanes, cfg.banks
    bank_bits = (banks - 1).bit_length()
    spec_w, acc_w, kb = fp.spec_bits, fp.acc_bits, fp.kernel_bits
    sa = index_bits(cfg.spectrum_depth)
    cb = fp.channel_bits
    layout = cfg.layout

    spec = [[pyrtl.MemBlock(2 * spec_w, sa, name=f"{name}_spec{h}_{b}") for b in range(banks)]
            for h in range(2)]

    # ------------------------------------------------------------ loader (fill side)
    fill = _reg(1, f"{name}_fill")
    full = [_reg(1, f"{name}_full{h}") for h in range(2)]
    tile_last = [_reg(1, f"{name}_tile_last{h}") for h in range(2)]
    l_c = _reg(cb, f"{name}_l_c")
    l_v = _reg(3, f"{name}_l_v")
    l_base = _reg(sa, f"{name}_l_base")
    saw_last = _reg(1, f"{name}_saw_last")
    subs = cfg.load_cycles_per_word
    fill_full = pyrtl.select(fill, full[1], full[0])
    if subs > 1:
        l_sub = _reg(index_bits(subs), f"{name}_l_sub")
        hold = _reg(len(inp.data), f"{name}_hold")
        first_sub = l_sub == 0
        inp.ready <<= ~fill_full & first_sub
        take = inp.valid & ~fill_full & first_sub
        writing = take | ~first_sub
        word = pyrtl.select(first_sub, inp.data, hold)
        word_done = writing & (l_sub == subs - 1)
        l_sub.next <<= pyrtl.select(writing, pyrtl.select(l_sub == subs - 1, 0, l_sub + 1),
                                    l_sub)
        hold.next <<= pyrtl.select(take, inp.data, hold)
    else:
        l_sub = None
        inp.ready <<= ~fill_full
        take = inp.valid & ~fill_full
        writing = word_done = take
        word = inp.data
    bins = split(word, 2 * spec_w, K)  # u = 0..7 of column l_v
    per_block = min(banks, K)
    u_bank, u_addr, u_here = [], [], []
    for u in range(K):
        flat = (pyrtl.Const(HALF * u, 6) + l_v)[:6]  # bin 5u + v
        u_bank.append(flat[:bank_bits] if bank_bits else pyrtl.Const(0, 1))
        u_addr.append((l_base + (flat[bank_bits:] if bank_bits < 6 else 0))[:sa])
        u_here.append(pyrtl.Const(1, 1) if subs == 1 else l_sub == u // per_block)
    for b in range(banks):
        sel = [here & (bank == b) if banks > 1 else here
               for here, bank in zip(u_here, u_bank, strict=True)]
        data = one_hot_mux(sel, bins, 2 * spec_w)
        addr = one_hot_mux(sel, u_addr, sa)
        hit = pyrtl.Const(0, 1)
        for s in sel:
            hit = hit | s
        for h in range(2):
            spec[h][b][addr] <<= pyrtl.MemBlock.EnabledWrite(data, writing & hit & (fill == h))
    col_end = l_v == HALF - 1
    chan_end = l_c == channels_m1
    tile_done = word_done & col_end & chan_end
    l_v.next <<= pyrtl.select(word_done, pyrtl.select(col_end, 0, l_v + 1), l_v)
    l_c.next <<= pyrtl.select(word_done & col_end, pyrtl.select(chan_end, 0, l_c + 1), l_c)
    l_base.next <<= pyrtl.select(word_done & col_end,
                                 pyrtl.select(chan_end, 0, l_base + cfg.bank_words), l_base)
    now_last = saw_last | (take & inp.last)
    saw_last.next <<= pyrtl.select(tile_done, 0, now_last)
    fill.next <<= fill ^ tile_done

    # ------------------------------------------------------------ compute control
    state = _reg(3, f"{name}_state", INIT)
    comp = _reg(1, f"{name}_comp")
    c = _reg(cb, f"{name}_c")
    g = _reg(cfg.group_bits, f"{name}_g")
    base = _reg(sa, f"{name}_base")
    step = _reg(3, f"{name}_step")  # INIT address, FLUSH cycle
    dl = _reg(index_bits(lanes), f"{name}_dl")
    dv = _reg(3, f"{name}_dv")
    drain_tile_last = _reg(1, f"{name}_drain_tile_last")
    o_data = _reg(len(out.data), f"{name}_o_data")
    o_valid = _reg(1, f"{name}_o_valid")
    o_last = _reg(1, f"{name}_o_last")

    running = state == RUN
    draining = state == DRAIN
    initialising = state == INIT
    comp_full = pyrtl.select(comp, full[1], full[0])
    other_full = pyrtl.select(comp, full[0], full[1])
    last_group = g == groups_m1
    o_free = ~o_valid | out.ready
    drain_fire = draining & o_free
    drain_end = drain_fire & (dl == lanes - 1) & (dv == HALF - 1)
    tile_end = drain_end & last_group
    release = (state == FLUSH) & (step == 0) & last_group

    # ------------------------------------------------------------ lanes: issue
    kmem_bits = index_bits(cfg.kernel_depth)
    entries, ptrs, dones = [], [], []
    for lane in range(lanes):
        kmem = pyrtl.MemBlock(layout.width, kmem_bits, name=f"{name}_kmem{lane}")
        kmem[kw.address] <<= pyrtl.MemBlock.EnabledWrite(
            kw.data[lane * layout.width:(lane + 1) * layout.width], kw.enable)
        ptr = _reg(kmem_bits, f"{name}_ptr{lane}")
        entries.append(kmem[ptr])
        ptrs.append(ptr)
        dones.append(_reg(1, f"{name}_done{lane}"))
    fields = []
    for entry in entries:
        im, re = entry[:kb], entry[kb:2 * kb]
        v, u = entry[2 * kb:2 * kb + 3], entry[2 * kb + 3:2 * kb + 6]
        last, nop = entry[2 * kb + 6], entry[2 * kb + 7]
        flat = (pyrtl.concat(u, pyrtl.Const(0, 2)) + u + v)[:6]  # 5u + v
        fields.append(dict(re=re, im=im, u=u, v=v, last=last, nop=nop,
                           bank=flat[:bank_bits] if bank_bits else pyrtl.Const(0, 1),
                           addr=(base + (flat[bank_bits:] if bank_bits < 6 else 0))[:sa]))
    active = [running & ~done for done in dones]
    requests = [a & ~f["nop"] for a, f in zip(active, fields, strict=True)]
    granted, per_bank = bank_arbiter(requests, [f["bank"] for f in fields], banks)
    fires = [a & (f["nop"] | gr) for a, f, gr in zip(active, fields, granted, strict=True)]
    completes = [fi & f["last"] for fi, f in zip(fires, fields, strict=True)]
    all_done = pyrtl.Const(1, 1)
    for done, comp_l in zip(dones, completes, strict=True):
        all_done = all_done & (done | comp_l)
    pass_end = running & all_done
    for lane in range(lanes):
        dones[lane].next <<= pyrtl.select(pass_end, 0, dones[lane] | completes[lane])
        ptrs[lane].next <<= pyrtl.select(tile_end, 0, (ptrs[lane] + fires[lane])[:kmem_bits])

    bank_data = []
    for b in range(banks):
        raddr = _reg(sa, f"{name}_raddr{b}")
        raddr.next <<= one_hot_mux(per_bank[b], [f["addr"] for f in fields], sa)
        bank_data.append(pyrtl.select(comp, spec[1][b][raddr], spec[0][b][raddr]))

    # ------------------------------------------------------------ lanes: MAC + accumulators
    dv_next = pyrtl.select(drain_fire, pyrtl.select(dv == HALF - 1, 0, dv + 1), dv)[:3]
    init_addr = step
    acc_words = []
    for lane, f in enumerate(fields):
        s1_valid = _reg(1, f"{name}_s1v{lane}")
        s1_bank = _reg(max(1, bank_bits), f"{name}_s1b{lane}")
        s1_u = _reg(3, f"{name}_s1u{lane}")
        s1_v = _reg(3, f"{name}_s1vv{lane}")
        s1_w = _reg(2 * kb, f"{name}_s1w{lane}")
        issued = fires[lane] & ~f["nop"]
        s1_valid.next <<= issued
        s1_bank.next <<= f["bank"]
        s1_u.next <<= f["u"]
        s1_v.next <<= f["v"]
        s1_w.next <<= pyrtl.concat(f["re"], f["im"])
        x = pyrtl.mux(s1_bank, *bank_data) if banks > 1 else bank_data[0]
        pp = partial_products(Complex.unpack(x, spec_w), Complex.unpack(s1_w, kb))
        s2_valid = _reg(1, f"{name}_s2v{lane}")
        s2_u = _reg(3, f"{name}_s2u{lane}")
        s2_prod = _reg(4 * len(pp.rr), f"{name}_s2p{lane}")  # the multipliers' registers
        s2_valid.next <<= s1_valid
        s2_u.next <<= s1_u
        s2_prod.next <<= pp.packed()
        acc_addr = _reg(3, f"{name}_acc_addr{lane}")
        acc_addr.next <<= pyrtl.select(s1_valid, s1_v, pyrtl.select(initialising, (
            init_addr + 1)[:3], dv_next))
        accs = [pyrtl.MemBlock(2 * acc_w, 3, name=f"{name}_acc{lane}_{u}") for u in range(K)]
        reads = [mem[acc_addr] for mem in accs]
        current = Complex.unpack(pyrtl.mux(s2_u, *reads), acc_w)
        p = combine_products(PartialProducts.unpack(s2_prod, len(pp.rr)), fp.prod_shift,
                             acc_w)
        total = Complex(s_add(current.re, p.re, acc_w), s_add(current.im, p.im, acc_w))
        clear = (drain_fire & (dl == lane) if lanes > 1 else drain_fire) | initialising
        value = pyrtl.select(clear, pyrtl.Const(0, 2 * acc_w), total.packed())
        for u, mem in enumerate(accs):
            mem[acc_addr] <<= pyrtl.MemBlock.EnabledWrite(
                value, clear | (s2_valid & (s2_u == u)))
        acc_words.append(pack(reads))

    # ------------------------------------------------------------ state machine
    with pyrtl.conditional_assignment:
        with initialising:
            step.next |= step + 1
            with step == ACC_WORDS - 1:
                state.next |= WAIT
        with state == WAIT, comp_full:
            state.next |= RUN
        with running, pass_end:
            with c == channels_m1:
                state.next |= FLUSH
                step.next |= 0
                c.next |= 0
                base.next |= 0
            with pyrtl.otherwise:
                c.next |= c + 1
                base.next |= base + cfg.bank_words
        with state == FLUSH:
            step.next |= step + 1
            with step == FLUSH_CYCLES - 1:
                state.next |= DRAIN
        with draining, drain_end:
            with last_group:
                g.next |= 0
                comp.next |= ~comp
                with other_full:
                    state.next |= RUN
                with pyrtl.otherwise:
                    state.next |= WAIT
            with pyrtl.otherwise:
                g.next |= g + 1
                state.next |= RUN
    dv.next <<= dv_next
    dl.next <<= pyrtl.select(drain_fire & (dv == HALF - 1),
                             pyrtl.select(dl == lanes - 1, 0, dl + 1), dl)[:len(dl)]
    for h in range(2):
        full[h].next <<= pyrtl.select(tile_done & (fill == h), 1, pyrtl.select(
            release & (comp == h), 0, full[h]))
        tile_last[h].next <<= pyrtl.select(tile_done & (fill == h), now_last, tile_last[h])
    drain_tile_last.next <<= pyrtl.select(release, pyrtl.select(comp, tile_last[1],
                                                                tile_last[0]),
                                          drain_tile_last)
    word = (pyrtl.mux(dl, *acc_words, default=pyrtl.Const(0, len(acc_words[0])))
            if lanes > 1 else acc_words[0])
    o_data.next <<= pyrtl.select(drain_fire, word, o_data)
    o_last.next <<= pyrtl.select(drain_fire, drain_tile_last & tile_end, o_last)
    o_valid.next <<= drain_fire | (o_valid & ~out.ready)
    out.data <<= o_data
    out.valid <<= o_valid
    out.last <<= o_last
    loader_empty = (l_v == 0) & (l_c == 0) & ~saw_last
    if l_sub is not None:
        loader_empty = loader_empty & (l_sub == 0)
    idle = (state == WAIT) & ~full[0] & ~full[1] & loader_empty & ~o_valid
    return EngineWires(idle=idle, running=running, pass_end=pass_end)


@dataclass
class ConfigPorts:
    channels_m1: pyrtl.WireVector
    groups_m1: pyrtl.WireVector
    kernel_write: KernelWrite


def config_ports(ports: Ports, cfg: EngineConfig) -> ConfigPorts:
    """The layer configuration ``channels`` (C - 1) and ``groups`` (G - 1), held by the
    environment during a run, and the kernel-memory port ``kw_en``, ``kw_addr``,
    ``kw_data`` (lanes x entry bits)."""
    return ConfigPorts(
        ports.input("channels", cfg.fp.channel_bits), ports.input("groups", cfg.group_bits),
        KernelWrite(ports.input("kw_en", 1), ports.input("kw_addr", index_bits(cfg.kernel_depth)),
                    ports.input("kw_data", cfg.lanes * cfg.layout.width)))


def engine_netlist(ports: Ports, cfg: EngineConfig | None = None) -> None:
    """The engine with its ports: streams ``spec`` -> ``acc``, :func:`config_ports`,
    outputs ``idle``, ``running``, ``pass_end``."""
    cfg = cfg or EngineConfig()
    fp = cfg.fp
    inp = ports.stream_in("spec", spec_word_bits(fp))
    out = ports.stream_out("acc", acc_word_bits(fp))
    conf = config_ports(ports, cfg)
    wires = hadamard_unit(inp, out, cfg, conf.channels_m1, conf.groups_m1, conf.kernel_write)
    for port_name, wire in (("idle", wires.idle), ("running", wires.running),
                            ("pass_end", wires.pass_end)):
        port = ports.output(port_name, 1)
        port <<= wire
