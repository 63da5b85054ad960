"""The on-disk dataset cache: one directory per (source, key) with a JSON manifest and one
uncompressed ``.npz`` per number format (read with ``allow_pickle=False``).

* Deterministic: zip members carry a fixed timestamp and the manifest holds no times, so
  building the same dataset twice gives the same bytes.
* Verified: the manifest is checked field by field (``manifest.check``) and records the
  sha256 of every layer's stored words; reading checks them, so a corrupt or partial
  entry is rebuilt with a notice, never half used.
* Safe under concurrency: builders hold an exclusive ``flock`` on a lock file beside the
  entry, which names the holder (pid and host) for anyone waiting; every file is written
  to a temporary name and moved into place, the manifest last. A builder that died
  (SIGKILL, power loss) leaves temporary files; the next builder, holding the lock,
  removes them.
* Bounded: layers are read one at a time, and reading estimates its memory first.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import socket
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.datasets import manifest as manifest_mod
from accelbench.datasets.formats import quantize, value_range
from accelbench.datasets.manifest import SCHEMA, CorruptCacheError, format_file
from accelbench.datasets.types import FORMATS, FeatureMapSet, LayerMaps
from accelbench.errors import AccelbenchError
from accelbench.fileio import atomic_write_text

__all__ = ["SCHEMA", "CacheWriteError", "CorruptCacheError", "DatasetStore", "datasets_root"]

MANIFEST = "manifest.json"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: quantize and write at most this many values at a time (bounds memory on big layers)
CHUNK_VALUES = 1 << 24
#: name prefixes of files a builder writes before moving them into place
TEMPORARY_PREFIXES = (".tmp-", ".scratch-")


class CacheWriteError(AccelbenchError):
    """The dataset cache directory cannot be written."""


def _unwritable(path: Path, exc: OSError) -> CacheWriteError:
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, FileExistsError) or exc.errno in (errno.ENOTDIR, errno.EEXIST):
        reason = "a file is in the way of a directory"
    return CacheWriteError(f"cannot write the dataset cache at {path}: {reason}; set "
                           "ACCELBENCH_CACHE (or --cache-dir) to a writable directory")


def datasets_root(cache_dir: str | Path | None = None) -> Path:
    """``cache_dir`` if given, else ``<accelbench cache>/datasets`` (created if missing)."""
    if cache_dir is None:
        from accelbench.cache import cache_root

        root = cache_root() / "datasets"
    else:
        root = Path(cache_dir).expanduser()
    if root.is_dir():
        return root
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(root, exc) from None
    return root


def words_sha256(words: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(words).data).hexdigest()


def available_memory() -> int:
    """Bytes of memory available to this process (MemAvailable, else physical memory)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 40  # unknown: do not refuse


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

    # -- locking -------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive inter-process lock for building this entry (blocks until free; says
        who holds it), then removes temporary files that dead builders left behind."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no inter-process lock, atomic writes still hold
            yield
            return
        try:
            handle = open(self.lock_path, "a+")  # noqa: SIM115 - held across the yield
        except OSError as exc:
            raise _unwritable(self.lock_path, exc) from None
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                print(f"waiting for {holder}, which is building {self.directory.name}",
                      file=sys.stderr, flush=True)
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                handle.seek(0)
                handle.truncate()
                handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
                handle.flush()
                self.remove_stale_temporaries()
                yield
            finally:
                with contextlib.suppress(OSError):
                    handle.seek(0)
                    handle.truncate()
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def remove_stale_temporaries(self) -> list[str]:
        """Delete the temporary files and scratch folders in the entry (call with the lock
        held: every builder of this entry holds it, so they belong to dead builders)."""
        if not self.directory.is_dir():
            return []
        removed = []
        for path in self.directory.iterdir():
            if path.name.startswith(TEMPORARY_PREFIXES):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    # -- reading -------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None when the entry does not exist (raises if it is corrupt)."""
        try:
            text = self.manifest_path.read_text()
        except FileNotFoundError:
            return None
        except NotADirectoryError as exc:  # a file where the entry's directory should be
            raise _unwritable(self.directory, exc) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CorruptCacheError(f"cannot read {self.manifest_path}: "
                                    f"{getattr(exc, 'strerror', None) or exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorruptCacheError(f"{self.manifest_path} is not valid JSON ({exc})") from None
        try:
            return manifest_mod.check(data, self.key)
        except CorruptCacheError as exc:
            raise CorruptCacheError(f"{self.manifest_path}: {exc}") from None

    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_path.read_bytes()).hexdigest()

    def _layers(self, manifest: dict[str, Any], fmt: str) -> Iterator[LayerMaps]:
        """Each layer of format ``fmt``, read and verified one at a time."""
        entry = manifest["formats"].get(fmt)
        if entry is None:
            raise CorruptCacheError(f"format {fmt} is not in {self.manifest_path}")
        path = self.directory / format_file(fmt)
        n_images = len(manifest["images"])
        dtype = FORMATS[fmt].dtype
        try:
            with np.load(path, allow_pickle=False) as npz:
                expected = sorted(layer_key(i) for i in range(len(entry["layers"])))
                if sorted(npz.files) != expected:
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
                    yield LayerMaps(name=meta["name"], kind=meta["kind"],
                                    shape=tuple(meta["shape"]), words=words,
                                    scale=float(meta["scale"]),
                                    zero_point=int(meta["zero_point"]))
        except CorruptCacheError:
            raise
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise CorruptCacheError(f"cannot read {path}: {type(exc).__name__}: {exc}") from None

    def load_format(self, manifest: dict[str, Any], fmt: str,
                    provenance: dict[str, Any] | None = None) -> FeatureMapSet:
        """Read and verify one number format (refusing what would not fit in memory)."""
        need = len(manifest["images"]) * sum(int(np.prod(la["shape"]))
                                             for la in manifest["layers"]) * \
            FORMATS[fmt].dtype.itemsize
        if need > available_memory():
            from accelbench.datasets.source_options import SourceOptionError

            raise SourceOptionError(
                f"dataset {manifest['name']!r} in {fmt} needs {need / 2**30:.1f} GiB of "
                f"memory, more than is available ({available_memory() / 2**30:.1f} GiB): "
                "use fewer images (option limit) or fewer layers (option kinds)")
        layers = list(self._layers(manifest, fmt))
        entry = manifest["formats"][fmt]
        return FeatureMapSet(
            dataset=manifest["name"], format=fmt, images=[i["id"] for i in manifest["images"]],
            layers=layers, synthetic=bool(manifest["synthetic"]),
            provenance={"manifest_sha256": self.manifest_sha256(), "key": self.key,
                        "source": manifest["source"], "packages": manifest["packages"],
                        "format": entry["format"], **(provenance or {})})

    def verify(self, manifest: dict[str, Any]) -> None:
        """Check every format's words against the manifest, one layer in memory at a time
        (raises CorruptCacheError)."""
        for fmt in manifest["formats"]:
            for _layer in self._layers(manifest, fmt):
                pass

    # -- writing -------------------------------------------------------------------------
    def begin_rebuild(self) -> None:
        """Invalidate the entry before replacing its files (call with the lock held)."""
        try:
            self.manifest_path.unlink(missing_ok=True)
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unwritable(self.directory, exc) from None

    def write_format(self, fmt: str, layers: list[tuple[str, str, tuple[int, ...]]],
                     maps: Sequence[np.ndarray]) -> dict[str, Any]:
        """Quantize each layer's (images, values) float maps and write ``<fmt>.npz``;
        return the format's manifest entry. Large layers go in row chunks (same words)."""
        final = self.directory / format_file(fmt)
        tmp = self.directory / f".tmp-{os.getpid()}-{final.name}"
        metas = []
        try:
            writer = NpzWriter(tmp)
        except OSError as exc:
            raise _unwritable(tmp, exc) from None
        try:
            for index, ((name, kind, shape), batch) in enumerate(zip(layers, maps,
                                                                    strict=True)):
                n, values = batch.shape
                rows = max(1, CHUNK_VALUES // max(values, 1))
                starts = range(0, n, rows)
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
        except BaseException as exc:
            writer.close()
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise _unwritable(tmp, exc) from None
            raise
        number = FORMATS[fmt]
        return {"file": final.name, "bytes": final.stat().st_size,
                "format": {"name": fmt, "word_bits": number.word_bits,
                           "dtype": str(number.dtype), "description": number.description},
                "layers": metas}

    def commit(self, manifest: dict[str, Any]) -> None:
        try:
            atomic_write_text(self.manifest_path, json.dumps(manifest, indent=1) + "\n")
        except OSError as exc:
            raise _unwritable(self.manifest_path, exc) from None

    def scratch_dir(self) -> Path:
        path = self.directory / f".scratch-{os.getpid()}"
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unwritable(path, exc) from None
        return path

    def remove_scratch(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)
