"""Run the real SCALE-Sim (``pip install scalesim``) to cross-check the closed-form model.

SCALE-Sim runs in a subprocess of a Python that has it (``python`` argument, or the
ACCELBENCH_SCALESIM_PYTHON environment variable, else this interpreter), with a config
written here: the given array and dataflow, ``InterfaceBandwidth: CALC``, sparsity
support off. scalesim 3.0.0 fails under numpy >= 2.4 (``int()`` of a 1-element array);
use an environment with numpy < 2.4 for it, or scalesim 2.0.2.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from accelbench.errors import AccelbenchError

ENV_VAR = "ACCELBENCH_SCALESIM_PYTHON"

_CONFIG = """\
[general]
run_name = accelbench_check

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: {sram_kb}
FilterSramSzkB: {sram_kb}
OfmapSramSzkB: {sram_kb}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Dataflow: {dataflow}
Bandwidth: 10
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 10
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 10
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport: false
SparseRep: ellpack_block
OptimizedMapping: false
BlockSize: 8
RandomNumberGeneratorSeed: 40

[run_presets]
InterfaceBandwidth: CALC
UseRamulatorTrace: False
"""

_DRIVER = textwrap.dedent("""\
    import inspect, sys
    from scalesim.scale_sim import scalesim
    kwargs = dict(save_disk_space=True, verbose=False, config=sys.argv[1],
                  topology=sys.argv[2], input_type_gemm=sys.argv[4] == "gemm")
    if "layout" in inspect.signature(scalesim.__init__).parameters:
        kwargs["layout"] = sys.argv[5]
    sim = scalesim(**kwargs)
    sim.run_scale(top_path=sys.argv[3])
""")


def scalesim_python(python: str | None = None) -> str:
    return python or os.environ.get(ENV_VAR) or sys.executable


def scalesim_available(python: str | None = None) -> tuple[bool, str]:
    """(usable, reason): whether ``python`` imports scalesim and runs a one-layer check."""
    exe = scalesim_python(python)
    try:
        probe = subprocess.run([exe, "-c", "import scalesim.scale_sim"], capture_output=True,
                               text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{exe}: {exc}"
    if probe.returncode:
        return False, f"{exe} cannot import scalesim: {probe.stderr.strip()[-300:]}"
    try:
        run_reference("Layer name, h, w, fh, fw, c, n, s,\nl0, 4, 4, 3, 3, 1, 2, 1,\n",
                      (2, 2), "os", python=exe)
    except AccelbenchError as exc:
        return False, str(exc)[-400:]
    return True, exe


def run_reference(topology_text: str, array: tuple[int, int], dataflow: str, *,
                  gemm: bool = False, sram_kb: int = 64, python: str | None = None,
                  timeout: float = 600) -> list[dict[str, str]]:
    """SCALE-Sim's COMPUTE_REPORT.csv rows as {column: field as printed}. Columns differ
    between versions (3.0.0 adds "Total Cycles (incl. prefetch)"), so go by name."""
    exe = scalesim_python(python)
    with tempfile.TemporaryDirectory(prefix="accelbench-scalesim-") as tmp:
        work = Path(tmp)
        (work / "scale.cfg").write_text(_CONFIG.format(rows=array[0], cols=array[1],
                                                       dataflow=dataflow, sram_kb=sram_kb))
        (work / "topology.csv").write_text(topology_text)
        (work / "layout.csv").write_text("Layer name,\n")
        (work / "driver.py").write_text(_DRIVER)
        proc = subprocess.run(
            [exe, "driver.py", "scale.cfg", "topology.csv", "out",
             "gemm" if gemm else "conv", "layout.csv"],
            cwd=work, capture_output=True, text=True, timeout=timeout)
        report = work / "out" / "accelbench_check" / "COMPUTE_REPORT.csv"
        if proc.returncode or not report.exists():
            raise AccelbenchError(f"SCALE-Sim ({exe}) failed: "
                                  f"{(proc.stderr or proc.stdout).strip()[-600:]}")
        lines = report.read_text().splitlines()
    header = [f.strip() for f in lines[0].split(",")[:-1]]
    return [dict(zip(header, (f.strip() for f in line.split(",")[:-1]), strict=True))
            for line in lines[1:] if line.strip()]
