"""The command line as a user drives it: listings with --json, errors, exports."""

import json

import pytest

from accelbench.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("plugins", "designs", "workloads", "verify", "verilog", "area", "run",
                    "report", "new-plugin", "simulate"):
        assert command in out


def test_designs_json(capsys):
    code, out, _ = run(capsys, "designs", "--json")
    assert code == 0
    designs = {d["name"]: d for d in json.loads(out)}
    zvc = designs["zvc-w8"]
    assert zvc["family"] == "codec"
    assert zvc["parameters"] == {"word_bits": 8}
    assert zvc["plugin"] == "zvc" and zvc["distribution"] == "accelbench"
    assert zvc["netlists"] == ["compressor", "decompressor"]


def test_plugins_and_workloads_json(capsys):
    _, out, _ = run(capsys, "plugins", "--json")
    plugins = {p["name"]: p for p in json.loads(out)}
    assert plugins["zvc"]["contributes"]["design"] == ["zvc-w16", "zvc-w8"]
    _, out, _ = run(capsys, "workloads", "--json", "--all")
    ids = {w["id"]: w for w in json.loads(out)}
    assert ids["synthetic/fixed8"]["synthetic"] is True


def test_unknown_design_is_a_clear_error(capsys):
    code, _, err = run(capsys, "area", "zvc-w7")
    assert code == 2
    assert "unknown design 'zvc-w7'" in err and "Traceback" not in err


def test_verilog_export(capsys, tmp_path):
    target = tmp_path / "zvc.v"
    code, _, err = run(capsys, "verilog", "zvc-w16", "--netlist", "decompressor",
                       "-o", str(target))
    assert code == 0, err
    assert "module zvc_w16_decompressor(" in target.read_text()
    code, _, err = run(capsys, "verilog", "zvc-w16", "-o", str(target))
    assert code == 2 and "choose one with --netlist" in err


def test_area_json_has_a_breakdown(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("ACCELBENCH_CACHE", str(tmp_path))
    _, out, _ = run(capsys, "area", "zvc-w8", "--netlist", "compressor", "--json")
    report = json.loads(out)["netlists"]["compressor"]
    assert report["total_ge"] > 0 and report["cells"]["dfrbpq_1"]["count"] > 0
    assert "IHP SG13G2" in report["technology"]


def test_simulate_writes_a_vcd(capsys, tmp_path):
    vcd = tmp_path / "wave.vcd"
    code, out, _ = run(capsys, "simulate", "zvc-w8", "--netlist", "decompressor",
                       "--vcd", str(vcd), "--words", "20", "--json")
    assert code == 0
    assert json.loads(out)["matches_golden_model"] is True
    assert "$enddefinitions" in vcd.read_text()


def test_verify_command(capsys):
    code, out, _ = run(capsys, "verify", "zvc-w8")
    assert code == 0 and "ok   zvc-w8" in out
