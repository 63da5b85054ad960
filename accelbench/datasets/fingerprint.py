"""Fingerprints for cache keys: package versions and file digests."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from pathlib import Path


def package_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def _file_sha256(path: str, mtime_ns: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file (cached while its size and modification time stay the same)."""
    st = path.stat()
    return _file_sha256(str(path), st.st_mtime_ns, st.st_size)
