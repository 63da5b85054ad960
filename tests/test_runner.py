"""``accelbench run``: partial runs beside the published matrix, --merge, failures and
signals that leave results/ as it was, and the raw file and report written together."""

import copy
import dataclasses
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_report import MATRIX

from accelbench import runner
from accelbench.cli import StopSignal
from accelbench.design import EvaluationOptions
from accelbench.errors import AccelbenchError
from accelbench.runner import partial_name, run_matrix

SLICE = {"designs": ["zvc-w8"], "workloads": ["synthetic/fixed8"], "all_workloads": True,
         "sim_words": 256, "area": False}
PARTIAL = "partial-zvc-w8--synthetic_fixed8.json"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A results folder with a published matrix, then a filtered run into it."""
    root = tmp_path_factory.mktemp("results")
    (root / "raw").mkdir()
    (root / "raw" / "matrix.json").write_text(json.dumps(MATRIX))
    before = (root / "raw" / "matrix.json").read_bytes()
    assert run_matrix(results=root, **SLICE) == 0
    return root, before


def test_a_filtered_run_keeps_the_published_matrix(published):
    root, before = published
    assert (root / "raw" / "matrix.json").read_bytes() == before
    assert sorted(p.name for p in (root / "raw").iterdir()) == ["matrix.json", PARTIAL]
    doc = json.loads((root / "raw" / PARTIAL).read_text())
    names = [b["name"] for b in doc["benchmarks"]]
    assert names == ["test_verify[zvc-w8]", "test_case[zvc-w8@synthetic/fixed8]"]
    record = doc["benchmarks"][1]["extra_info"]["accelbench_record"]
    assert record["metrics"]["compression_ratio"]["unit"] == "x"
    assert record["provenance"]["options"] == dataclasses.asdict(
        EvaluationOptions(sim_words=256, area=False))
    assert doc["accelbench_run"]["measurements"] == "not run"
    overview = (root / "csv" / "codec_overview.csv").read_text()
    # the new zvc-w8 record replaced the published one; the other tables are still there
    assert "synthetic/fixed8 (SYNTHETIC),zvc-w8,1.750" not in overview
    assert "real/fixed16,zvc-w16,1.500 ± 0.250" in overview
    assert (root / "csv" / "engine_overview.csv").exists()
    assert (root / "csv" / "speed.csv").exists()


def test_merge_replaces_only_the_cases_run(published, tmp_path):
    root, _ = published
    copy_ = tmp_path / "results"
    shutil.copytree(root, copy_)
    (copy_ / "raw" / PARTIAL).unlink()
    assert run_matrix(results=copy_, merge=True, report=False, **SLICE) == 0
    assert sorted(p.name for p in (copy_ / "raw").iterdir()) == ["matrix.json"]
    doc = json.loads((copy_ / "raw" / "matrix.json").read_text())
    assert [b["name"] for b in doc["benchmarks"]] == [
        "test_case[zvc-w16@real/fixed16]", "test_case[toy-engine@net/toy]", "test_speed[a]",
        "test_verify[zvc-w8]", "test_case[zvc-w8@synthetic/fixed8]"]
    record = doc["benchmarks"][-1]["extra_info"]["accelbench_record"]
    assert record["provenance"]["date"] > "2026-01-01T00:00:01"
    assert [r["datetime"] for r in doc["accelbench_run"]["merged_runs"]] == [
        MATRIX["datetime"]]


def test_partial_names():
    assert partial_name(["zvc-*"], None) == "partial-zvc-any--all"
    assert partial_name(None, ["net/*", "synthetic/fixed8"]) == \
        "partial-all--net_any+synthetic_fixed8"
    long = partial_name([f"design-{i}" for i in range(20)], None)
    assert len(long) == 80 and long == partial_name([f"design-{i}" for i in range(20)], None)


def test_a_failed_run_leaves_earlier_results_intact(published, tmp_path):
    root, _ = published
    copy_ = tmp_path / "results"
    shutil.copytree(root, copy_)
    before = {p: p.read_bytes() for p in copy_.rglob("*") if p.is_file()}
    with pytest.raises(AccelbenchError, match="no case matches"):
        run_matrix(results=copy_, designs=["no-such-design"], report=False)
    code = run_matrix(results=copy_, report=False, pytest_args=["--sim-words", "oops"],
                      **{k: v for k, v in SLICE.items() if k != "sim_words"})
    assert code == 1
    assert {p: p.read_bytes() for p in copy_.rglob("*") if p.is_file()} == before


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_sigterm_stops_the_pytest_children_and_leaves_nothing(tmp_path):
    cmd = [sys.executable, "-m", "accelbench.cli", "run", "--results", str(tmp_path),
           "--designs", "zvc-w8", "--workloads", "synthetic/fixed8", "--all-workloads",
           "--no-area", "-j", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    children: list[int] = []
    while len(children) < 2 and time.monotonic() < deadline and proc.poll() is None:
        children = _children(proc.pid)
        time.sleep(0.05)
    assert len(children) == 2, "the pytest shards did not start"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    for child in children:
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)
    assert list((tmp_path / "raw").iterdir()) == []


def test_a_signal_during_the_commit_waits_for_raw_and_report(tmp_path, monkeypatch):
    (tmp_path / "raw").mkdir()
    destination = tmp_path / "raw" / "matrix.json"
    import accelbench.report.build as build

    real_write = build.atomic_write_bytes
    calls = []

    def write_then_signal(path, data, **kw):
        real_write(path, data, **kw)
        calls.append(path)
        if len(calls) == 1:  # the raw file is written first: a kill arrives now
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(build, "atomic_write_bytes", write_then_signal)

    def stop(signum, _frame):
        raise StopSignal(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(StopSignal):
            runner.commit(tmp_path, destination, copy.deepcopy(MATRIX), report=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert calls[0] == destination and tmp_path / "README.md" in calls
    digest = hashlib.sha256(destination.read_bytes()).hexdigest()
    assert f"sha256 {digest[:12]}" in (tmp_path / "README.md").read_text()
