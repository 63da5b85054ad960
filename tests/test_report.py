"""The report from hand-built raw files with known values: exact tables in every format,
newest-wins rules, and one-line errors for raw files that are not accelbench's."""

import copy
import json

import pytest

from accelbench.cli import main
from accelbench.errors import AccelbenchError
from accelbench.report.build import build_report
from accelbench.report.raw import load_raw


def metric(value, unit="", direction="none"):
    return {"name": "", "value": value, "unit": unit, "direction": direction,
            "description": ""}


def codec_record(design, workload, synthetic, ratio, date, *, ge=(100.0, 50.0)):
    return {
        "design": design, "family": "codec", "parameters": {"word_bits": 8},
        "workload": {"id": workload, "kind": "feature-maps", "synthetic": synthetic,
                     "description": ""},
        "metrics": {"compression_ratio": metric(ratio, "x", "higher"),
                    "ratio_std": metric(0.25, "x"), "ratio_min": metric(1.0, "x"),
                    "ratio_max": metric(2.5, "x"), "zero_fraction": metric(0.5),
                    "compressor_words_per_cycle": metric(1.0, "word/cycle"),
                    "decompressor_words_per_cycle": metric(0.5, "word/cycle"),
                    "compressor_ge": metric(ge[0], "GE", "lower"),
                    "decompressor_ge": metric(ge[1], "GE", "lower"),
                    "compressor_flip_flops": metric(10, "FF")},
        "details": {"per_layer": [{"layer": "conv1", "kind": "relu", "shape": [4, 2, 2],
                                   "zero_fraction": 0.5, "ratio": ratio,
                                   "compressor_words_per_cycle": 1.0,
                                   "decompressor_words_per_cycle": 0.5}]},
        "notes": [], "provenance": {"date": date, "commit": "abc", "machine": "m",
                                    "tools": {"pyrtl": "1.0.3"}},
        "plugin": "zvc", "schema": 1}


def engine_record(date):
    return {"design": "toy-engine", "family": "engine", "parameters": {"rows": 4},
            "workload": {"id": "net/toy", "kind": "network", "synthetic": False,
                         "description": ""},
            "metrics": {"total_cycles": metric(1234, "cycle", "lower"),
                        "utilisation": metric(0.75, "", "higher")},
            "details": {}, "notes": [], "provenance": {"date": date}, "plugin": "toy",
            "schema": 1}


def bench(name, extra, seconds=1.5):
    return {"name": name, "fullname": f"benchmarks/test_matrix.py::{name}",
            "extra_info": extra, "stats": {"mean": seconds}}


def document(benchmarks, date="2026-01-01T00:00:00", **run):
    return {"machine_info": {"cpu": {"brand_raw": "CPU"}, "python_version": "3.11"},
            "commit_info": {"id": "abc", "dirty": False}, "benchmarks": benchmarks,
            "datetime": date, "version": "5.3.1",
            "accelbench_run": {"wall_seconds": 9.0, **run}}


def measurement(row):
    return {"accelbench_measurement": {"table": "speed", "title": "Speed", "notes": ["n"],
                                       "row": row}}


MATRIX = document([
    bench("test_verify[zvc-w8]", {"accelbench_verify": {"design": "zvc-w8", "ok": True}}),
    bench("test_case[zvc-w8@synthetic/fixed8]",
          {"accelbench_record": codec_record("zvc-w8", "synthetic/fixed8", True, 1.75,
                                             "2026-01-01T00:00:01")}, 2.0),
    bench("test_case[zvc-w16@real/fixed16]",
          {"accelbench_record": codec_record("zvc-w16", "real/fixed16", False, 1.5,
                                             "2026-01-01T00:00:02", ge=(200.0, 80.5))}, 3.0),
    bench("test_case[toy-engine@net/toy]",
          {"accelbench_record": engine_record("2026-01-01T00:00:03")}, 0.5),
    bench("test_speed[a]", measurement({"case": "a", "seconds": 1.0})),
])


@pytest.fixture
def results(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "matrix.json").write_text(json.dumps(MATRIX))
    return tmp_path


def csv_lines(results, name):
    return (results / "csv" / f"{name}.csv").read_text().splitlines()


def test_codec_overview_has_the_records_values(results):
    build_report(results)
    assert csv_lines(results, "codec_overview") == [
        "workload (dataset/format),codec,ratio (mean ± std over images),min,max,"
        "zero words (mean over layers),compressor word/cycle,decompressor word/cycle,"
        "compressor GE,decompressor GE",
        "real/fixed16,zvc-w16,1.500 ± 0.250,1.0,2.5,0.5,1.0,0.5,200.0,80.5",
        "synthetic/fixed8 (SYNTHETIC),zvc-w8,1.750 ± 0.250,1.0,2.5,0.5,1.0,0.5,100.0,50.0",
    ]
    assert csv_lines(results, "codec_per_layer")[1:] == [
        "real/fixed16,zvc-w16,conv1,relu,4x2x2,0.5,1.5,1.0,0.5",
        "synthetic/fixed8,zvc-w8,conv1,relu,4x2x2,0.5,1.75,1.0,0.5"]
    text = (results / "README.md").read_text()
    row = ["synthetic/fixed8 (SYNTHETIC)", "zvc-w8", "1.750 ± 0.250", "1", "2.5", "0.5", "1",
           "0.5", "100", "50"]
    assert row in [[c.strip() for c in line.strip("|").split("|")]
                   for line in text.splitlines()]


def test_area_engine_run_time_and_measurement_tables(results):
    build_report(results)
    assert csv_lines(results, "area") == ["design,netlist,GE,flip-flops",
                                          "zvc-w16,compressor,200.0,10",
                                          "zvc-w16,decompressor,80.5,",
                                          "zvc-w8,compressor,100.0,10",
                                          "zvc-w8,decompressor,50.0,"]
    assert csv_lines(results, "engine_overview") == [
        "design,workload,total_cycles (cycle),utilisation", "toy-engine,net/toy,1234,0.75"]
    assert csv_lines(results, "run_times") == ["design,workload,seconds",
                                               "toy-engine,net/toy,0.5",
                                               "zvc-w16,real/fixed16,3.0",
                                               "zvc-w8,synthetic/fixed8,2.0"]
    assert csv_lines(results, "speed") == ["case,seconds", "a,1.0"]
    assert (results / "plots" / "codec_ratios.png").read_bytes()[:4] == b"\x89PNG"


def test_the_report_names_its_raw_files_and_removes_stale_tables(results):
    (results / "csv").mkdir()
    (results / "csv" / "gone.csv").write_text("old")
    build_report(results)
    assert not (results / "csv" / "gone.csv").exists()
    text = (results / "README.md").read_text()
    import hashlib

    digest = hashlib.sha256((results / "raw" / "matrix.json").read_bytes()).hexdigest()
    assert f"`matrix.json` (2026-01-01T00:00:00, 9.0 s, sha256 {digest[:12]})" in text


@pytest.mark.parametrize(("fmt", "file", "table", "code"), [
    ("rst", "report.rst", "====  ", "``csv/codec_per_layer.csv``"),
    ("latex", "report.tex", r"\begin{tabular}", r"\texttt{csv/codec\_per\_layer.csv}"),
    ("html", "report.html", "<table>", "<code>csv/codec_per_layer.csv</code>")])
def test_other_formats_render_inline_code_their_way(results, fmt, file, table, code):
    build_report(results, fmt)
    text = (results / file).read_text()
    assert table in text and code in text
    if fmt != "rst":
        assert "`" not in text


def test_newest_record_and_newest_measurement_table_win(results):
    newer = copy.deepcopy(MATRIX)
    newer["datetime"] = "2026-02-01T00:00:00"
    newer["benchmarks"] = [
        bench("test_case[zvc-w8@synthetic/fixed8]",
              {"accelbench_record": codec_record("zvc-w8", "synthetic/fixed8", True, 3.25,
                                                 "2026-02-01T00:00:00")}),
        bench("test_speed[b]", measurement({"case": "b", "seconds": 2.0}))]
    (results / "raw" / "partial.json").write_text(json.dumps(newer))
    raw = load_raw(results / "raw")
    ratios = {r.design: r.value("compression_ratio") for r in raw.records}
    assert ratios == {"zvc-w8": 3.25, "zvc-w16": 1.5, "toy-engine": None}
    assert raw.measurements["speed"]["rows"] == [{"case": "b", "seconds": 2.0}]
    assert [run["file"] for run in raw.runs] == ["matrix.json", "partial.json"]


def test_distributed_timings_are_labelled(results):
    doc = copy.deepcopy(MATRIX)
    doc["accelbench_run"]["timing"] = "under Dask, 2 workers (local cluster)"
    (results / "raw" / "matrix.json").write_text(json.dumps(doc))
    build_report(results)
    assert "case times measured under Dask, 2 workers (local cluster)" in \
        (results / "README.md").read_text()


BAD_RAW = {
    "not json": ("{", r"not a pytest-benchmark JSON file"),
    "a number of benchmarks": ('{"benchmarks": 5}', r"'benchmarks' is a int, not a list"),
    "a list": ("[]", "the top level is a list"),
    "no benchmarks": ('{"machine_info": {}}', "'benchmarks' is missing"),
    "a bad entry": ('{"benchmarks": [3]}', r"benchmarks\[0\] is not a pytest-benchmark"),
    "no accelbench data": ('{"benchmarks": [{"name": "test_x", "extra_info": {"a": 1}}]}',
                           "holds no accelbench results"),
    "a record without metrics": (json.dumps({"benchmarks": [bench("t", {
        "accelbench_record": {"design": "d", "family": "codec",
                              "workload": {"id": "w"}}})]}), r"lacks \['metrics'\]"),
    "metrics that are numbers": (json.dumps({"benchmarks": [bench("t", {
        "accelbench_record": {"design": "d", "family": "codec", "workload": {"id": "w"},
                              "parameters": {}, "metrics": {"m": 5}}})]}),
                                 "metrics must map names"),
    "a bad measurement": (json.dumps({"benchmarks": [bench("t", {
        "accelbench_measurement": {"table": "x"}})]}), "malformed accelbench_measurement"),
}


@pytest.mark.parametrize("case", sorted(BAD_RAW))
def test_raw_files_that_are_not_accelbench_results_are_named(tmp_path, capsys, case):
    text, message = BAD_RAW[case]
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "bad.json").write_text(text)
    with pytest.raises(AccelbenchError, match=message) as exc:
        load_raw(tmp_path / "raw")
    assert "bad.json" in str(exc.value)
    assert main(["report", "--results", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("accelbench: error: ") and err.count("\n") == 1
    assert not (tmp_path / "README.md").exists()


def test_an_empty_raw_folder_is_an_error(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(AccelbenchError, match="no raw results"):
        load_raw(tmp_path / "raw")
    (tmp_path / "raw" / "verify-only.json").write_text(json.dumps(
        document([bench("test_verify[zvc-w8]", {"accelbench_verify": {"ok": True}})])))
    with pytest.raises(AccelbenchError, match=r"no result records in verify-only\.json"):
        build_report(tmp_path)
