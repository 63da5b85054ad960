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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from accelbench.engines.layers import EngineLayer

ROWS, COLS = 12, 14


@dataclass(frozen=True)
class RsResult:
    cycles: int
    active_pes: int
    sets: int


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
    return RsResult(waves * ew * kw, parallel * set_rows * e, parallel)
