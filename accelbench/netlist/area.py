"""Area in NAND2-equivalent gates (GE) from a Yosys synthesis onto the project's cells.

Flow: export the netlist's Verilog, ``synth`` with memories kept as macros, map
flip-flops and logic onto the IHP SG13G2 cell table (:mod:`accelbench.netlist.cells`),
count cells. Memories are not synthesised into gates; their bits are reported apart.

Memory model (stated, not measured): every ``pyrtl.MemBlock`` is one macro. A
synchronous-read memory (its read address comes from a register, which stands for the
macro's address latch and stays in the flip-flop count: the flow keeps reset registers
apart from the memory cell) is an SRAM: its bits, words, width and ports are reported,
never GE, because SRAM area depends on the macro compiler. An asynchronous-read memory
is a register file: beside its bits, ``regfile_ge_estimate`` gives what it would cost
mapped onto the cell table's flip-flops (bits x (flip-flop + 2:1 write mux) + a 2:1 mux
tree per read port and bit), an estimate labelled as such.

The critical path is reported as the longest chain of mapped cells between registers
and ports (logic levels), beside PyRTL's own 130 nm delay estimate. Results are cached
on disk by the SHA-256 of the Verilog text and the flow version.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
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
MUX2_GE = cells.CELLS["sg13g2_mux2_1"].ge


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
    #: bits in synchronous-read memories (SRAM macros) and in register files
    sram_bits: int = 0
    regfile_bits: int = 0
    #: register files mapped onto flip-flops and multiplexers (an estimate, not in total_ge)
    regfile_ge_estimate: float = 0.0
    #: wall time of the Yosys run that made this report (a timing: stored in the cache
    #: with it, left out of :meth:`to_json` so equal netlists give equal reports)
    synthesis_seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["synthesis_seconds"]
        return data


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
            report = AreaReport(**json.loads(cache_file.read_text()))
        except (ValueError, TypeError):
            cache_file.unlink(missing_ok=True)  # corrupt entry: synthesise again
        else:
            _describe_memories(report, block)
            return report
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="accelbench-yosys-") as tmp:
        work = Path(tmp)
        (work / "design.v").write_text(verilog)
        (work / "cells.lib").write_text(cells.liberty_text())
        run_yosys(_synthesis_commands(top), work)
        stat = json.loads((work / "stat.json").read_text())
        netlist = json.loads((work / "netlist.json").read_text())
    seconds = time.perf_counter() - started
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
    timing = pyrtl.TimingAnalysis(block)
    with pyrtl.set_working_block(block, no_sanity_check=True):
        logic_um2, _mem_um2 = pyrtl.area_estimation(tech_in_nm=130, block=block)
    report = AreaReport(
        top=top, total_ge=round(comb + seq, 2), combinational_ge=round(comb, 2),
        sequential_ge=round(seq, 2), flip_flops=flops, cells=table, memory_bits=0,
        memories=[],
        logic_levels=_logic_levels(netlist, top),
        pyrtl_delay_ps=round(float(timing.max_length()), 1),
        pyrtl_area_estimate_ge=round(logic_um2 * 1e6 / cells.NAND2_AREA_UM2, 1),
        tool=yosys_version(), verilog_sha256=hashlib.sha256(verilog.encode()).hexdigest(),
        notes=["pyrtl_area_estimate_ge and pyrtl_delay_ps are PyRTL's own 130 nm estimates, "
               "a second opinion only (PyRTL sizes muxes by select width)"],
        synthesis_seconds=round(seconds, 2))
    _describe_memories(report, block)
    atomic_write_text(cache_file, json.dumps(asdict(report), indent=1))
    return report


def memory_table(block: pyrtl.Block) -> list[dict[str, Any]]:
    """Every memory of ``block``: name, words, width, bits, ports, and whether it is an
    SRAM (synchronous read) or a register file (asynchronous read)."""
    reads: dict[Any, int] = {}
    writes: dict[Any, int] = {}
    for net in block.logic_subset("m@"):
        side = reads if net.op == "m" else writes
        side[net.op_param[1]] = side.get(net.op_param[1], 0) + 1
    out = []
    for m in sorted(set(reads) | set(writes), key=lambda m: m.name):
        words = 1 << m.addrwidth
        regfile = bool(m.asynchronous)
        entry = {"name": m.name, "words": words, "bits_per_word": m.bitwidth,
                 "bits": m.bitwidth * words, "rom": isinstance(m, pyrtl.RomBlock),
                 "kind": "register file" if regfile else "sram",
                 "read_ports": reads.get(m, 0), "write_ports": writes.get(m, 0)}
        if regfile:
            per_bit = cells.FLIP_FLOP.ge + MUX2_GE * writes.get(m, 0)
            read_mux = MUX2_GE * m.bitwidth * (words - 1) * reads.get(m, 0)
            entry["ge_estimate"] = round(entry["bits"] * per_bit + read_mux, 1)
        out.append(entry)
    return out


def _describe_memories(report: AreaReport, block: pyrtl.Block) -> None:
    """Fill the memory fields from the block itself (cheap; not taken from the cache)."""
    report.memories = memory_table(block)
    report.memory_bits = sum(m["bits"] for m in report.memories)
    report.sram_bits = sum(m["bits"] for m in report.memories if m["kind"] == "sram")
    report.regfile_bits = report.memory_bits - report.sram_bits
    report.regfile_ge_estimate = round(sum(m.get("ge_estimate", 0.0)
                                           for m in report.memories), 1)


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
    if report.synthesis_seconds is not None:
        metrics.append(Metric(f"{name}_synthesis_seconds", report.synthesis_seconds, "s",
                              "lower", exact=False,
                              description=f"Yosys wall time of the {netlist} netlist's "
                                          "area run (when its cache entry was made)"))
    if report.regfile_bits:
        metrics.append(Metric(f"{name}_regfile_ge_estimate", report.regfile_ge_estimate,
                              "GE", "lower",
                              description=f"register files of the {netlist} netlist mapped "
                                          "onto flip-flops (estimate, not in GE)"))
    return metrics
