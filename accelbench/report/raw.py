"""Reading the raw pytest-benchmark JSON files that ``accelbench run`` writes.

Every file must be a pytest-benchmark document holding accelbench data (result records,
verifications or measurements); anything else is an :class:`AccelbenchError` naming the
file and the entry, never a traceback or a silently empty report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accelbench.errors import AccelbenchError
from accelbench.records import ResultRecord

#: extra_info keys that mark an entry as accelbench's
ACCELBENCH_KEYS = ("accelbench_record", "accelbench_verify", "accelbench_measurement")
#: a raw file larger than this is refused rather than read into memory
MAX_RAW_BYTES = 512 * 1024 * 1024


@dataclass
class RawResults:
    records: list[ResultRecord]
    #: wall seconds of each case's evaluation, by (design, workload id)
    seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    #: free-form measurement tables (speeds, ...), by table name
    measurements: dict[str, dict[str, Any]] = field(default_factory=dict)


def raw_files(raw_dir: Path) -> list[Path]:
    """The raw result files of ``raw_dir`` (hidden and temporary files excluded)."""
    return sorted(p for p in raw_dir.glob("*.json") if not p.name.startswith("."))


def read_document(path: Path) -> tuple[dict[str, Any], str]:
    """One raw file's document and the sha256 of its bytes."""
    try:
        size = path.stat().st_size
        if size > MAX_RAW_BYTES:
            raise AccelbenchError(f"{path} is {size:,} bytes, more than a raw result file "
                                  f"may be ({MAX_RAW_BYTES:,})")
        data = path.read_bytes()
        doc = json.loads(data)
    except OSError as exc:
        raise AccelbenchError(f"cannot read {path}: {exc.strerror}") from None
    except (ValueError, RecursionError) as exc:
        raise AccelbenchError(f"{path} is not a pytest-benchmark JSON file: {exc}") from None
    return doc, hashlib.sha256(data).hexdigest()


def read_raw_documents(raw_dir: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """Every raw file of ``raw_dir`` as ``{file name: (document, sha256)}``."""
    files = raw_files(raw_dir)
    if not files:
        raise AccelbenchError(f"no raw results in {raw_dir}: run `accelbench run` first")
    return {p.name: read_document(p) for p in files}


def load_raw(raw_dir: Path) -> RawResults:
    """All records in ``raw_dir/*.json``; for a repeated case the newest record wins."""
    return parse_raw(read_raw_documents(raw_dir))


def _benchmarks(name: str, doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        raise AccelbenchError(f"{name} is not a pytest-benchmark JSON file: the top level is "
                              f"a {type(doc).__name__}, not an object")
    benchmarks = doc.get("benchmarks")
    if not isinstance(benchmarks, list):
        what = "missing" if benchmarks is None else f"a {type(benchmarks).__name__}"
        raise AccelbenchError(f"{name} is not a pytest-benchmark JSON file: 'benchmarks' is "
                              f"{what}, not a list")
    for i, bench in enumerate(benchmarks):
        if not isinstance(bench, dict) or not isinstance(bench.get("extra_info", {}), dict):
            raise AccelbenchError(f"{name}: benchmarks[{i}] is not a pytest-benchmark entry")
    return benchmarks


def _record(name: str, bench: Mapping[str, Any], data: Any) -> ResultRecord:
    where = f"{name}: {bench.get('name', '?')}: bad accelbench_record"
    if not isinstance(data, dict):
        raise AccelbenchError(f"{where}: not an object")
    try:
        record = ResultRecord.from_json(data)
    except (TypeError, ValueError) as exc:
        raise AccelbenchError(f"{where}: {exc}") from None
    checks = [
        (isinstance(record.design, str) and record.design, "design is not a name"),
        (isinstance(record.family, str), "family is not a string"),
        (isinstance(record.workload, dict) and isinstance(record.workload.get("id"), str),
         "workload has no id"),
        (isinstance(record.metrics, dict)
         and all(isinstance(m, dict) and "value" in m for m in record.metrics.values()),
         "metrics must map names to objects with a value"),
        (isinstance(record.details, dict), "details is not an object"),
        (isinstance(record.provenance, dict), "provenance is not an object"),
        (isinstance(record.notes, list), "notes is not a list"),
    ]
    for ok, problem in checks:
        if not ok:
            raise AccelbenchError(f"{where}: {problem}")
    return record


def parse_raw(documents: Mapping[str, tuple[Any, str]]) -> RawResults:
    """Records, run times, runs and measurement tables of ``{file name: (doc, sha256)}``.

    A repeated case: the newest record wins. A measurement table: the newest file that has
    it wins (its rows are not added to an older file's).
    """
    newest: dict[tuple[str, str], tuple[str, ResultRecord, float | None]] = {}
    runs = []
    tables_by_file: list[tuple[str, dict[str, dict[str, Any]]]] = []
    for name, (doc, digest) in sorted(documents.items()):
        benchmarks = _benchmarks(name, doc)
        commit = doc.get("commit_info") if isinstance(doc.get("commit_info"), dict) else {}
        machine = doc.get("machine_info") if isinstance(doc.get("machine_info"), dict) else {}
        cpu = machine.get("cpu") if isinstance(machine.get("cpu"), dict) else {}
        run_info = doc.get("accelbench_run") if isinstance(doc.get("accelbench_run"),
                                                           dict) else {}
        run = {"file": name, "datetime": str(doc.get("datetime", "")),
               "commit": commit.get("id", "unknown"), "dirty": commit.get("dirty"),
               "machine": cpu.get("brand_raw", ""),
               "python": machine.get("python_version", ""), "sha256": digest, **run_info}
        runs.append(run)
        tables: dict[str, dict[str, Any]] = {}
        ours = 0
        for bench in benchmarks:
            extra = bench.get("extra_info") or {}
            ours += any(key in extra for key in ACCELBENCH_KEYS)
            _add_measurement(tables, extra.get("accelbench_measurement"), name)
            data = extra.get("accelbench_record")
            if data is None:
                continue
            record = _record(name, bench, data)
            stats = bench.get("stats") if isinstance(bench.get("stats"), dict) else {}
            seconds = stats.get("mean")
            seconds = float(seconds) if isinstance(seconds, (int, float)) else None
            date = str(record.provenance.get("date", ""))
            if record.key not in newest or date >= newest[record.key][0]:
                newest[record.key] = (date, record, seconds)
        if not ours:
            raise AccelbenchError(f"{name} holds no accelbench results ({len(benchmarks)} "
                                  f"pytest-benchmark entries, none with accelbench data): "
                                  f"remove it from raw/ or write it with `accelbench run`")
        tables_by_file.append((run["datetime"], tables))
    measurements: dict[str, dict[str, Any]] = {}
    for _, tables in sorted(tables_by_file, key=lambda item: item[0]):
        measurements.update(tables)
    records = sorted((r for _, r, _ in newest.values()),
                     key=lambda r: (r.family, r.design, r.workload["id"]))
    seconds = {k: s for k, (_, _, s) in newest.items() if s is not None}
    return RawResults(records, seconds, runs, measurements)


def _add_measurement(tables: dict[str, dict[str, Any]], item: Any, name: str) -> None:
    """Collect ``extra_info["accelbench_measurement"]``: {table, title, notes, row}."""
    if item is None:
        return
    if not isinstance(item, dict) or not isinstance(item.get("row"), dict) \
            or not isinstance(item.get("table"), str) or not item["table"] \
            or not isinstance(item.get("notes", []), list):
        raise AccelbenchError(f"{name}: malformed accelbench_measurement {item!r}")
    table = tables.setdefault(item["table"], {"title": item.get("title", item["table"]),
                                              "notes": item.get("notes", []), "rows": []})
    table["rows"].append(item["row"])
