"""The per-family overview: a wide family keeps a shown table of its standard metrics."""

from accelbench.records import ResultRecord
from accelbench.report.generic import FamilyOverview


def _engine(design, technique, baseline_for, extra):
    metrics = {"total_cycles": {"value": 100, "unit": "cycles"},
               "utilisation": {"value": 0.5, "unit": ""},
               "energy_pj": {"value": 12.5, "unit": "pJ"}}
    metrics.update({f"m{i}": {"value": i, "unit": ""} for i in range(extra)})
    return ResultRecord(design=design, family="engine", parameters={},
                        workload={"id": "net/tiny"}, metrics=metrics,
                        technique=technique, baseline_for=list(baseline_for))


def test_narrow_family_shows_every_metric():
    out = FamilyOverview("engine", 20).render([_engine("a", "a", (), 2)])
    assert [t.name for t in out.tables] == ["engine_overview"] and out.tables[0].show


def test_wide_family_shows_its_standard_metrics_for_every_design():
    out = FamilyOverview("engine", 20).render([_engine("plugin-x", "x", (), 20),
                                               _engine("base", "b", ("x",), 0)])
    headline, full = out.tables
    assert not full.show and len(full.headers) == 2 + 3 + 20
    assert headline.name == "engine_headline"
    assert headline.headers == ["design", "technique", "workload", "total_cycles (cycles)",
                                "utilisation", "energy_pj (pJ)"]
    assert headline.rows == [["base", "b (baseline)", "net/tiny", 100, 0.5, 12.5],
                             ["plugin-x", "x", "net/tiny", 100, 0.5, 12.5]]
