"""The on-disk dataset cache: one directory per (source, key) with a JSON manifest and one
uncompressed ``.npz`` per number format (read with ``allow_pickle=False``).

* Deterministic: zip members carry a fixed timestamp and the manifest holds no times, so
  building the same dataset twice gives the same bytes.
* Verified: the manifest records the sha256 of every layer's stored words; loading checks
  them, and a corrupt or partial entry is rebuilt with a warning.
* Safe under concurrency: builders hold an exclusive ``flock`` on a lock file beside the
  entry, so a second process waits and then reuses the first one's result; every file is
  written to a temporary name and moved into place, the manifest last.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.datasets.formats import quantize, value_range
from accelbench.datasets.types import FORMATS, FeatureMapSet, LayerMaps
from accelbench.errors import AccelbenchError
from accelbench.fileio import atomic_write_text

log = logging.getLogger("accelbench.datasets")

SCHEMA = 1
MANIFEST = "manifest.json"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: quantize and write at most this many values at a time (bounds memory on big layers)
CHUNK_VALUES = 1 << 24


class CorruptCacheError(AccelbenchError):
    """A cached dataset does not match its manifest (it is rebuilt)."""


def datasets_root(cache_dir: str | Path | None = None) -> Path:
    """``cache_dir`` if given, else ``<accelbench cache>/datasets``."""
    if cache_dir is None:
        from accelbench.cache import cache_dir as default_cache_dir

        return default_cache_dir("datasets")
    root = Path(cache_dir).expanduser()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AccelbenchError(f"cannot create cache directory {root}: {exc.strerror}") from None
    return root


def words_sha256(words: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(words).data).hexdigest()


def format_file(fmt: str) -> str:
    return f"{fmt}.npz"


class NpzWriter:
    """Writes arrays one at a time into an uncompressed, byte-reproducible ``.npz``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True)

    @contextlib.contextmanager
    def member(self, key: str, dtype: np.dtype, shape: tuple[int, ...]) -> Iterator[Any]:
        """A ``<key>.npy`` member whose C-order data the caller writes (in chunks)."""
        info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        with self._zip.open(info, "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(f, {
                "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                "fortran_order": False, "shape": tuple(shape)})
            yield f

    def close(self) -> None:
        self._zip.close()


def layer_key(index: int) -> str:
    return f"layer{index:03d}"


class DatasetStore:
    """The cache entry of one dataset: ``<root>/<slug>-<key16>/``."""

    def __init__(self, root: Path, slug: str, key: str) -> None:
        self.root = root
        self.key = key
        self.directory = root / f"{slug}-{key[:16]}"
        self.lock_path = root / f"{slug}-{key[:16]}.lock"
        self.manifest_path = self.directory / MANIFEST

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive inter-process lock for building this entry (blocks until free)."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no inter-process lock, atomic writes still hold
            yield
            return
        with open(self.lock_path, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    # -- reading -------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None when the entry does not exist (raises if it is corrupt)."""
        try:
            text = self.manifest_path.read_text()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CorruptCacheError(f"cannot read {self.manifest_path}: {exc.strerror}") from None
        try:
            manifest = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorruptCacheError(f"{self.manifest_path} is not valid JSON ({exc})") from None
        if (not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA
                or manifest.get("key") != self.key):
            raise CorruptCacheError(f"{self.manifest_path} belongs to another dataset version")
        return manifest

    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_path.read_bytes()).hexdigest()

    def load_format(self, manifest: dict[str, Any], fmt: str) -> FeatureMapSet:
        """Read and verify one number format."""
        entry = manifest["formats"].get(fmt)
        if entry is None:
            raise CorruptCacheError(f"format {fmt} is not in {self.manifest_path}")
        path = self.directory / entry["file"]
        n_images = len(manifest["images"])
        dtype = FORMATS[fmt].dtype
        layers = []
        try:
            with np.load(path, allow_pickle=False) as npz:
                if sorted(npz.files) != sorted(layer_key(i) for i in range(len(entry["layers"]))):
                    raise CorruptCacheError(f"{path} does not hold the manifest's layers")
                for index, meta in enumerate(entry["layers"]):
                    words = npz[layer_key(index)]
                    values = int(np.prod(meta["shape"]))
                    if words.dtype != dtype or words.shape != (n_images, values):
                        raise CorruptCacheError(f"{path}: layer {meta['name']} has shape "
                                                f"{words.shape} {words.dtype}")
                    if words_sha256(words) != meta["sha256"]:
                        raise CorruptCacheError(f"{path}: layer {meta['name']} fails its "
                                                "sha256 check")
                    layers.append(LayerMaps(name=meta["name"], kind=meta["kind"],
                                            shape=tuple(meta["shape"]), words=words,
                                            scale=meta["scale"], zero_point=meta["zero_point"]))
        except CorruptCacheError:
            raise
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise CorruptCacheError(f"cannot read {path}: {type(exc).__name__}: {exc}") from None
        return FeatureMapSet(
            dataset=manifest["name"], format=fmt, images=[i["id"] for i in manifest["images"]],
            layers=layers, synthetic=bool(manifest.get("synthetic", False)),
            provenance={"manifest_sha256": self.manifest_sha256(), "key": self.key,
                        "source": manifest["source"],
                        "packages": manifest["packages"], "format": entry["format"]})

    def verify(self, manifest: dict[str, Any]) -> None:
        """Check every format's words against the manifest (raises CorruptCacheError)."""
        for fmt in manifest["formats"]:
            self.load_format(manifest, fmt)

    # -- writing -------------------------------------------------------------------------
    def begin_rebuild(self) -> None:
        """Invalidate the entry before replacing its files (call with the lock held)."""
        self.manifest_path.unlink(missing_ok=True)
        self.directory.mkdir(parents=True, exist_ok=True)

    def write_format(self, fmt: str, layers: list[tuple[str, str, tuple[int, ...]]],
                     maps: Sequence[np.ndarray]) -> dict[str, Any]:
        """Quantize each layer's (images, values) float maps and write ``<fmt>.npz``;
        return the format's manifest entry. Large layers go in row chunks (same words)."""
        final = self.directory / format_file(fmt)
        tmp = self.directory / f".tmp-{os.getpid()}-{final.name}"
        metas = []
        writer = NpzWriter(tmp)
        try:
            for index, ((name, kind, shape), batch) in enumerate(zip(layers, maps,
                                                                    strict=True)):
                n, values = batch.shape
                rows = max(1, CHUNK_VALUES // max(values, 1))
                starts = range(0, n, rows)
                whole = None
                if n > rows:  # the format's parameters come from the whole batch
                    ranges = [value_range(batch[i:i + rows]) for i in starts]
                    whole = (min(r[0] for r in ranges), max(r[1] for r in ranges))
                digest, zeros = hashlib.sha256(), 0
                scale, zero_point = 1.0, 0
                with writer.member(layer_key(index), FORMATS[fmt].dtype, (n, values)) as f:
                    for i in starts:
                        words, scale, zero_point = quantize(batch[i:i + rows], fmt, whole)
                        words = np.ascontiguousarray(words)
                        f.write(words.data)
                        digest.update(words.data)
                        zeros += int(np.count_nonzero(words == zero_point))
                metas.append({"name": name, "kind": kind, "shape": list(shape), "format": fmt,
                              "scale": float(scale), "zero_point": int(zero_point),
                              "zero_fraction": zeros / batch.size,
                              "sha256": digest.hexdigest()})
            writer.close()
            os.replace(tmp, final)
        except BaseException:
            writer.close()
            tmp.unlink(missing_ok=True)
            raise
        number = FORMATS[fmt]
        return {"file": final.name, "bytes": final.stat().st_size,
                "format": {"name": fmt, "word_bits": number.word_bits,
                           "dtype": str(number.dtype), "description": number.description},
                "layers": metas}

    def commit(self, manifest: dict[str, Any]) -> None:
        atomic_write_text(self.manifest_path, json.dumps(manifest, indent=1) + "\n")

    def scratch_dir(self) -> Path:
        path = self.directory / f".scratch-{os.getpid()}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def remove_scratch(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)
