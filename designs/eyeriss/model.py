"""Eyeriss-like row-stationary cycle model (analytical; the assumptions are defaults).

Eyeriss (Chen et al., JSSC 2017) has 12 x 14 PEs. Row stationary: a PE convolves one
filter row with one input row (a 1-D convolution producing one output row), so a
"PE set" of kh rows x E_h columns computes one 2-D convolution of one (filter, channel)
pair; partial sums flow up the set's columns. Model (defaults, labelled as such):

* a set is kh x e PEs with e = min(E_h, array columns); larger E_h is strip-mined;
  kh > array rows folds the filter rows into ceil(kh / rows) passes;
* floor(rows / kh) x floor(columns / e) sets work in parallel, each on a different
  (filter, channel, strip) job of the layer (all groups' jobs are independent);
* a job takes E_w x kw cycles (one MAC per PE per cycle); jobs run in waves;
* fully connected layers are convolutions whose kernel covers the whole input;
* zeros save no cycles: Eyeriss clock-gates the PEs on zero activations (energy only);
* on-chip buffer and DRAM bandwidth are assumed sufficient (optimistic).

Accesses (:func:`rs_layer_accesses`, bytes; 1 per activation and weight, 4 per partial
sum, defaults): DRAM reads each input and weight once and writes each output once (the
optimistic buffering above); the global buffer gives every job its filter row(s) and its
input rows, the sets of one wave that share a (channel, strip) share one read
(multicast), so those rows are read ceil(filters / parallel sets) times; each job writes
its partial sums to the global buffer and reads back those of the previous channel; in
the PEs' register files every MAC reads an activation, a weight and a partial sum and
writes the partial sum, and every word from the global buffer is written once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from accelbench.engines.layers import EngineLayer
from accelbench.families.engine import Accesses

ROWS, COLS = 12, 14
#: bytes of a partial sum (32-bit accumulation, as the systolic arrays here; default)
PSUM_BYTES = 4


@dataclass(frozen=True)
class RsResult:
    cycles: int
    active_pes: int
    sets: int
    #: jobs: (filter, channel, strip, fold) 2-D convolutions of one set
    jobs: int = 0


def rs_layer_cycles(layer: EngineLayer, rows: int = ROWS, cols: int = COLS) -> RsResult:
    shape = layer.shape
    if layer.op == "fc":  # the kernel covers the input; E = 1
        kh = kw = 1
        eh, ew = 1, 1
        channels = shape.channels
    else:
        kh, kw = shape.kernel
        eh, ew = shape.out_hw
        channels = shape.channels // layer.groups
    folds = math.ceil(kh / rows)
    set_rows = math.ceil(kh / folds)
    e = min(eh, cols)
    strips = math.ceil(eh / e)
    parallel = max(1, rows // set_rows) * max(1, cols // e)
    jobs = shape.filters * channels * strips * folds
    waves = math.ceil(jobs / parallel)
    return RsResult(waves * ew * kw, parallel * set_rows * e, parallel, jobs)


def rs_layer_accesses(layer: EngineLayer, rows: int = ROWS, cols: int = COLS) -> Accesses:
    """Bytes per level and operand of one layer (see the module docstring)."""
    shape = layer.shape
    res = rs_layer_cycles(layer, rows, cols)
    if layer.op == "fc":
        kh = kw = eh = ew = 1
        in_rows, in_w, channels, strips = 1, 1, shape.channels, 1
    else:
        kh, kw = shape.kernel
        eh, ew = shape.out_hw
        channels = shape.channels // layer.groups
        e = min(eh, cols)
        strips = math.ceil(eh / e)
        in_rows = (e - 1) * shape.stride + kh
        in_w = shape.width + shape.pads[2] + shape.pads[3]
    filters_per_group = shape.filters // layer.groups
    ifmap_glb = (layer.groups * channels * strips * in_rows * in_w
                 * math.ceil(filters_per_group / res.sets))
    weight_glb = shape.filters * channels * strips * kh * kw
    psums = shape.filters * eh * ew * PSUM_BYTES
    acc = Accesses()
    acc.add("dram", "ifmap", "read", shape.channels * shape.height * shape.width)
    acc.add("dram", "weight", "read", layer.shape.weight_count)
    acc.add("dram", "ofmap", "write", shape.filters * eh * ew)
    acc.add("sram", "ifmap", "read", ifmap_glb)
    acc.add("sram", "weight", "read", weight_glb)
    acc.add("sram", "psum", "write", psums * channels)
    acc.add("sram", "psum", "read", psums * (channels - 1))
    acc.add("rf", "ifmap", "write", ifmap_glb)
    acc.add("rf", "weight", "write", weight_glb)
    for operand, nbytes in (("ifmap", 1), ("weight", 1), ("psum", PSUM_BYTES)):
        acc.add("rf", operand, "read", layer.macs * nbytes)
    acc.add("rf", "psum", "write", layer.macs * PSUM_BYTES)
    return acc
