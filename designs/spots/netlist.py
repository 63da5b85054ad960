"""SPOTS system netlist: global input buffer, IM2COL unit, skip controller, weight lists
and the reconfigurable output-stationary array (PyRTL, rtllib-style builders).

The IM2COL unit (:func:`im2col_unit`) keeps the last ``kh + stride`` input rows in
``banks = stride * lanes`` distributed local memories (input column x lives in bank
x mod banks), so in every step each patch lane reads a different bank. A logarithmic
rotator (the ring) turns the bank outputs by (dx - pad_left) mod banks, and lane i takes
position i * stride. The input feature map is streamed once from the global buffer,
``banks`` words per cycle (one per local memory), and a row is only overwritten when
no output row still needs it. While streaming, the unit writes one zero flag per
activation, packed ``block`` channels per word; the controller ORs the flags of a block
over all lanes to skip all-zero input blocks.

Layer constants (sizes, stride, padding) are elaboration-time parameters, as in a
layer-specialised build; a runtime-configurable unit would add configuration registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyrtl

from accelbench.designs.spots.plan import LayerPlan
from accelbench.designs.systolic.array import ACC_BITS, DATA_BITS, build_array
from accelbench.netlist.ports import Ports


def bits(n: int) -> int:
    """Bits to hold 0..n-1 (at least 1)."""
    return max(1, (n - 1).bit_length())


@dataclass(frozen=True)
class MetaLayout:
    """Field widths of one weight-list entry (metadata memory word)."""

    dy: int
    dx: int
    cb: int

    @property
    def width(self) -> int:
        return self.dy + self.dx + self.cb + 3

    def pack(self, dy: int, dx: int, cb: int, first: bool, last: bool, dummy: bool) -> int:
        word = dy
        word = (word << self.dx) | dx
        word = (word << self.cb) | cb
        return (((word << 1 | first) << 1 | last) << 1) | dummy


def meta_layout(plan: LayerPlan) -> MetaLayout:
    kh, kw = plan.shape.kernel
    return MetaLayout(bits(kh), bits(kw), bits(plan.channel_blocks))


@dataclass(frozen=True)
class MemoryShapes:
    """Address fields: {row, column block, channel} for the buffers."""

    y: int
    slot: int
    xb: int
    c: int
    cb: int
    entry: int
    q: int

    @property
    def gbuf(self) -> int:
        return self.y + self.xb + self.c

    @property
    def bank(self) -> int:
        return self.slot + self.xb + self.c

    @property
    def flag(self) -> int:
        return self.slot + self.xb + self.cb

    @property
    def weight(self) -> int:
        return self.entry + self.q


def memory_shapes(plan: LayerPlan, entries: int) -> MemoryShapes:
    return MemoryShapes(bits(plan.shape.height), bits(plan.slots), bits(plan.column_blocks),
                        bits(plan.shape.channels), bits(plan.channel_blocks),
                        bits(max(entries, 1)), bits(plan.config.block))


def rotate(words: list[pyrtl.WireVector], amount: pyrtl.WireVector) -> list[pyrtl.WireVector]:
    """out[j] = words[(j + amount) mod n]: a logarithmic rotator over a ring of n."""
    n = len(words)
    out = list(words)
    for stage in range(len(amount)):
        step = 1 << stage
        if step >= n:
            break
        out = [pyrtl.select(amount[stage], out[(j + step) % n], out[j]) for j in range(n)]
    return out


def im2col_unit(plan: LayerPlan, ms: MemoryShapes,
                gbuf_read: Callable[[pyrtl.WireVector], list[pyrtl.WireVector]],
                start: pyrtl.WireVector, done_rows_inc: pyrtl.WireVector,
                step: dict[str, pyrtl.WireVector]) -> dict[str, pyrtl.WireVector]:
    """Streaming loader + local memories + ring. ``gbuf_read(address)`` returns the
    global buffer's ``banks`` words at {row, column block, channel}; ``step`` is the
    compute side's request (rs = r * stride, dy, dx, cb, c, tile index t, t_nb = t *
    banks, slotbase); returns lane values, their block flags OR-ed (``nz``), the count
    of valid lanes, the loader's row count and whether it read a beat."""
    s, nb, ns = plan.stride, plan.banks, plan.slots
    c_in, h, w = plan.shape.channels, plan.shape.height, plan.shape.width
    t_pad, _, l_pad, _ = plan.shape.pads
    g = plan.config.block
    xbs = plan.column_blocks
    dbanks = [pyrtl.MemBlock(DATA_BITS, ms.bank, name=f"lm{b}", asynchronous=True)
              for b in range(nb)]
    fbanks = [pyrtl.MemBlock(g, ms.flag, name=f"zf{b}", asynchronous=True)
              for b in range(nb)]

    # ---- loader: stream the input once, row by row, when the row's slot is free
    lrun = pyrtl.Register(1, "ld_run")
    ly = pyrtl.Register(ms.y + 1, "ld_y")
    lslot = pyrtl.Register(ms.slot, "ld_slot")
    lxb = pyrtl.Register(ms.xb, "ld_xb")
    lc = pyrtl.Register(ms.c, "ld_c")
    loaded = pyrtl.Register(ms.y + 1, "ld_rows")
    limit = pyrtl.Register(ms.y + bits(ns + s) + 2, "ld_limit", reset_value=ns - t_pad)
    lrun.next <<= lrun | start
    lgo = lrun & (ly < h) & (ly < limit)
    last_c = lc == c_in - 1
    last_xb = lxb == xbs - 1
    qbits = bits(g) if g > 1 else 0
    lq = lc[:qbits] if qbits else pyrtl.Const(0, 1)
    flag_write = lgo & ((lq == g - 1) | last_c) if g > 1 else lgo
    gaddr = pyrtl.concat(ly[:ms.y], lxb, lc)
    baddr = pyrtl.concat(lslot, lxb, lc)
    cb_of_lc = lc[qbits:] if qbits < len(lc) else pyrtl.Const(0, 1)
    faddr = pyrtl.concat(lslot, lxb, cb_of_lc.zero_extended(ms.cb)[:ms.cb])
    words = gbuf_read(gaddr)
    for b in range(nb):
        word = words[b]
        dbanks[b][baddr] <<= pyrtl.MemBlock.EnabledWrite(word, lgo)
        acc = pyrtl.Register(g, f"ld_flags{b}")
        nzbit = (word != 0).zero_extended(g)
        fresh = pyrtl.shift_left_logical(nzbit, lq) if g > 1 else nzbit
        acc_new = (pyrtl.select(lq == 0, pyrtl.Const(0, g), acc) | fresh)[:g]
        acc.next <<= pyrtl.select(lgo, acc_new, acc)
        fbanks[b][faddr] <<= pyrtl.MemBlock.EnabledWrite(acc_new, flag_write)
    with pyrtl.conditional_assignment:  # noqa: SIM117 (PyRTL conditional blocks)
        with lgo:
            with last_c:
                lc.next |= 0
                with last_xb:
                    lxb.next |= 0
                    ly.next |= ly + 1
                    lslot.next |= pyrtl.select(lslot == ns - 1, 0, lslot + 1)
                    loaded.next |= loaded + 1
                with pyrtl.otherwise:
                    lxb.next |= lxb + 1
            with pyrtl.otherwise:
                lc.next |= lc + 1
    limit.next <<= pyrtl.select(done_rows_inc, limit + s, limit)

    # ---- patch generation for the requested step
    rs, dy, dx, cb, c, t, t_nb = (step[k] for k in ("rs", "dy", "dx", "cb", "c", "t", "t_nb"))
    slotbase = step["slotbase"]
    ysum = rs + dy
    y_ok = (ysum >= t_pad) & (ysum < h + t_pad)
    slot_raw = slotbase + dy
    slot = pyrtl.select(slot_raw >= ns, slot_raw - ns, slot_raw)[:ms.slot]
    # rotation amount and column-block offset from dx - pad_left (constant table on dx)
    kw = plan.shape.kernel[1]
    if "rho" in step:  # a general unit: the controller sends the rotation amount
        rho, q0neg = step["rho"], step["q0neg"]
    else:  # layer-specialised: a constant table on dx
        rho_tab = [(d - l_pad) % nb for d in range(kw)]
        q0_tab = [1 if d < l_pad else 0 for d in range(kw)]  # floor((dx-pl)/nb) == -1
        if kw > 1:
            rho = pyrtl.mux(dx, *[pyrtl.Const(v, bits(nb)) for v in rho_tab],
                            default=pyrtl.Const(0, bits(nb)))
            q0neg = pyrtl.mux(dx, *[pyrtl.Const(v, 1) for v in q0_tab],
                              default=pyrtl.Const(0, 1))
        else:
            rho, q0neg = pyrtl.Const(rho_tab[0], bits(nb)), pyrtl.Const(q0_tab[0], 1)
    outs = []
    for b in range(nb):
        xb = (t + (rho > b) - q0neg)[:ms.xb]
        data = dbanks[b][pyrtl.concat(slot, xb, c)]
        flags = fbanks[b][pyrtl.concat(slot, xb, cb)]
        outs.append(pyrtl.concat(flags, data))
    ring = rotate(outs, rho)
    xs = t_nb + dx
    ew = plan.out_hw[1]
    last_tile_lanes = ew - (plan.pixel_tiles - 1) * plan.lanes
    on_last_tile = t == plan.pixel_tiles - 1
    lanes, nz, oks = [], pyrtl.Const(0, 1), []
    for i in range(plan.lanes):
        lo, hi = l_pad - i * s, w + l_pad - i * s
        ok = y_ok & (xs < hi) if hi > 0 else pyrtl.Const(0, 1)
        if lo > 0:
            ok = ok & (xs >= lo)
        if i >= last_tile_lanes:
            ok = ok & ~on_last_tile
        word = ring[i * s]
        oks.append(ok)
        lanes.append(pyrtl.select(ok, word[:DATA_BITS], pyrtl.Const(0, DATA_BITS)))
        nz = nz | (ok & (word[DATA_BITS:] != 0))
    count = pyrtl.Const(0, bits(plan.lanes + 1))
    for ok in oks:
        count = (count + ok)[:len(count)]
    return {"lanes": lanes, "nz": nz, "loaded": loaded, "beat": lgo, "valid_lanes": count}


def spots_system(ports: Ports, plan: LayerPlan, entries: int) -> None:
    """The whole accelerator for one layer (see module docstring); memories are loaded
    through ``ld_*`` ports, then a ``start`` pulse runs the layer."""
    cfg = plan.config
    ms = memory_shapes(plan, entries)
    ml = meta_layout(plan)
    nb, cl, g = plan.banks, plan.tile_filters, cfg.block
    eh, _ = plan.out_hw
    kh = plan.shape.kernel[0]
    t_pad = plan.shape.pads[0]
    s = plan.stride
    rps = cfg.rows_per_sub
    kw, l_pad = plan.shape.kernel[1], plan.shape.pads[2]
    if kw - 1 - l_pad >= nb or l_pad > nb:
        raise ValueError(f"kernel width {kw} with left padding {l_pad} needs more than "
                         f"{nb} IM2COL banks")

    aw = max(ms.gbuf, ms.weight, ms.entry) + 1
    ld_we = ports.input("ld_we", 1)
    ld_addr = ports.input("ld_addr", aw)
    start = ports.input("start", 1)
    gbuf = [pyrtl.MemBlock(DATA_BITS, ms.gbuf, name=f"gbuf{b}", asynchronous=True)
            for b in range(nb)]
    for b, mem in enumerate(gbuf):
        mem[ld_addr[:ms.gbuf]] <<= pyrtl.MemBlock.EnabledWrite(
            ports.input(f"ld_g{b}", DATA_BITS), ld_we & (ld_addr < (1 << ms.gbuf)))
    wmem = [pyrtl.MemBlock(DATA_BITS, ms.weight, name=f"wl{j}", asynchronous=True)
            for j in range(cl)]
    for j, mem in enumerate(wmem):
        mem[ld_addr[:ms.weight]] <<= pyrtl.MemBlock.EnabledWrite(
            ports.input(f"ld_w{j}", DATA_BITS), ld_we & (ld_addr < (1 << ms.weight)))
    meta = pyrtl.MemBlock(ml.width, ms.entry, name="wlist", asynchronous=True)
    meta[ld_addr[:ms.entry]] <<= pyrtl.MemBlock.EnabledWrite(
        ports.input("ld_meta", ml.width), ld_we & (ld_addr < (1 << ms.entry)))

    # ---- controller state
    running = pyrtl.Register(1, "running")
    rs = pyrtl.Register(bits(eh * s + kh + 1) + 1, "rs")  # r * stride
    rcount = pyrtl.Register(bits(eh + 1), "r")
    slotbase = pyrtl.Register(ms.slot, "slotbase", reset_value=(-t_pad) % plan.slots)
    t = pyrtl.Register(bits(plan.pixel_tiles), "t")
    t_nb = pyrtl.Register(bits(plan.pixel_tiles * nb + 1), "t_nb")
    f = pyrtl.Register(bits(plan.filter_tiles), "f")
    entry = pyrtl.Register(ms.entry, "entry")
    q = pyrtl.Register(ms.q, "q")
    since = pyrtl.Register(bits(rps + 1) + 1, "since")
    have_prev = pyrtl.Register(1, "have_prev")

    word = meta[entry]
    dummy, last_e, first_e = word[0], word[1], word[2]
    cb = word[3:3 + ml.cb]
    dx = word[3 + ml.cb:3 + ml.cb + ml.dx]
    dy = word[3 + ml.cb + ml.dx:]
    qb = bits(g) if g > 1 else 0
    c = (pyrtl.concat(cb, q[:qb]) if qb else cb)[:ms.c]
    row_end = pyrtl.WireVector(1, "row_end")
    unit = im2col_unit(plan, ms, lambda addr: [mem[addr] for mem in gbuf], start, row_end,
                       {"rs": rs, "dy": dy, "dx": dx, "cb": cb, "c": c, "t": t,
                        "t_nb": t_nb, "slotbase": slotbase})
    loaded = unit["loaded"]
    row_ok = ((loaded + t_pad) >= (rs + kh)) | (loaded == plan.shape.height)
    nz = unit["nz"] if cfg.skip_inputs else pyrtl.Const(1, 1)
    blk_nz = ~dummy & nz
    last_size = plan.shape.channels - (plan.channel_blocks - 1) * g
    size_m1 = pyrtl.select(cb == plan.channel_blocks - 1, pyrtl.Const(last_size - 1, ms.q),
                           pyrtl.Const(g - 1, ms.q))
    end_blk = ~blk_nz | (q == size_m1)
    step_last = last_e & end_blk
    step_first = first_e & (q == 0)
    hold = step_last & have_prev & (since < rps)
    go = running & row_ok & ~hold
    tile_end = go & step_last
    last_f = f == plan.filter_tiles - 1
    last_t = t == plan.pixel_tiles - 1
    row_end <<= tile_end & last_f & last_t
    with pyrtl.conditional_assignment:
        with start & ~running:
            running.next |= 1
        with go:
            with end_blk:
                q.next |= 0
                with last_e:
                    with last_f:
                        entry.next |= 0
                        f.next |= 0
                        with last_t:
                            t.next |= 0
                            t_nb.next |= 0
                            rs.next |= rs + s
                            rcount.next |= rcount + 1
                            sb = slotbase + s
                            slotbase.next |= pyrtl.select(sb >= plan.slots,
                                                          sb - plan.slots, sb)
                            with rcount == eh - 1:
                                running.next |= 0
                        with pyrtl.otherwise:
                            t.next |= t + 1
                            t_nb.next |= t_nb + nb
                    with pyrtl.otherwise:
                        f.next |= f + 1
                        entry.next |= entry + 1
                with pyrtl.otherwise:
                    entry.next |= entry + 1
            with pyrtl.otherwise:
                q.next |= q + 1
    since.next <<= pyrtl.select(tile_end, 1, pyrtl.select(since >= rps, since, since + 1))
    have_prev.next <<= have_prev | tile_end

    issue = go & blk_nz
    arr = build_array(rps, cfg.cols, cfg.subarrays, name="sa")
    zero = pyrtl.Const(0, DATA_BITS)
    lanes = unit["lanes"]
    for gi, lane in enumerate(arr.lanes):
        src = lanes[gi] if gi < len(lanes) else zero
        lane <<= pyrtl.select(issue, src, zero)
    waddr = pyrtl.concat(entry, q[:qb]) if qb else entry
    for p in range(cfg.subarrays):
        for j in range(cfg.cols):
            col = p * cfg.cols + j
            if col < cl:
                arr.weights[p][j] <<= pyrtl.select(issue, wmem[col][waddr], zero)
            else:
                arr.weights[p][j] <<= zero
    if arr.split is not None:
        arr.split <<= pyrtl.Const(int(plan.split), 1)
    arr.first <<= go & step_first
    arr.last <<= tile_end
    for p in range(cfg.subarrays):
        for j in range(cfg.cols):
            port = ports.output(f"out{p}_{j}", ACC_BITS)
            port <<= arr.out[p][j]
        valid = ports.output(f"out_valid{p}", 1)
        valid <<= arr.out_valid[p]
    busy = ports.output("busy", 1)
    busy <<= running
    issued = ports.output("issued", 1)
    issued <<= issue
    reads = ports.output("lane_reads", bits(plan.lanes + 1))  # local-memory words read
    reads <<= pyrtl.select(issue, unit["valid_lanes"], 0)
    beat = ports.output("ld_beat", 1)  # the loader read ``banks`` words this cycle
    beat <<= unit["beat"]


def im2col_netlist(ports: Ports, plan: LayerPlan) -> None:
    """The IM2COL unit alone (for area): global-buffer words and the controller's step
    request (including the ring's rotation amount, so the rotator is general) are
    ports; lane values, the block's non-zero flag and loader state are outputs."""
    ms = memory_shapes(plan, 1)
    ml = meta_layout(plan)
    addr_port = [ports.output("gbuf_addr", ms.gbuf)]
    words = [ports.input(f"gbuf{b}", DATA_BITS) for b in range(plan.banks)]

    def read(addr: pyrtl.WireVector) -> list[pyrtl.WireVector]:
        addr_port[0] <<= addr
        return words

    eh = plan.out_hw[0]
    kh = plan.shape.kernel[0]
    step = {"rs": ports.input("rs", bits(eh * plan.stride + kh + 1) + 1),
            "dy": ports.input("dy", ml.dy), "dx": ports.input("dx", ml.dx),
            "cb": ports.input("cb", ms.cb), "c": ports.input("c", ms.c),
            "t": ports.input("t", bits(plan.pixel_tiles)),
            "t_nb": ports.input("t_nb", bits(plan.pixel_tiles * plan.banks + 1)),
            "slotbase": ports.input("slotbase", ms.slot),
            "rho": ports.input("rho", bits(plan.banks)), "q0neg": ports.input("q0neg", 1)}
    unit = im2col_unit(plan, ms, read, ports.input("start", 1), ports.input("row_done", 1),
                       step)
    for i, lane in enumerate(unit["lanes"]):
        out = ports.output(f"lane{i}", DATA_BITS)
        out <<= lane
    for name in ("nz", "beat"):
        out = ports.output(name, 1)
        out <<= unit[name]
    out = ports.output("loaded", len(unit["loaded"]))
    out <<= unit["loaded"]
    out = ports.output("valid_lanes", len(unit["valid_lanes"]))
    out <<= unit["valid_lanes"]


def pe_netlist(ports: Ports) -> None:
    """One processing element with its pass-through registers (for area)."""
    from accelbench.designs.systolic.array import pe_cell

    a_out, w_out, f_out, l_out, out = pe_cell(
        ports.input("a", DATA_BITS), ports.input("w", DATA_BITS), ports.input("first", 1),
        ports.input("last", 1), "pe")
    for name, wire in (("a_out", a_out), ("w_out", w_out), ("first_out", f_out),
                       ("last_out", l_out), ("out", out)):
        port = ports.output(name, len(wire))
        port <<= wire
