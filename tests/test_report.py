"""The matrix runner and the report: raw JSON kept safe, tables in every format."""

import json
import re
import shutil

import pytest

from accelbench.errors import AccelbenchError
from accelbench.report.build import build_report
from accelbench.report.raw import load_raw
from accelbench.runner import run_matrix

SELECTION = {"designs": ["zvc-*"], "workloads": ["synthetic/fixed8", "synthetic/fixed16"]}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    code = run_matrix(results=root, sim_words=512, **SELECTION, all_workloads=True)
    assert code == 0
    return root


def test_matrix_writes_raw_json_with_records(results):
    doc = json.loads((results / "raw" / "matrix.json").read_text())
    names = {b["name"] for b in doc["benchmarks"]}
    assert "test_case[zvc-w8@synthetic/fixed8]" in names
    assert "test_verify[zvc-w16]" in names
    bench = next(b for b in doc["benchmarks"] if b["name"].startswith("test_case[zvc-w8"))
    record = bench["extra_info"]["accelbench_record"]
    assert record["metrics"]["compression_ratio"]["unit"] == "x"
    assert bench["extra_info"]["compressor_ge"] > 0
    assert record["provenance"]["commit"] and record["provenance"]["tools"]["pyrtl"]
    assert not list((results / "raw").glob(".tmp-*"))


def test_report_tables_csv_and_plot(results):
    text = (results / "README.md").read_text()
    assert re.search(r"\| synthetic/fixed8 \(SYNTHETIC\) +\| zvc-w8 +\| \d\.\d{3} ± ", text)
    assert "IHP SG13G2 130 nm" in text and "Do not edit by hand" in text
    overview = (results / "csv" / "codec_overview.csv").read_text().splitlines()
    assert overview[0].startswith("workload (dataset/format),codec,ratio")
    assert len(overview) == 3
    assert (results / "plots" / "codec_ratios.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("fmt", "file", "marker"), [
    ("rst", "report.rst", "====  "), ("latex", "report.tex", r"\begin{tabular}"),
    ("html", "report.html", "<table>")])
def test_other_formats(results, fmt, file, marker):
    build_report(results, fmt)
    assert marker in (results / file).read_text()


def test_a_failed_run_leaves_earlier_results_intact(results, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    before = (copy / "raw" / "matrix.json").read_bytes()
    with pytest.raises(AccelbenchError, match="no case matches"):
        run_matrix(results=copy, designs=["no-such-design"], report=False)
    code = run_matrix(results=copy, designs=["zvc-w8"], workloads=["synthetic/fixed8"],
                      all_workloads=True, report=False, pytest_args=["--sim-words", "oops"])
    assert code == 1
    assert (copy / "raw" / "matrix.json").read_bytes() == before
    assert not list((copy / "raw").glob(".tmp-*"))


def test_unreadable_raw_files_are_named(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(AccelbenchError, match="no raw results"):
        load_raw(tmp_path / "raw")
    (tmp_path / "raw" / "bad.json").write_text("{")
    with pytest.raises(AccelbenchError, match=r"bad\.json is not a pytest-benchmark JSON"):
        load_raw(tmp_path / "raw")
