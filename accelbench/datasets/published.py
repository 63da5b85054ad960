"""The dataset manifests the project publishes, to make a different local build visible.

``published.json`` (beside this module) records, per built-in source with its default
options, the sha256 of the manifest the project's published results were computed from,
a digest of its content without package versions (``manifest.content_sha256``), its cache
key and the package versions it was built with. It is written by a command, never by
hand::

    accelbench datasets publish        # build every built-in dataset, rewrite the file

Loading a dataset adds ``published_manifest_sha256`` and ``matches_published`` (and the
content equivalents) to ``FeatureMapSet.provenance``; ``accelbench datasets info NAME
--json`` shows the same fields.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from accelbench.datasets.manifest import content_sha256
from accelbench.errors import AccelbenchError
from accelbench.fileio import atomic_write_text

PUBLISHED_FILE = Path(__file__).with_name("published.json")
RECORD_KEYS = ("manifest_sha256", "content_sha256", "key", "packages", "compute")


@functools.cache
def published_manifests() -> dict[str, dict[str, Any]]:
    """Source name -> published record ({} when the file is missing)."""
    try:
        data = json.loads(PUBLISHED_FILE.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        raise AccelbenchError(f"{PUBLISHED_FILE} is unreadable ({exc}); restore it from "
                              "the repository or run `accelbench datasets publish`") from None
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, dict) or not all(
            isinstance(r, dict) and set(RECORD_KEYS) <= set(r) for r in sources.values()):
        raise AccelbenchError(f"{PUBLISHED_FILE} is malformed; restore it from the "
                              "repository or run `accelbench datasets publish`")
    return sources


def published_record(base_name: str) -> dict[str, Any] | None:
    return published_manifests().get(base_name)


def publish(sources: list[Any], cache_dir: str | Path | None = None) -> dict[str, Any]:
    """Build the default dataset of each source and rewrite ``published.json`` (sources
    that cannot be built here keep their previous record). Returns the new records."""
    records = dict(published_manifests())
    for source in sources:
        if source.unavailable_reason():
            continue
        store, manifest = source.manifest(cache_dir=cache_dir)
        records[source.base_name] = {
            "manifest_sha256": store.manifest_sha256(), "content_sha256":
            content_sha256(manifest), "key": manifest["key"],
            "packages": manifest["packages"], "compute": manifest["source"]["compute"]}
    document = {"comment": "written by `accelbench datasets publish`; do not edit by hand",
                "sources": dict(sorted(records.items()))}
    atomic_write_text(PUBLISHED_FILE, json.dumps(document, indent=1) + "\n")
    published_manifests.cache_clear()
    return records
