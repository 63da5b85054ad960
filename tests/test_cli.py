"""The command line as a user drives it: listings with --json, errors, exports."""

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

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


# --- output paths: one rule for every command that writes a file ---------------------


@pytest.fixture
def read_only_dir(tmp_path):
    """A folder nobody may write into: a chmod-ed folder, or sysfs when we are root (root
    ignores permission bits, but not sysfs's refusal)."""
    if os.geteuid() == 0:
        yield Path("/sys")
        return
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def _writers(out: Path) -> dict[str, list[str]]:
    """Every file-writing command, writing to ``out``."""
    return {
        "verilog": ["verilog", "zvc-w8", "--netlist", "compressor", "-o", str(out)],
        "simulate --vcd": ["simulate", "zvc-w8", "--netlist", "decompressor", "--words", "8",
                           "--vcd", str(out)],
        "network --topology-csv": ["network", "alexnet", "--topology-csv", str(out)],
        "scalesim --csv": ["scalesim", "--network", "alexnet", "--array", "8x8", "--csv",
                           str(out)],
    }


WRITERS = sorted(_writers(Path("x")))


def _refused(capsys, argv, reason):
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert err.startswith("accelbench: error: cannot ") and reason in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("command", WRITERS)
def test_output_to_a_directory_is_refused(capsys, tmp_path, command):
    _refused(capsys, _writers(tmp_path)[command], "it is a directory")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", WRITERS)
def test_output_into_a_read_only_folder_is_refused(capsys, read_only_dir, command):
    _refused(capsys, _writers(read_only_dir / "out.txt")[command], "permission denied")
    _refused(capsys, _writers(read_only_dir / "new" / "out.txt")[command], "permission denied")
    assert not (read_only_dir / "out.txt").exists()


@pytest.mark.parametrize("command", WRITERS)
def test_output_under_a_file_is_refused(capsys, tmp_path, command):
    (tmp_path / "file").write_text("mine")
    _refused(capsys, _writers(tmp_path / "file" / "out.txt")[command], "not a directory")
    assert (tmp_path / "file").read_text() == "mine"


@pytest.mark.parametrize("command", WRITERS)
def test_missing_output_folders_are_created(capsys, tmp_path, command):
    out = tmp_path / "a" / "b" / "out.txt"
    code, _, err = run(capsys, *_writers(out)[command])
    assert code == 0, err
    assert out.stat().st_size > 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.txt"]  # no temporary left


def test_new_plugin_and_run_follow_the_rule(capsys, tmp_path, read_only_dir):
    (tmp_path / "file").write_text("mine")
    _refused(capsys, ["new-plugin", "okname", "--dir", str(tmp_path / "file")],
             "not a directory")
    _refused(capsys, ["new-plugin", "okname", "--dir", str(read_only_dir / "pkg")],
             "permission denied")
    for results in (tmp_path / "file", read_only_dir):
        _refused(capsys, ["run", "--results", str(results), "--designs", "zvc-w8",
                          "--workloads", "synthetic/fixed8", "--all-workloads"],
                 "cannot write results folder" if results == read_only_dir else "not a")
    assert (tmp_path / "file").read_text() == "mine"


def test_an_unwritable_cache_is_a_clear_error(capsys, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("mine")
    monkeypatch.setenv("ACCELBENCH_CACHE", str(tmp_path / "file"))
    code, _, err = run(capsys, "area", "zvc-w8", "--netlist", "compressor", "--no-cache")
    assert code == 2
    assert "cache folder" in err and "ACCELBENCH_CACHE" in err and "Traceback" not in err


# --- numbers, help -------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["simulate", "zvc-w8", "--words", "0"],
    ["simulate", "zvc-w8", "--words", "10000001"],
    ["simulate", "zvc-w8", "--seed", "-1"],
    ["verify", "zvc-w8", "--seed", "x"],
    ["run", "--sim-words", "-3"],
    ["run", "-j", "0"],
])
def test_bad_numbers_are_one_line_errors(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err.startswith("accelbench: error: ") and err.count("\n") == 1, err


def test_scalesim_array_bounds_are_errors(capsys):
    for array in ("0x8", "100000x8"):
        code, _, err = run(capsys, "scalesim", "--network", "alexnet", "--array", array)
        assert code == 2 and "array dimensions" in err


def _all_parsers():
    from accelbench.cli import build_parser

    parser = build_parser()
    stack = [("accelbench", parser)]
    while stack:
        name, p = stack.pop()
        yield name, p
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack += [(f"{name} {n}", sub) for n, sub in action.choices.items()]


def test_every_command_and_option_has_help():
    missing = []
    for name, p in _all_parsers():
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing += [f"{name} {c.dest}" for c in action._choices_actions if not c.help]
            elif not action.help and action.dest != "help":
                missing.append(f"{name} {action.dest}")
    assert missing == []


def test_designs_table_has_the_netlists_column(capsys):
    code, out, _ = run(capsys, "designs", "--family", "codec")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header[:4] == ["design", "family", "parameters", "netlists"]
    assert any(line.startswith("zvc-w8 ") and "compressor, decompressor" in line
               for line in out.splitlines())
    code, out, _ = run(capsys, "designs", "--family", "engine", "--check")
    assert code == 0 and "(analytical)" in out


def test_sigterm_is_a_clean_stop(tmp_path):
    script = ("import os, signal, time\nfrom accelbench.cli import main\nimport accelbench.cli."
              "listing as m\ndef slow(args):\n    print('ready', flush=True)\n    time.sleep(30)"
              "\nm.cmd_workloads = slow\nimport sys\nsys.exit(main(['workloads']))\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM
    assert err == "accelbench: stopped by SIGTERM\n"
