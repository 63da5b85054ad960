"""`accelbench new-plugin`: the generated package of every family installs (into a
throwaway virtual environment, never the active one), registers, passes its own tests and
runs in the matrix; bad names, families and folders are refused before anything is
written."""

import csv
import json
import re
import site
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from accelbench.errors import AccelbenchError
from accelbench.scaffold import MAX_NAME, TEMPLATES, example_designs, new_plugin, render

#: family -> (plugin name, `accelbench run` workload arguments)
E2E = {
    "codec": ("scaffolded-codec", ["--workloads", "synthetic/fixed8", "--all-workloads",
                                   "--sim-words", "256"]),
    "engine": ("scaffolded-engine", ["--workloads", "net/alexnet"]),
    "memory": ("scaffolded-memory", ["--workloads", "net/alexnet"]),
}


def _run(*cmd, cwd=None):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def test_invalid_names_families_and_non_empty_dirs(tmp_path):
    with pytest.raises(AccelbenchError, match="invalid plugin name"):
        new_plugin("Bad Name", tmp_path / "x")
    with pytest.raises(AccelbenchError, match="at most 24 characters"):
        new_plugin("x" * 25, tmp_path / "x")
    with pytest.raises(AccelbenchError, match="unknown family 'gpu': choose one of codec"):
        new_plugin("fine", tmp_path / "x", family="gpu")
    assert not (tmp_path / "x").exists()
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
@pytest.mark.parametrize("family", sorted(TEMPLATES))
def test_names_that_clash_with_loaded_plugins_or_designs_are_refused(tmp_path, name, reason,
                                                                     family):
    with pytest.raises(AccelbenchError,
                       match=re.escape(f"clashes with what is installed: {reason}")):
        new_plugin(name, tmp_path / "pkg", family=family)
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


@pytest.mark.parametrize("family", sorted(TEMPLATES))
def test_every_family_renders_a_complete_lint_clean_package(tmp_path, family):
    name = "a-plugin-name-of-24chars"
    assert len(name) == MAX_NAME  # the longest name allowed
    files = render(name, family)
    module = "accelbench_" + name.replace("-", "_")
    assert {"pyproject.toml", "README.md", f"src/{module}/__init__.py",
            f"src/{module}/plugin.py", f"src/{module}/design.py",
            f"tests/test_{module}.py"} <= set(files)
    pyproject = tomllib.loads(files["pyproject.toml"])
    assert pyproject["project"]["entry-points"]["accelbench"] == {name: f"{module}.plugin"}
    assert set(pyproject["project"]["optional-dependencies"]["test"]) == {"pytest",
                                                                          "hypothesis"}
    readme = files["README.md"]
    assert "pip install -e '.[test]'" in readme and "pytest tests" in readme
    assert f"accelbench run --designs '{name}-*'" in readme
    assert f"--family {family}" in readme
    base = {"codec": "CodecDesign", "engine": "EngineDesign",
            "memory": "MemoryPlannerDesign"}[family]
    design = files[f"src/{module}/design.py"]
    assert re.search(rf"^class \w+\({base}\):$", design, re.M)
    assert f'technique = "{name}"' in design
    pkg = new_plugin(name, tmp_path / "pkg", family=family)
    assert {str(p.relative_to(pkg)) for p in pkg.rglob("*") if p.is_file()} == set(files)
    # lint with the package's own configuration (its pyproject), as its author would
    _run(sys.executable, "-m", "ruff", "check", "--no-cache", ".", cwd=pkg)


def _throwaway_env(root):
    """A virtual environment in ``root`` that sees this environment's packages (accelbench
    included) through a .pth file, and into which pip installs only the new plugins."""
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    purelib = _run(str(python), "-c",
                   "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in site.getsitepackages())
    (Path(purelib) / "active-env.pth").write_text(lines)
    return str(python)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The three example packages, generated by the CLI and installed (editable) into one
    throwaway environment; returns its python and the package folders by family."""
    root = tmp_path_factory.mktemp("scaffold")
    packages = {}
    for family, (name, _) in E2E.items():
        packages[family] = root / name
        _run(sys.executable, "-m", "accelbench.cli", "new-plugin", name, "--family", family,
             "--dir", str(packages[family]))
    python = _throwaway_env(root / "env")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
    # the build requirements the packages declare, installed once instead of into one
    # isolated build environment per package (the slow part of an install)
    build = tomllib.loads((packages["codec"] / "pyproject.toml").read_text())["build-system"]
    _run(*pip, *build["requires"])
    _run(*pip, "--no-deps", "--no-build-isolation",
         *[arg for pkg in packages.values() for arg in ("-e", str(pkg))])
    return python, packages


def test_the_active_environment_does_not_get_the_plugins(installed):
    here = json.loads(_run(sys.executable, "-m", "accelbench.cli", "designs", "--json"))
    assert not {d["name"] for d in here} & {d for family, (name, _) in E2E.items()
                                            for d in example_designs(name, family)}


def _table_rows(markdown: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in markdown.splitlines() if line.startswith("|")]


@pytest.mark.parametrize("family", sorted(E2E))
def test_scaffolded_plugin_end_to_end(installed, tmp_path, family):
    python, packages = installed
    name, workloads = E2E[family]
    pkg = packages[family]
    (design,) = example_designs(name, family)
    accelbench = [python, "-m", "accelbench.cli"]
    listed = {d["name"]: d for d in json.loads(_run(*accelbench, "designs", "--json"))}
    assert (listed[design]["family"], listed[design]["technique"],
            listed[design]["distribution"]) == (family, name, f"accelbench-{name}")
    _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(pkg / "tests"), cwd=pkg)
    results = tmp_path / "results"
    _run(*accelbench, "run", "--results", str(results), "--designs", f"{name}-*",
         *workloads, "--no-area")
    workload = workloads[1]
    assert [p.name for p in (results / "raw").iterdir()] == [
        f"partial-{name}-any--{workload.replace('/', '_')}.json"]
    rows = _table_rows((results / "README.md").read_text())
    # the energy section: one row per record, with its technique and role
    assert any(r[1].startswith(design) and r[2:4] == [name, "technique"] for r in rows
               if len(r) > 4)
    if family == "codec":  # the codec overview shows every codec row
        assert any(r[:2] == [f"{workload} (SYNTHETIC)", design] for r in rows)
    with open(results / "csv" / f"{family}_overview.csv", newline="") as f:
        overview = [r for r in csv.DictReader(f) if r.get("design", r.get("codec")) == design]
    assert len(overview) == 1
