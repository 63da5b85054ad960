"""`accelbench new-plugin`: the generated package installs, registers, tests and runs."""

import json
import subprocess
import sys

import pytest

from accelbench.errors import AccelbenchError
from accelbench.scaffold import new_plugin


def _run(*cmd, cwd=None):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def test_invalid_names_and_non_empty_dirs(tmp_path):
    with pytest.raises(AccelbenchError, match="invalid plugin name"):
        new_plugin("Bad Name", tmp_path / "x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(AccelbenchError, match="not empty"):
        new_plugin("fine", tmp_path / "full")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"


def test_scaffolded_plugin_end_to_end(tmp_path):
    pkg = tmp_path / "demo-plugin"
    accelbench = [sys.executable, "-m", "accelbench.cli"]
    _run(*accelbench, "new-plugin", "scaffolded-demo", "--dir", str(pkg))
    _run(sys.executable, "-m", "pip", "install", "--no-deps", "-q", "-e", str(pkg))
    try:
        designs = json.loads(_run(*accelbench, "designs", "--json"))
        demo = next(d for d in designs if d["name"] == "scaffolded-demo-w8")
        assert demo["distribution"] == "accelbench-scaffolded-demo"
        _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(pkg / "tests"),
             cwd=pkg)
        results = tmp_path / "results"
        _run(*accelbench, "run", "--results", str(results), "--designs", "scaffolded-demo-*",
             "--workloads", "synthetic/fixed8", "--all-workloads", "--sim-words", "256",
             "--no-area")
        assert "scaffolded-demo-w8" in (results / "README.md").read_text()
    finally:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q",
                        "accelbench-scaffolded-demo"], capture_output=True, timeout=300)
