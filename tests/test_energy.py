"""Energy models: hand-computed figures, the SRAM interpolation, user tables, the section."""

from __future__ import annotations

import math

import pytest

from accelbench.cli import main
from accelbench.design import EvaluationOptions
from accelbench.designs.systolic import DenseSystolic
from accelbench.energy import EnergyCounts, breakdown, counts_from_record, get_model, load_table
from accelbench.energy.models import EnergyTableError
from accelbench.energy.report import EnergySection
from accelbench.networks.builder import NetBuilder
from accelbench.records import ResultRecord
from accelbench.workloads import NetworkData

H = get_model("horowitz45")


@pytest.mark.parametrize(("size", "pj"), [(8 * 1024, 10.0), (32 * 1024, 20.0),
                                          (1024 * 1024, 100.0)])
def test_sram_anchor_points(size, pj):
    assert H.sram_access(size) == pytest.approx(pj, rel=1e-12)


def test_sram_log_log_interpolation_and_extrapolation():
    # halfway (in log size) between 8 KB and 32 KB: the geometric mean of 10 and 20 pJ
    assert H.sram_access(16 * 1024) == pytest.approx(math.sqrt(10 * 20))
    # 256 KB between 32 KB and 1 MB: 20 * 5 ** (log(8) / log(32))
    assert H.sram_access(256 * 1024) == pytest.approx(20 * 5 ** (math.log(8) / math.log(32)))
    # below 8 KB: the 8-32 KB segment extended (slope 1/2 in log-log)
    assert H.sram_access(2 * 1024) == pytest.approx(5.0)
    assert H.sram_per_byte(8 * 1024) == pytest.approx(10 / 8)
    assert H.rf_per_byte(64) == pytest.approx(H.sram_access(64) / 8)


def _small_network():
    b = NetBuilder("tiny", (4, 6, 6))
    b.conv("conv", "input", 8, 3, 1, 1, activation="linear")
    return b.build("one 3x3 conv", "test")


def test_dense_array_layer_energy_is_macs_and_bytes_times_the_costs():
    design = DenseSystolic(4, 4)
    ev = design.evaluate(NetworkData(_small_network()), EvaluationOptions(area=False))
    m = {x.name: x.value for x in ev.metrics}
    macs = 6 * 6 * 8 * 3 * 3 * 4
    assert m["issued_macs"] == macs
    assert m["energy_mac_pj"] == pytest.approx(macs * 0.3, abs=1e-3)
    assert m["energy_dram_pj"] == pytest.approx(m["dram_bytes"] * 162.5, abs=1e-3)
    sram = m["sram_bytes"] * H.sram_per_byte(64 * 1024)  # no size given: the 64 KiB default
    assert m["energy_sram_pj"] == pytest.approx(sram, abs=1e-3)
    assert m["energy_pj"] == pytest.approx(macs * 0.3 + m["dram_bytes"] * 162.5 + sram,
                                           abs=2e-3)
    assert m["energy_dram_high_pj"] == pytest.approx(m["dram_bytes"] * 325.0, abs=1e-3)
    counts = ev.details["energy"]["counts"]
    assert counts["macs"] == macs and "sram size 65536 B (default)" in counts["assumed"]


def test_eyeriss_relative_model_is_in_mac_units():
    counts = EnergyCounts(macs=10, dram_bytes=4, sram_bytes=2, rf_bytes=6)
    b = breakdown(counts, "eyeriss-relative")
    assert b.unit == "MAC units"
    # per 16-bit access: RF 1, buffer 6, DRAM 200, MAC 1
    assert (b.mac, b.rf, b.sram, b.dram) == (10.0, 3.0, 6.0, 400.0)


def _write(tmp_path, text):
    path = tmp_path / "costs.toml"
    path.write_text(text)
    return path


def test_user_table_overrides_entries(tmp_path):
    path = _write(tmp_path, """
name = "mine"
[mac]
int8 = 0.1
[dram]
per_byte = 10.0
[[sram]]
size_bytes = 1024
energy_per_access = 1.0
[[sram]]
size_bytes = 4096
energy_per_access = 2.0
[rf]
energy_per_access = 0.5
access_bits = 8
""")
    model = load_table(path)
    assert model.name == "mine" and model.mac["int8"] == 0.1 and model.mac["fp32"] == 4.6
    assert model.sram_access(2048) == pytest.approx(math.sqrt(2.0))
    b = breakdown(EnergyCounts(macs=10, dram_bytes=3, rf_bytes=4), model)
    assert (b.mac, b.dram, b.rf) == (pytest.approx(1.0), 30.0, 2.0)
    assert b.dram_high is None


@pytest.mark.parametrize(("text", "names"), [
    ("[mac]\nint8 = -1\n", "mac.int8"),
    ("[mac]\nint8 = 'a'\n", "mac.int8"),
    ("[dram]\nper_bite = 1.0\n", "dram"),
    ("[dram]\nper_byte = 1.0\nextra = 2\n", "dram.extra"),
    ("[[sram]]\nsize_bytes = 10\n", "sram[0]"),
    ("[[sram]]\nsize_bytes = 10\nenergy_per_access = 1\naccess_bits = 0\n",
     "sram[0].access_bits"),
    ("voltage = 0.9\n", "voltage"),
    ("[rf]\naccess_bits = 8\n", "rf"),
    ("not toml at all [", "not valid TOML"),
])
def test_malformed_tables_name_the_entry(tmp_path, text, names):
    with pytest.raises(EnergyTableError, match=names.replace("[", r"\[").replace("]", r"\]")):
        load_table(_write(tmp_path, text))


def test_cli_lists_costs_and_reports_a_bad_table_in_one_line(tmp_path, capsys):
    assert main(["energy", "--model", "horowitz45", "--results", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "162.5" in out and "SRAM 32 KiB" in out
    bad = _write(tmp_path, "[mac]\nint8 = -3\n")
    assert main(["energy", "--table", str(bad), "--results", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mac.int8" in err


def _record(design, technique, baseline_for, counts, network="net/tiny", baseline=None):
    energy = {"counts": counts.to_json()}
    if baseline is not None:
        energy["baseline_counts"] = baseline.to_json()
        energy["baseline"] = "uncompressed"
    return ResultRecord(design=design, family="engine", parameters={},
                        workload={"id": network, "synthetic": False}, metrics={},
                        details={"energy": energy}, technique=technique,
                        baseline_for=list(baseline_for))


def test_section_recomputes_from_stored_counts_under_any_model():
    ours = _record("fast", "fast", (), EnergyCounts(macs=100, dram_bytes=10))
    base = _record("slow", "slow", ("fast",), EnergyCounts(macs=100, dram_bytes=30))
    assert counts_from_record(ours).dram_bytes == 10
    out = EnergySection().render([ours, base])
    table = {t.name: t for t in out.tables}
    rows = {r[1]: r for r in table["energy_per_inference"].rows}
    assert rows["fast"][4] == round(100 * 0.3 + 10 * 162.5, 1)
    assert rows["slow"][3] == "baseline"
    saved = table["energy_savings"].rows
    assert saved == [["tiny", "fast", "fast", "slow", 30 + 30 * 162.5, 30 + 10 * 162.5,
                      20 * 162.5, round(1 - (30 + 1625) / (30 + 4875), 4)]]
    relative = EnergySection("eyeriss-relative").render([ours, base])
    rows = {r[1]: r for r in relative.tables[0].rows}
    assert rows["fast"][4] == 100 + 5 * 200
