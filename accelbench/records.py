"""Result records: one design evaluated on one workload, with provenance.

A record is what the benchmark matrix stores in pytest-benchmark's ``extra_info`` and
what ``accelbench report`` reads back. Provenance says how the numbers were made.
"""

from __future__ import annotations

import contextlib
import functools
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RECORD_SCHEMA = 2


@dataclass
class ResultRecord:
    """``technique`` is what the design implements; ``baseline_for`` the techniques it is
    a baseline of (report sections select records by these two)."""

    design: str
    family: str
    parameters: dict[str, Any]
    workload: dict[str, Any]
    metrics: dict[str, dict[str, Any]]
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    plugin: str = ""
    technique: str = ""
    baseline_for: list[str] = field(default_factory=list)
    schema: int = RECORD_SCHEMA

    @property
    def key(self) -> tuple[str, str]:
        return (self.design, self.workload["id"])

    @property
    def synthetic(self) -> bool:
        return bool(self.workload.get("synthetic"))

    def belongs_to(self, technique: str) -> bool:
        """True for the technique's own records and for its baselines' records."""
        return self.technique == technique or technique in self.baseline_for

    def value(self, metric: str, default: Any = None) -> Any:
        m = self.metrics.get(metric)
        return default if m is None else m["value"]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResultRecord:
        known = {f for f in cls.__dataclass_fields__}
        missing = {"design", "family", "workload", "metrics"} - set(data)
        if missing:
            raise ValueError(f"result record lacks {sorted(missing)}")
        return cls(**{k: v for k, v in data.items() if k in known})


@functools.cache
def git_commit(root: str | None = None) -> str:
    """The commit of the source tree accelbench runs from ("unknown" outside git)."""
    here = Path(root) if root else Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=10)
        commit = out.stdout.strip() if out.returncode == 0 else "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, capture_output=True, text=True, timeout=10)
        if commit != "unknown" and dirty.stdout.strip():
            commit += "+dirty"
        return commit
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


@functools.cache
def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ("accelbench", "pyrtl", "numpy", "pluggy", "pytest-benchmark", "pyosys",
                 "onnxruntime"):
        with contextlib.suppress(PackageNotFoundError):
            out[dist] = version(dist)
    return out


def provenance(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit(), "tools": tool_versions(),
            "machine": f"{platform.machine()} {platform.system()}", **(extra or {})}
