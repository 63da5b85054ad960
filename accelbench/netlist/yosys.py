"""Running Yosys (the pyosys wheel) in a subprocess.

A subprocess keeps Yosys' global state, log output and any crash out of the caller.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from accelbench.errors import SynthesisError

_RUNNER = """
import sys
from pyosys import libyosys as ys
design = ys.Design()
for command in open(sys.argv[1]).read().splitlines():
    if command.strip():
        ys.run_pass(command, design)
"""


def yosys_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pyosys {version('pyosys')}"
    except PackageNotFoundError:
        return "pyosys not installed"


def run_yosys(commands: list[str], workdir: Path, timeout: float = 900) -> str:
    """Run Yosys commands with ``workdir`` as the current directory; return its log."""
    script = workdir / "script.ys"
    script.write_text("\n".join(commands) + "\n")
    try:
        proc = subprocess.run([sys.executable, "-c", _RUNNER, str(script)], cwd=workdir,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SynthesisError(f"Yosys did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        if "No module named 'pyosys'" in tail:
            raise SynthesisError("Yosys is not installed: pip install pyosys")
        raise SynthesisError(f"Yosys failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout
