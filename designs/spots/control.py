"""The skip controller: a front end that walks the compacted weight lists and checks the
input blocks' zero flags ahead of time, a queue, and a back end that issues the steps.

Order: output rows r, pixel tiles t, filter tiles f, listed blocks of f. The front end
fetches one weight-list entry a cycle once the input rows of its output row are loaded:

* FE0: the entry register addresses the weight-list metadata memory;
* FE1: row, slot, ring rotation rho, column block and the lanes' validity mask;
* FE2: the banks' flag-address registers read the zero flags, the result (any non-zero
  activation under a valid lane) enters the queue with the entry.

Credits (entries fetched but not yet issued) never exceed the queue depth
``FRONT_END_LATENCY + 1``, which is enough for the back end to take one entry a cycle.
The back end spends ``block size`` cycles on a listed block with a non-zero input, one
on an all-zero block (or a filter tile with nothing listed), and holds a tile's last step
until ``rows_per_sub`` cycles after the previous tile's (the column readout). An issued
step goes to the banks' address registers (BE1), then the ring and the lane registers
(the array's aligned interface, ``ISSUE_TO_ARRAY`` cycles after issue).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrtl

from accelbench.designs.spots.hardware import SpotsHardware
from accelbench.designs.spots.im2col import (
    LocalMemories,
    bank_addresses,
    flag_check,
    lane_mask,
    patch_read,
)
from accelbench.netlist.lib import count_bits, register_queue

#: cycles from a fetch (the front end's entry register) to the entry at the queue's head
FRONT_END_LATENCY = 3
#: cycles from an issued step to the array's aligned interface (bank addresses, lanes)
ISSUE_TO_ARRAY = 2


@dataclass
class Step:
    """What the back end gives the array and the loader each cycle."""

    lanes: list[pyrtl.WireVector]  # lane registers (the array's aligned interface)
    weight_address: pyrtl.Register  # {entry, q} of the weight-list words
    first: pyrtl.Register
    last: pyrtl.Register
    issue: pyrtl.WireVector  # a step with data leaves the back end this cycle
    lane_valid: pyrtl.WireVector  # its lanes' validity (local-memory words read)
    row_done: pyrtl.Register  # an output row's last step left one cycle ago
    busy: pyrtl.WireVector  # fetching, or entries in flight
    layer_done: pyrtl.WireVector  # the layer's last step leaves this cycle


def front_end(hw: SpotsHardware, cfg: dict[str, pyrtl.Register], meta: pyrtl.MemBlock,
              mems: LocalMemories, loaded: pyrtl.Register, start: pyrtl.WireVector,
              pop: pyrtl.WireVector) -> tuple[pyrtl.WireVector, dict[str, pyrtl.WireVector],
                                              pyrtl.WireVector]:
    """The walk, address and flag stages (see the module docstring). Returns (push, the
    queue entry, busy)."""
    w, ml = hw.widths, hw.meta
    run = pyrtl.Register(1, "fe_run")
    rs = pyrtl.Register(w["y"], "fe_rs")  # r * stride
    r = pyrtl.Register(w["y"], "fe_r")
    t = pyrtl.Register(w["tiles"], "fe_t")
    x0 = pyrtl.Register(w["x"], "fe_x0")  # t * lanes * stride
    ewl = pyrtl.Register(w["x"], "fe_ewl")  # E_w - t * lanes
    slotbase = pyrtl.Register(w["slot"], "fe_slotbase")
    f = pyrtl.Register(w["ftiles"], "fe_f")
    entry = pyrtl.Register(w["entry"], "fe_entry")
    depth = FRONT_END_LATENCY + 1
    credits = pyrtl.Register(count_bits(depth), "fe_credits")

    row_ok = (loaded >= (rs + cfg["need0"])[:w["y"] + 1]) | (loaded == cfg["h"])
    fetch = run & row_ok & (credits < depth)
    word = meta[entry]
    dummy, last, first = word[0], word[1], word[2]
    cb = word[3:3 + ml.cb]
    dx = word[3 + ml.cb:3 + ml.cb + ml.dx]
    dy = word[3 + ml.cb + ml.dx:]
    last_f = f == cfg["ft_m1"]
    last_t = t == cfg["tw_m1"]
    last_r = r == cfg["eh_m1"]
    sb = slotbase + cfg["stride"]
    with pyrtl.conditional_assignment:
        with start:
            for reg in (rs, r, t, x0, f, entry):
                reg.next |= 0
            ewl.next |= cfg["ew"]
            slotbase.next |= cfg["slot0"]
        with fetch:
            with last:
                with last_f:
                    f.next |= 0
                    entry.next |= 0
                    with last_t:
                        t.next |= 0
                        x0.next |= 0
                        ewl.next |= cfg["ew"]
                        rs.next |= rs + cfg["stride"]
                        r.next |= r + 1
                        slotbase.next |= pyrtl.select(sb >= cfg["ns"], sb - cfg["ns"], sb)
                    with pyrtl.otherwise:
                        t.next |= t + 1
                        x0.next |= x0 + cfg["ls"]
                        ewl.next |= ewl - cfg["lanes"]
                with pyrtl.otherwise:
                    f.next |= f + 1
                    entry.next |= entry + 1
            with pyrtl.otherwise:
                entry.next |= entry + 1
    run.next <<= pyrtl.select(start, 1, run & ~(fetch & last & last_f & last_t & last_r))
    credits.next <<= (credits + fetch - pop)[:len(credits)]

    def stage(wire: pyrtl.WireVector, name: str) -> pyrtl.Register:
        reg = pyrtl.Register(len(wire), name)
        reg.next <<= wire
        return reg

    # ---- FE1: rows, columns, addresses, lane mask
    row_last = last & last_f & last_t
    s1 = {k: stage(v, f"fe1_{k}") for k, v in dict(
        valid=fetch, dy=dy, dx=dx, cb=cb, first=first, last=last, dummy=dummy, rs=rs,
        slotbase=slotbase, x0=x0, ewl=ewl, entry=entry, row_last=row_last,
        layer_last=row_last & last_r).items()}
    ysum = s1["rs"] + s1["dy"]
    y_ok = (ysum >= cfg["pt"]) & (ysum < cfg["hpt"])
    slot_sum = s1["slotbase"] + s1["dy"]
    slot = pyrtl.select(slot_sum >= cfg["ns"], slot_sum - cfg["ns"], slot_sum)[:w["slot"]]
    u = (s1["x0"] + s1["dx"] - cfg["pl"])[:w["x"]]  # two's complement
    bb = hw.bank_bits
    rho = u[:bb]
    q0p1 = (u[bb:] + 1)[:w["x"] - bb]  # floor(u / banks) + 1 >= 0
    g = hw.config.block
    lb, fb = w["local"], w["flag"]
    base = (slot * cfg["rw"] + q0p1 * cfg["c"] + s1["cb"] * g - cfg["c"])[:lb]
    fbase = (slot * cfg["rwf"] + q0p1 * cfg["cbs"] + s1["cb"] - cfg["cbs"])[:fb]
    mask = lane_mask(hw, cfg, u, s1["ewl"], y_ok)
    size_m1 = pyrtl.select(s1["cb"] == cfg["cb_m1"], cfg["last_m1"],
                           pyrtl.Const(g - 1, len(cfg["last_m1"])))

    # ---- FE2: flag reads
    flag_addr = bank_addresses(fbase, cfg["cbs"], rho, hw.banks, fb, "fe2_fa")
    s2 = {k: stage(v, f"fe2_{k}") for k, v in dict(
        valid=s1["valid"], rho=rho, mask=mask, base=base, entry=s1["entry"],
        first=s1["first"], last=s1["last"], dummy=s1["dummy"], size_m1=size_m1,
        row_last=s1["row_last"], layer_last=s1["layer_last"]).items()}
    nz = flag_check(hw, cfg["stride"], mems, flag_addr, s2["rho"], s2["mask"])
    entry_out = {k: v for k, v in s2.items() if k != "valid"}
    entry_out["nz"] = nz | ~cfg["skip_inputs"]
    return s2["valid"], entry_out, run | (credits != 0)


def back_end(hw: SpotsHardware, cfg: dict[str, pyrtl.Register], mems: LocalMemories,
             meta: pyrtl.MemBlock, loaded: pyrtl.Register,
             start: pyrtl.WireVector) -> Step:
    """Front end, queue and issue stage; the step registers that feed the array."""
    cfg_ = hw.config
    w = hw.widths
    pop = pyrtl.WireVector(1, "be_pop")
    push, entry, fe_busy = front_end(hw, cfg, meta, mems, loaded, start, pop)
    head = register_queue(FRONT_END_LATENCY + 1, push, entry, pop, "queue")
    h = head.fields
    rps = cfg_.rows_per_sub
    q = pyrtl.Register(w["q"], "be_q")
    since = pyrtl.Register(count_bits(rps), "be_since")
    have_prev = pyrtl.Register(1, "be_have_prev")

    blk_nz = ~h["dummy"] & h["nz"]
    end_blk = ~blk_nz | (q == h["size_m1"])
    step_last = h["last"] & end_blk
    hold = step_last & have_prev & (since < rps)
    go = head.valid & ~hold
    issue = go & blk_nz
    pop <<= go & end_blk
    tile_end = go & step_last
    q.next <<= pyrtl.select(go, pyrtl.select(end_blk, 0, q + 1), q)
    since.next <<= pyrtl.select(tile_end, 1, pyrtl.select(since >= rps, since, since + 1))
    have_prev.next <<= ~start & (have_prev | tile_end)

    # ---- BE1: bank and weight addresses
    a0 = (h["base"] + q)[:w["local"]]
    addresses = bank_addresses(a0, cfg["c"], h["rho"], hw.banks, w["local"], "be1_da")

    def stage(wire: pyrtl.WireVector, name: str) -> pyrtl.Register:
        reg = pyrtl.Register(len(wire), name)
        reg.next <<= wire
        return reg

    issue1 = stage(issue, "be1_issue")
    rho1 = stage(h["rho"], "be1_rho")
    mask1 = stage(h["mask"], "be1_mask")
    first1 = stage(go & h["first"] & (q == 0), "be1_first")
    last1 = stage(tile_end, "be1_last")
    qb = w["weight"] - w["entry"]
    wa = stage(pyrtl.concat(h["entry"], q[:qb]) if qb else h["entry"], "be1_wa")
    row_done = stage(tile_end & h["row_last"], "be_row_done")

    # ---- BE2: ring, lane taps -> the lane registers
    taps = patch_read(hw, cfg["stride"], mems, addresses, rho1)
    lanes = []
    for i, tap in enumerate(taps):
        reg = pyrtl.Register(len(tap), f"be2_lane{i}")
        reg.next <<= pyrtl.select(issue1 & mask1[i], tap, pyrtl.Const(0, len(tap)))
        lanes.append(reg)
    first2 = stage(first1, "be2_first")
    last2 = stage(last1, "be2_last")
    return Step(lanes, wa, first2, last2, issue, h["mask"], row_done,
                fe_busy | head.valid, tile_end & h["layer_last"])
