"""SCALE-Sim's systolic-array cycle model in closed form: compatible and corrected modes.

Compatible mode reproduces the ``Total Cycles``, ``Stall Cycles``, ``Overall Util %``,
``Mapping Efficiency %`` and ``Compute Util %`` columns of SCALE-Sim's
COMPUTE_REPORT.csv (v2.0.2 and v3.0.0, ``InterfaceBandwidth: CALC``, sparsity support
off) value for value, including their float formatting: SCALE-Sim averages per-fold
ratios with Python's ``sum`` in fold order (column folds outer, row folds inner), so
this model builds the same list and sums it the same way.

For an R x C array and a layer with output E_h x E_w (SCALE-Sim: E = ceil((H - F + s)/s)),
M = E_h E_w pixels, N filters, K = F_h F_w C:

* os: Sr = M, Sc = N, T = K, fold = T + R + C - 2;
* ws: Sr = K, Sc = N, T = M, fold = 2R + C + T - 2;
* is: Sr = K, Sc = M, T = N, fold as ws;
* total = ceil(Sr/R) ceil(Sc/C) fold - 1.

Corrected mode fixes SCALE-Sim's known quirks: the output size is floor((H - F)/s) + 1,
the trailing -1 (an off-by-one, SCALE-Sim issue 125) is dropped, and the os fold takes
2R + C + T - 2 cycles as in the SCALE-Sim paper (the R cycles to drain the outputs,
v3 issue 4). Utilisations are computed exactly (no per-fold float averaging).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from accelbench.errors import AccelbenchError
from accelbench.networks.topology import TopologyRow, expand_depthwise, scalesim_output_hw

DATAFLOWS = ("os", "ws", "is")
MODES = ("compatible", "corrected")
REPORT_COLUMNS = ("LayerID", "Total Cycles", "Stall Cycles", "Overall Util %",
                  "Mapping Efficiency %", "Compute Util %")
#: largest array side accepted (``--array``)
MAX_ARRAY_SIDE = 65_536
#: compatible mode adds SCALE-Sim's per-fold ratios one by one (as SCALE-Sim's float sum
#: does, so the last digits match); above this many folds a layer is refused there and
#: corrected mode (exact, closed form) is the way
MAX_COMPATIBLE_FOLDS = 10_000_000


@dataclass(frozen=True)
class LayerCycles:
    """One row of the compute report."""

    layer_id: int
    name: str
    total_cycles: int
    stall_cycles: int
    overall_util: float
    mapping_efficiency: float
    compute_util: float
    sr: int
    sc: int
    t: int
    folds: int

    def report_fields(self) -> list[Any]:
        return [self.layer_id, self.total_cycles, self.stall_cycles, self.overall_util,
                self.mapping_efficiency, self.compute_util]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_array(text: str) -> tuple[int, int]:
    """"RxC" -> (rows, cols)."""
    parts = text.lower().replace(" ", "").split("x")
    try:
        rows, cols = (int(p) for p in parts)
    except ValueError:
        raise AccelbenchError(f"array must be ROWSxCOLS, e.g. 32x32, got {text!r}") from None
    if rows < 1 or cols < 1:
        raise AccelbenchError(f"array dimensions must be >= 1, got {text!r}")
    if max(rows, cols) > MAX_ARRAY_SIDE:
        raise AccelbenchError(f"array dimensions must be <= {MAX_ARRAY_SIDE:,}, got {text!r}")
    return rows, cols


def _check(rows: int, cols: int, dataflow: str, mode: str) -> None:
    if dataflow not in DATAFLOWS:
        raise AccelbenchError(f"dataflow must be one of {DATAFLOWS}, got {dataflow!r}")
    if mode not in MODES:
        raise AccelbenchError(f"mode must be one of {MODES}, got {mode!r}")
    if rows < 1 or cols < 1:
        raise AccelbenchError(f"array dimensions must be >= 1, got {rows}x{cols}")


def output_hw(row: TopologyRow, mode: str) -> tuple[int, int]:
    if mode == "compatible":
        return scalesim_output_hw(row)
    return ((row.ifmap_h - row.filter_h) // row.stride + 1,
            (row.ifmap_w - row.filter_w) // row.stride + 1)


def spatio_temporal(m: int, n: int, k: int, dataflow: str) -> tuple[int, int, int]:
    """(Sr, Sc, T) of a GEMM with M pixels, N filters and window K."""
    return {"os": (m, n, k), "ws": (k, n, m), "is": (k, m, n)}[dataflow]


def fold_cycles(rows: int, cols: int, t: int, dataflow: str, mode: str) -> int:
    if dataflow == "os" and mode == "compatible":
        return t + rows + cols - 2
    return 2 * rows + cols + t - 2


def _ceil_div(a: int, b: int) -> int:
    """ceil(a / b) in integers: SCALE-Sim's math.ceil(a / b) wherever that float is exact
    (every realistic size), and still exact beyond 2**53."""
    return -(-a // b)


def _fold_shapes(sr: int, sc: int, rows: int, cols: int) -> list[tuple[int, int, int]]:
    """(rows used, cols used, how many folds) runs in SCALE-Sim's fold order."""
    rf, cf = _ceil_div(sr, rows), _ceil_div(sc, cols)
    last_r, last_c = sr - (rf - 1) * rows, sc - (cf - 1) * cols
    runs = []
    for c_used, c_count in ((cols, cf - 1), (last_c, 1)):
        if c_count == 0:
            continue
        for _ in range(c_count):
            runs.append((rows, c_used, rf - 1))
            runs.append((last_r, c_used, 1))
    return runs


def _scalesim_average(runs: list[tuple[int, int, int]], value) -> float:
    """sum(list) / len(list) over per-fold values, in SCALE-Sim's order.

    The values are streamed to the built-in ``sum`` (the same float additions as summing
    SCALE-Sim's list, in constant memory); the caller bounds the number of folds.
    """
    values = itertools.chain.from_iterable(itertools.repeat(value(r, c), count)
                                           for r, c, count in runs if count)
    return sum(values) / sum(count for _, _, count in runs)


def gemm_cycles(m: int, n: int, k: int, rows: int, cols: int, dataflow: str = "os",
                mode: str = "compatible", *, layer_id: int = 0,
                name: str = "") -> LayerCycles:
    """The compute-report row of one GEMM (M pixels, N filters, window K)."""
    _check(rows, cols, dataflow, mode)
    sr, sc, t = spatio_temporal(m, n, k, dataflow)
    rf, cf = _ceil_div(sr, rows), _ceil_div(sc, cols)
    folds = rf * cf
    fold = fold_cycles(rows, cols, t, dataflow, mode)
    total = folds * fold - (1 if mode == "compatible" else 0)
    macs = m * n * k
    pes = rows * cols
    # SCALE-Sim's per-fold cycle count for compute utilisation (demand-matrix lines)
    util_fold = (t + rows + cols - 2 if dataflow == "os"
                 else 2 * rows + 2 * cols + t - 3)
    if mode == "compatible":
        if folds > MAX_COMPATIBLE_FOLDS:
            raise AccelbenchError(
                f"layer {name or layer_id!r}: {folds:,} folds on the {rows}x{cols} array; "
                f"compatible mode averages SCALE-Sim's per-fold values one by one and takes "
                f"at most {MAX_COMPATIBLE_FOLDS:,} folds: use corrected mode (exact, closed "
                f"form) or a larger array")
        runs = _fold_shapes(sr, sc, rows, cols)
        mapping = _scalesim_average(runs, lambda r, c: r * c / pes) * 100
        compute = _scalesim_average(runs, lambda r, c: r * c * t / (pes * util_fold)) * 100
        overall = (macs * 100) / (total * pes) if total else math.inf
    else:
        mapping = sr * sc / (folds * pes) * 100
        compute = macs / (folds * pes * fold) * 100
        overall = macs * 100 / (total * pes)
    return LayerCycles(layer_id, name, total, 0, overall, mapping, compute, sr, sc, t, folds)


def row_cycles(row: TopologyRow, rows: int, cols: int, dataflow: str = "os",
               mode: str = "compatible", layer_id: int = 0) -> LayerCycles:
    """The compute-report row of one (already depthwise-expanded) topology row."""
    eh, ew = output_hw(row, mode)
    return gemm_cycles(eh * ew, row.num_filter, row.filter_h * row.filter_w * row.channels,
                       rows, cols, dataflow, mode, layer_id=layer_id, name=row.name)


def topology_cycles(rows_in: Sequence[TopologyRow], array: tuple[int, int],
                    dataflow: str = "os", mode: str = "compatible") -> list[LayerCycles]:
    """SCALE-Sim's compute report for a topology: DP rows expand into one layer (and one
    LayerID) per channel, as SCALE-Sim runs them."""
    r, c = array
    _check(r, c, dataflow, mode)
    out: list[LayerCycles] = []
    seen: dict[tuple, LayerCycles] = {}  # DP expansions repeat one layer many times
    for i, row in enumerate(expand_depthwise(list(rows_in))):
        key = (row.ifmap_h, row.ifmap_w, row.filter_h, row.filter_w, row.channels,
               row.num_filter, row.stride)
        if key not in seen:
            try:
                seen[key] = row_cycles(row, r, c, dataflow, mode, i)
            except AccelbenchError as exc:
                if not row.line:
                    raise
                raise AccelbenchError(f"topology line {row.line}: {exc}") from None
        out.append(replace(seen[key], layer_id=i, name=row.name))
    return out


def format_report(results: Sequence[LayerCycles],
                  columns: Sequence[str] = REPORT_COLUMNS) -> str:
    """CSV text in SCALE-Sim's style: ", " separators, a trailing comma on every line,
    numbers as Python's ``str`` prints them (what SCALE-Sim writes)."""
    index = {name: i for i, name in enumerate(REPORT_COLUMNS)}
    unknown = [c for c in columns if c not in index]
    if unknown:
        raise AccelbenchError(f"unknown report columns {unknown}; known: {REPORT_COLUMNS}")
    lines = [", ".join(columns) + ","]
    for res in results:
        fields = res.report_fields()
        lines.append(", ".join(str(fields[index[c]]) for c in columns) + ",")
    return "\n".join(lines) + "\n"
