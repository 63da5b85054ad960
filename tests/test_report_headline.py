"""The report's headline from hand-made records with known values: every cell, a
technique without records, and the ``accelbench report --headline-*`` options."""

from __future__ import annotations

from pathlib import Path

import pytest

from accelbench.cli import main
from accelbench.energy.models import get_model
from accelbench.records import ResultRecord
from accelbench.report import build
from accelbench.report.build import render_report
from accelbench.report.headline import HeadlineSection
from accelbench.report.raw import RawResults
from accelbench.report.sections import ReportSettings

MIB = 1 << 20
NET = "netA"
DATASET = {"name": NET, "network": NET, "format": "fixed8", "synthetic": False}


def _m(**values: float) -> dict:
    units = {"_ge": "GE", "_fmax_mhz": "MHz"}
    return {k: {"value": v, "unit": next((u for s, u in units.items() if k.endswith(s)), "")}
            for k, v in values.items()}


def _counts(dram: float, sram: float = 0, macs: int = 0) -> dict:
    return {"counts": {"macs": macs, "dram_bytes": dram, "sram_bytes": sram,
                       "sram_size_bytes": 2 * MIB}}


def _codec(design: str, technique: str, compressed: int, top1: float, *, lossy: bool,
           fmt: str = "fixed8", baseline_for=()) -> ResultRecord:
    return ResultRecord(design, "codec", {"block_size": 8}, {"id": f"{NET}/{fmt}"},
                        _m(uncompressed_bits=8_000_000, compressed_bits=compressed,
                           compression_ratio=8_000_000 / compressed, top1_agreement=top1),
                        details={"lossy": lossy, "dataset": {**DATASET, "format": fmt}},
                        technique=technique, baseline_for=list(baseline_for))


def _planner(design: str, technique: str, sweep: list[tuple[int, int, int]],
             baseline_for=(), sram: int = 0) -> ResultRecord:
    points = [{"budget_bytes": b, "dram_bytes": w + fm, "weight_bytes": w,
               "feature_map_dram_bytes": fm} for b, w, fm in sweep]
    head = next(p for p in points if p["budget_bytes"] == 2 * MIB)
    return ResultRecord(design, "memory", {}, {"id": f"net/{NET}"},
                        _m(dram_bytes=head["dram_bytes"], weight_bytes=head["weight_bytes"],
                           feature_map_dram_bytes=head["feature_map_dram_bytes"],
                           budget_bytes=2 * MIB),
                        details={"sweep": points, "energy": _counts(head["dram_bytes"],
                                                                    sram=sram),
                                 "policy": technique},
                        technique=technique, baseline_for=list(baseline_for))


def records() -> list[ResultRecord]:
    spots_points = [{"value": 0.0, "total_cycles": 1000, "issued_macs": 100,
                     "dram_ifmap_read_bytes": 2_000_000, "dram_weight_read_bytes": 1_000_000},
                    {"value": 0.5, "total_cycles": 500, "issued_macs": 50,
                     "dram_ifmap_read_bytes": 1_000_000, "dram_weight_read_bytes": 500_000,
                     "sram_weight_read_bytes": 200_000}]
    return [
        _planner("dram-baseline", "dram-baseline", [(MIB, 2_000_000, 8_000_000),
                                                    (2 * MIB, 2_000_000, 8_000_000)],
                 baseline_for=["shortcutfusion"]),
        _planner("shortcutfusion", "shortcutfusion", [(MIB, 2_000_000, 5_000_000),
                                                      (2 * MIB, 2_000_000, 3_000_000)],
                 sram=1_000_000),
        _codec("ebpc-w8-b8", "ebpc", 4_000_000, 0.5, lossy=False),
        _codec("zvc-w8", "zvc", 5_000_000, 0.5, lossy=False, baseline_for=["ebpc"]),
        _codec("dct-q90", "dct", 3_200_000, 1.0, lossy=True),
        _codec("dct-q50", "dct", 2_000_000, 0.9, lossy=True, fmt="uint8"),
        _codec("dct-q25", "dct", 1_000_000, 0.5, lossy=True),
        ResultRecord("spots-x", "engine", {}, {"id": f"net/{NET}"},
                     _m(total_cycles=1000, issued_macs=100),
                     details={"sweep": {"default": 0.0, "points": spots_points},
                              "energy": _counts(3_000_000, macs=100),
                              "activations": "real (netA)"}, technique="spots"),
        ResultRecord("eyeriss-x", "engine", {}, {"id": f"net/{NET}"},
                     _m(total_cycles=900, issued_macs=90), technique="eyeriss-like",
                     baseline_for=["spots"]),
        ResultRecord("spots-x", "engine", {}, {"id": "net/other"},
                     _m(core_ge=1234.0, core_flip_flops=56, core_values_per_cycle=0.75),
                     technique="spots"),
    ]


def _table(out, name):
    return next(t for t in out.tables if t.name == name)


def _uj(nbytes: float, sram: float = 0) -> float:
    model = get_model("horowitz45")
    value = (nbytes * model.dram_per_byte + sram * model.sram_per_byte(2 * MIB)) / 1e6
    return round(value, 1) if value < 1000 else round(value)  # whole uJ from 1000 up


def test_networks_table_every_cell():
    out = HeadlineSection().render(records())
    table = _table(out, "headline_networks")
    rows = {row[1]: row for row in table.rows}
    assert [row[0] for row in table.rows] == [NET] * 8
    expect = {  # configuration: (DRAM MB, reduction %, energy uJ)
        "baseline accelerator (layer by layer)": (10.0, None, _uj(10e6)),
        "baseline + ebpc-w8-b8": (6.0, 40.0, _uj(6e6)),
        "baseline + zvc-w8": (7.0, 30.0, _uj(7e6)),
        "baseline + DCT at >= 100 % top-1": (5.2, 48.0, _uj(5.2e6)),
        "baseline + DCT at >= 90 % top-1": (4.0, 60.0, _uj(4e6)),
        "ShortcutFusion": (5.0, 50.0, _uj(5e6, 1e6)),
        "ShortcutFusion + ebpc-w8-b8": (3.5, 65.0, _uj(3.5e6, 1e6)),
        "SPOTS with skipping": (1.5, None, None),
    }
    assert set(rows) == set(expect)
    for label, (mb, cut, uj) in expect.items():
        assert rows[label][3] == mb, label
        assert rows[label][4] == cut, label
        if uj is not None:
            assert rows[label][5] == uj, label
    model = get_model("horowitz45")
    assert rows["SPOTS with skipping"][5] == round(
        (1.5e6 * model.dram_per_byte + 2e5 * model.sram_per_byte(2 * MIB)
         + 50 * model.mac_energy("int8")) / 1e6, 1)
    assert "feature maps / 2.000 (measured, pooled" in rows["baseline + ebpc-w8-b8"][2]
    assert "dct-q90 (fixed8): pooled ratio 2.500, top-1 agreement 100 %" in \
        rows["baseline + DCT at >= 100 % top-1"][2]
    assert "dct-q50 (uint8)" in rows["baseline + DCT at >= 90 % top-1"][2]
    assert rows["ShortcutFusion"][2] == "2 MiB on-chip feature-map budget"
    assert rows["SPOTS with skipping"][2].startswith("50 % block weight sparsity")
    notes = " ".join(table.notes)
    assert "planner budget 2 MiB" in notes and "sparsity 50 % (default)" in notes
    assert ">= 100 % and >= 90 %" in notes and "ASSUME" in notes


def test_claims_table_every_technique_and_missing_one():
    out = HeadlineSection().render(records())
    rows = {row[0]: row for row in _table(out, "headline_claims").rows}
    assert list(rows) == ["[DCT feature-map compression](#section-dct)",
                          "[EBPC (lossless)](#section-ebpc)",
                          "[ShortcutFusion](#section-shortcutfusion)",
                          "Spectral sparse CNN", "[SPOTS](#section-spots)"]
    assert rows["Spectral sparse CNN"][3] == "no results in this run"
    assert "42 %" in rows["Spectral sparse CNN"][1]
    assert rows["[DCT feature-map compression](#section-dct)"][3] == (
        "netA: 2.50x (dct-q90) at >= 100 %, 4.00x (dct-q50) at >= 90 % top-1 agreement")
    assert rows["[EBPC (lossless)](#section-ebpc)"][3] == "netA: 2.00x (ebpc-w8-b8)"
    assert rows["[ShortcutFusion](#section-shortcutfusion)"][3] == \
        "50.0 % less DRAM traffic (netA)"
    assert rows["[SPOTS](#section-spots)"][3].startswith(
        "1.80x faster than our Eyeriss-like model (on netA)")
    assert all(row[5] for row in rows.values() if row[3] != "no results in this run")


def test_area_table_and_plot_without_warnings(recwarn):
    out = HeadlineSection().render(records())
    area = _table(out, "headline_area")
    assert area.rows == [["spots-x", "spots", "core", 1234.0, 56, None, None, None, 0.75,
                          0.1]]
    assert "IHP SG13G2 130 nm" in area.notes[0]
    from accelbench.report.build import _png_bytes

    assert _png_bytes(out.plots[0]).startswith(b"\x89PNG")
    assert not [w for w in recwarn if "matplotlib" in str(w.filename)
                or "nan" in str(w.message).lower()]


def test_settings_override_budget_sparsity_agreement():
    section = HeadlineSection().configure(ReportSettings(
        headline_budget=MIB, headline_sparsity=0.0, headline_agreement=(0.5,)))
    rows = {row[1]: row for row in _table(section.render(records()),
                                           "headline_networks").rows}
    assert rows["ShortcutFusion"][3] == 7.0  # the 1 MiB point
    assert rows["ShortcutFusion + ebpc-w8-b8"][3] == 4.5
    assert rows["SPOTS with skipping"][3] == 3.0
    assert rows["baseline + DCT at >= 50 % top-1"][3] == 3.0  # dct-q25, ratio 8
    missing = HeadlineSection(sparsity=0.3).render(records())
    spots = next(r for r in _table(missing, "headline_networks").rows if r[1].startswith("SPOTS"))
    assert spots[2] == "no sweep point at 30 % weight sparsity" and spots[3] is None


def test_headline_is_first_with_anchors(monkeypatch):
    monkeypatch.setattr(build, "_sections",
                        lambda raw, settings: [HeadlineSection().configure(settings)])
    files = render_report(RawResults(records()), Path("res"), "github",
                          ReportSettings(headline_budget=MIB))
    text = files[Path("res/README.md")].decode()
    assert text.index('<a id="section-headline"></a>') < text.index("## Technology and method")
    assert "[SPOTS](#section-spots)" in text and "1 MiB on-chip" in text
    html = render_report(RawResults(records()), Path("res"), "html")[Path("res/report.html")]
    assert b"<a href='#section-spots'>SPOTS</a>" in html


@pytest.mark.parametrize("option, value, message", [
    ("--headline-budget", "2x", "expected a size like"),
    ("--headline-budget", "0", "from 1 B"),
    ("--headline-sparsity", "1.0", "below 1"),
    ("--headline-sparsity", "abc", "expected a fraction"),
    ("--headline-agreement", "0,0.9", "above 0"),
    ("--headline-agreement", "120%", "at most 1"),
])
def test_cli_bad_headline_options(tmp_path, capsys, option, value, message):
    with pytest.raises(SystemExit) as exc:
        main(["report", "--results", str(tmp_path), option, value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"accelbench: error: report: argument {option}: ")
    assert message in err and err.count("\n") == 1


def test_cli_passes_headline_settings(tmp_path, monkeypatch):
    seen = {}

    def fake(results, fmt, settings):
        seen["settings"] = settings
        return []

    monkeypatch.setattr(build, "build_report", fake)
    assert main(["report", "--results", str(tmp_path), "--headline-budget", "512KiB",
                 "--headline-sparsity", "75%", "--headline-agreement", "90%,100%"]) == 0
    assert seen["settings"] == ReportSettings(headline_budget=512 * 1024,
                                              headline_sparsity=0.75,
                                              headline_agreement=(1.0, 0.9))


def test_section_summary_comes_first_under_its_anchored_heading(monkeypatch):
    from accelbench.report.sections import SectionOutput

    class Section:
        name, order = "myaccel", 200

        def render(self, records):
            return SectionOutput("MyAccel", text="Details.", summary="In short: 2x.")

    monkeypatch.setattr(build, "_sections", lambda raw, settings: [Section()])
    text = render_report(RawResults(records()), Path("res"))[Path("res/README.md")].decode()
    assert '<a id="section-myaccel"></a>\n\n## MyAccel\n\nIn short: 2x.\n\nDetails.' in text
    assert text.index("## Technology and method") < text.index("## MyAccel")
