"""Reading the raw pytest-benchmark JSON files that ``accelbench run`` writes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accelbench.errors import AccelbenchError
from accelbench.records import ResultRecord


@dataclass
class RawResults:
    records: list[ResultRecord]
    #: wall seconds of each case's evaluation, by (design, workload id)
    seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    #: free-form measurement tables (speeds, ...), by table name
    measurements: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_raw(raw_dir: Path) -> RawResults:
    """All records in ``raw_dir/*.json``; for a repeated case the newest record wins."""
    files = sorted(p for p in raw_dir.glob("*.json") if not p.name.startswith("."))
    if not files:
        raise AccelbenchError(f"no raw results in {raw_dir}: run `accelbench run` first")
    newest: dict[tuple[str, str], tuple[str, ResultRecord, float | None]] = {}
    runs = []
    measurements: dict[str, dict[str, Any]] = {}
    for path in files:
        try:
            doc = json.loads(path.read_text())
            benchmarks = doc["benchmarks"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AccelbenchError(f"{path} is not a pytest-benchmark JSON file: {exc}") from None
        run = {"file": path.name, "datetime": doc.get("datetime", ""),
               "commit": (doc.get("commit_info") or {}).get("id", "unknown"),
               "dirty": (doc.get("commit_info") or {}).get("dirty"),
               "machine": (doc.get("machine_info") or {}).get("cpu", {}).get("brand_raw", ""),
               "python": (doc.get("machine_info") or {}).get("python_version", ""),
               **(doc.get("accelbench_run") or {})}
        runs.append(run)
        for bench in benchmarks:
            extra = bench.get("extra_info") or {}
            _add_measurement(measurements, extra.get("accelbench_measurement"), path)
            data = extra.get("accelbench_record")
            if data is None:
                continue
            try:
                record = ResultRecord.from_json(data)
            except (TypeError, ValueError) as exc:
                raise AccelbenchError(f"{path}: bad record in {bench.get('name')}: "
                                      f"{exc}") from None
            stats = bench.get("stats") or {}
            seconds = stats.get("mean")
            date = record.provenance.get("date", "")
            if record.key not in newest or date >= newest[record.key][0]:
                newest[record.key] = (date, record, seconds)
    records = sorted((r for _, r, _ in newest.values()),
                     key=lambda r: (r.family, r.design, r.workload["id"]))
    seconds = {k: s for k, (_, _, s) in newest.items() if s is not None}
    return RawResults(records, seconds, runs, measurements)


def _add_measurement(tables: dict[str, dict[str, Any]], item: Any, path: Path) -> None:
    """Collect ``extra_info["accelbench_measurement"]``: {table, title, notes, row}."""
    if item is None:
        return
    if not isinstance(item, dict) or not isinstance(item.get("row"), dict) \
            or not item.get("table"):
        raise AccelbenchError(f"{path}: malformed accelbench_measurement {item!r}")
    table = tables.setdefault(item["table"], {"title": item.get("title", item["table"]),
                                              "notes": item.get("notes", []), "rows": []})
    table["rows"].append(item["row"])
