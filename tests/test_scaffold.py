"""`accelbench new-plugin`: the generated package installs (into a throwaway virtual
environment, never the active one), registers, tests and runs; bad names and folders are
refused before anything is written."""

import json
import re
import site
import subprocess
import sys
import venv
from pathlib import Path

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
    with pytest.raises(AccelbenchError, match="not empty; use --force"):
        new_plugin("fine", tmp_path / "full")
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["keep.txt"]


@pytest.mark.parametrize(("name", "reason"), [
    ("zvc", "a plugin named 'zvc' is already loaded"),
    ("codec-baselines", "a plugin named 'codec_baselines' is already loaded"),
    ("zero", "design names ['zero-rle-w16', 'zero-rle-w8'] already start with 'zero'"),
])
def test_names_that_clash_with_loaded_plugins_or_designs_are_refused(tmp_path, name, reason):
    with pytest.raises(AccelbenchError,
                       match=re.escape(f"clashes with what is installed: {reason}")):
        new_plugin(name, tmp_path / "pkg")
    assert not (tmp_path / "pkg").exists()


def test_force_writes_the_scaffold_into_a_non_empty_folder_and_keeps_other_files(tmp_path):
    pkg = tmp_path / "pkg"
    new_plugin("forced", pkg)
    (pkg / "notes.txt").write_text("mine")
    (pkg / "README.md").write_text("edited")
    new_plugin("forced", pkg, force=True)
    assert (pkg / "notes.txt").read_text() == "mine"
    assert (pkg / "README.md").read_text().startswith("# accelbench-forced")
    assert "pip install -e '.[test]'" in (pkg / "README.md").read_text()


def _throwaway_env(root):
    """A virtual environment in ``root`` that sees this environment's packages (accelbench
    included) through a .pth file, and into which pip installs only the new plugin."""
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    purelib = _run(str(python), "-c",
                   "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in site.getsitepackages())
    (Path(purelib) / "active-env.pth").write_text(lines)
    return str(python)


def test_scaffolded_plugin_end_to_end(tmp_path):
    pkg = tmp_path / "demo-plugin"
    _run(sys.executable, "-m", "accelbench.cli", "new-plugin", "scaffolded-demo", "--dir",
         str(pkg))
    python = _throwaway_env(tmp_path / "env")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q",
         "-e", str(pkg))
    accelbench = [python, "-m", "accelbench.cli"]
    designs = json.loads(_run(*accelbench, "designs", "--json"))
    demo = next(d for d in designs if d["name"] == "scaffolded-demo-w8")
    assert demo["distribution"] == "accelbench-scaffolded-demo"
    # the active environment did not get the plugin
    here = json.loads(_run(sys.executable, "-m", "accelbench.cli", "designs", "--json"))
    assert "scaffolded-demo-w8" not in {d["name"] for d in here}
    _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(pkg / "tests"), cwd=pkg)
    results = tmp_path / "results"
    _run(*accelbench, "run", "--results", str(results), "--designs", "scaffolded-demo-*",
         "--workloads", "synthetic/fixed8", "--all-workloads", "--sim-words", "256",
         "--no-area")
    assert [p.name for p in (results / "raw").iterdir()] == [
        "partial-scaffolded-demo-any--synthetic_fixed8.json"]
    assert "scaffolded-demo-w8" in (results / "README.md").read_text()
