"""Area in NAND2-equivalent gates (GE) from a Yosys synthesis onto the project's cells.

Flow: export the netlist's Verilog, ``synth`` with memories kept as macros, map
flip-flops and logic onto the IHP SG13G2 cell table (:mod:`accelbench.netlist.cells`),
count cells. Memories are not synthesised into gates; their bits are reported apart.
The critical path is reported as the longest chain of mapped cells between registers
and ports (logic levels), beside PyRTL's own 130 nm delay estimate. Results are cached
on disk by the SHA-256 of the Verilog text and the flow version.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyrtl

from accelbench.cache import cache_dir
from accelbench.fileio import atomic_write_text
from accelbench.netlist import cells
from accelbench.netlist.build import build_block, module_name, to_verilog
from accelbench.netlist.yosys import run_yosys, yosys_version

if TYPE_CHECKING:
    from accelbench.design import Design
    from accelbench.metrics import Metric

FLOW_VERSION = "area-flow-2"


@dataclass
class AreaReport:
    top: str
    total_ge: float
    combinational_ge: float
    sequential_ge: float
    flip_flops: int
    cells: dict[str, dict[str, float]]
    memory_bits: int
    memories: list[dict[str, Any]]
    logic_levels: int
    pyrtl_delay_ps: float
    pyrtl_area_estimate_ge: float
    technology: str = cells.TECHNOLOGY
    tool: str = ""
    verilog_sha256: str = ""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _synthesis_commands(top: str) -> list[str]:
    lib = "cells.lib"
    return [
        f"read_liberty -lib {lib}",
        "read_verilog design.v",
        f"synth -flatten -top {top} -run begin:fine",
        "memory -nomap",
        "opt -fast -full",
        "opt -full",
        "techmap",
        "opt -fast",
        f"dfflibmap -liberty {lib}",
        "opt -fast",
        f"abc -liberty {lib}",
        "opt_clean -purge",
        f"tee -q -o stat.json stat -json -liberty {lib}",
        "write_json netlist.json",
    ]


def _logic_levels(netlist: dict[str, Any], top: str) -> int:
    """Longest path in mapped cells between sequential elements and ports."""
    module = netlist["modules"][top]
    drivers: dict[int, str] = {}
    inputs_of: dict[str, list[int]] = {}
    sequential: set[str] = set()
    for name, cell in module["cells"].items():
        ctype = cell["type"]
        is_seq = ctype == cells.FLIP_FLOP.liberty_name or ctype.startswith("$mem")
        if is_seq:
            sequential.add(name)
        dirs = cell.get("port_directions", {})
        ins: list[int] = []
        for port, bits in cell["connections"].items():
            for bit in bits:
                if not isinstance(bit, int):
                    continue
                if dirs.get(port) == "output":
                    drivers[bit] = name
                else:
                    ins.append(bit)
        inputs_of[name] = ins
    depth: dict[str, int] = {}

    def level(cell_name: str) -> int:  # iterative DFS to avoid recursion limits
        stack = [(cell_name, False)]
        while stack:
            node, expanded = stack.pop()
            if node in depth:
                continue
            preds = [drivers[b] for b in inputs_of[node] if b in drivers
                     and drivers[b] not in sequential]
            if expanded or not preds:
                depth[node] = 1 + max((depth.get(p, 0) for p in preds), default=0)
                continue
            stack.append((node, True))
            stack.extend((p, False) for p in preds if p not in depth)
        return depth[cell_name]

    best = 0
    for name in module["cells"]:
        if name not in sequential:
            best = max(best, level(name))
    return best


def synthesize(block: pyrtl.Block, top: str, *, use_cache: bool = True) -> AreaReport:
    """Synthesise ``block`` and return its area report (cached by Verilog hash)."""
    verilog = to_verilog(block, top)
    digest = hashlib.sha256(f"{FLOW_VERSION}\n{verilog}".encode()).hexdigest()
    cache_file = cache_dir("area") / f"{digest}.json"
    if use_cache and cache_file.exists():
        try:
            return AreaReport(**json.loads(cache_file.read_text()))
        except (ValueError, TypeError):
            cache_file.unlink(missing_ok=True)  # corrupt entry: synthesise again
    with tempfile.TemporaryDirectory(prefix="accelbench-yosys-") as tmp:
        work = Path(tmp)
        (work / "design.v").write_text(verilog)
        (work / "cells.lib").write_text(cells.liberty_text())
        run_yosys(_synthesis_commands(top), work)
        stat = json.loads((work / "stat.json").read_text())
        netlist = json.loads((work / "netlist.json").read_text())
    counts = stat["modules"][f"\\{top}"]["num_cells_by_type"]
    table: dict[str, dict[str, float]] = {}
    comb = seq = 0.0
    flops = 0
    unknown = []
    for ctype, n in sorted(counts.items()):
        if ctype in cells.CELLS:
            ge = n * cells.CELLS[ctype].ge
            table[ctype.removeprefix("sg13g2_")] = {"count": n, "ge": round(ge, 2)}
            if ctype == cells.FLIP_FLOP.liberty_name:
                seq += ge
                flops += n
            else:
                comb += ge
        elif not ctype.startswith("$mem"):
            unknown.append(ctype)
    if unknown:
        from accelbench.errors import SynthesisError

        raise SynthesisError(f"{top}: cells left unmapped by synthesis: {unknown}")
    mems = {net.op_param[1] for net in block.logic_subset("m@")}
    memories = [{"name": m.name, "words": 1 << m.addrwidth, "bits_per_word": m.bitwidth,
                 "bits": m.bitwidth << m.addrwidth, "rom": isinstance(m, pyrtl.RomBlock)}
                for m in sorted(mems, key=lambda m: m.name)]
    timing = pyrtl.TimingAnalysis(block)
    with pyrtl.set_working_block(block, no_sanity_check=True):
        logic_um2, _mem_um2 = pyrtl.area_estimation(tech_in_nm=130, block=block)
    report = AreaReport(
        top=top, total_ge=round(comb + seq, 2), combinational_ge=round(comb, 2),
        sequential_ge=round(seq, 2), flip_flops=flops, cells=table,
        memory_bits=sum(m["bits"] for m in memories), memories=memories,
        logic_levels=_logic_levels(netlist, top),
        pyrtl_delay_ps=round(float(timing.max_length()), 1),
        pyrtl_area_estimate_ge=round(logic_um2 * 1e6 / cells.NAND2_AREA_UM2, 1),
        tool=yosys_version(), verilog_sha256=hashlib.sha256(verilog.encode()).hexdigest(),
        notes=["pyrtl_area_estimate_ge and pyrtl_delay_ps are PyRTL's own 130 nm estimates, "
               "a second opinion only (PyRTL sizes muxes by select width)"])
    atomic_write_text(cache_file, json.dumps(report.to_json(), indent=1))
    return report


def netlist_area(design: Design, netlist: str, *, use_cache: bool = True) -> AreaReport:
    """Area of one netlist of a design."""
    spec = design.netlists()[netlist]
    block = build_block(spec.build)
    return synthesize(block, module_name(design.name, netlist), use_cache=use_cache)



def area_metrics(design: Design, netlist: str, prefix: str | None = None) -> list[Metric]:
    """GE and flip-flops of one netlist of ``design`` as metrics named ``<prefix>_ge`` and
    ``<prefix>_flip_flops`` (prefix: the netlist's name), memory bits where it has any."""
    from accelbench.metrics import Metric

    report = netlist_area(design, netlist)
    name = prefix or netlist
    metrics = [Metric(f"{name}_ge", report.total_ge, "GE", "lower",
                      description=f"area of the {netlist} netlist ({report.technology})"),
               Metric(f"{name}_flip_flops", report.flip_flops, "", "lower",
                      description=f"flip-flops of the {netlist} netlist")]
    if report.memory_bits:
        metrics.append(Metric(f"{name}_memory_bits", report.memory_bits, "bit", "lower",
                              description=f"memory bits of the {netlist} netlist (macros, "
                                          "not in GE)"))
    return metrics
