"""Running Yosys (the pyosys wheel) in a subprocess.

A subprocess keeps Yosys' global state, log output and any crash out of the caller.
"""

from __future__ import annotations

import contextlib
import os
import signal
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


#: seconds one synthesis may take (the published SPOTS system needs about 10 minutes on a
#: loaded 2-core machine); override with ACCELBENCH_YOSYS_TIMEOUT
DEFAULT_TIMEOUT = 3600.0


def _timeout() -> float:
    value = os.environ.get("ACCELBENCH_YOSYS_TIMEOUT")
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise SynthesisError(f"ACCELBENCH_YOSYS_TIMEOUT must be a positive number of seconds, "
                             f"got {value!r}")
    return seconds


def run_yosys(commands: list[str], workdir: Path, timeout: float | None = None) -> str:
    """Run Yosys commands with ``workdir`` as the current directory; return its log.

    Yosys runs in its own process group, so a timeout or an interrupt also ends the ABC
    processes it started (they would otherwise keep running as orphans).
    """
    timeout = _timeout() if timeout is None else timeout
    script = workdir / "script.ys"
    script.write_text("\n".join(commands) + "\n")
    proc = subprocess.Popen([sys.executable, "-c", _RUNNER, str(script)], cwd=workdir,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise SynthesisError(f"Yosys did not finish within {timeout:.0f} s (set "
                             "ACCELBENCH_YOSYS_TIMEOUT for longer runs)") from None
    except BaseException:
        _kill_group(proc)
        raise
    if proc.returncode != 0:
        tail = "\n".join((stdout + stderr).strip().splitlines()[-15:])
        if "No module named 'pyosys'" in tail:
            raise SynthesisError("Yosys is not installed: pip install pyosys")
        raise SynthesisError(f"Yosys failed (exit {proc.returncode}):\n{tail}")
    return stdout


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
