"""The manifest of a cached dataset: its full check, and the digests that identify it.

:func:`check` validates every field a reader uses (types, ranges, file names, and that
every format lists the same layers as the manifest) and the manifest's own digest
(``integrity``, over every other field), so a damaged but valid-JSON manifest, even one
with a plausible edited value, is reported as corrupt and rebuilt instead of being used.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

from accelbench.datasets.types import FORMATS, LAYER_KINDS
from accelbench.errors import AccelbenchError

SCHEMA = 2
_HEX64 = re.compile(r"[0-9a-f]{64}")


class CorruptCacheError(AccelbenchError):
    """A cached dataset does not match its manifest (it is rebuilt)."""


def format_file(fmt: str) -> str:
    return f"{fmt}.npz"


def _fail(where: str, problem: str) -> None:
    raise CorruptCacheError(f"manifest field {where}: {problem}")


def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        _fail(where, f"expected {'/'.join(k.__name__ for k in kinds)}, "
                     f"got {type(value).__name__}")
    return value


def _keys(entry: Any, required: set[str], where: str) -> dict[str, Any]:
    _expect(entry, dict, where)
    missing = required - set(entry)
    if missing:
        _fail(where, f"missing {', '.join(sorted(missing))}")
    return entry


def _shape(value: Any, where: str) -> list[int]:
    _expect(value, list, where)
    if not value or any(isinstance(d, bool) or not isinstance(d, int) or d < 1
                        for d in value):
        _fail(where, f"not a list of positive integers: {value!r}")
    return value


def _sha(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        _fail(where, "not a sha256 hex digest")
    return value


LAYER_KEYS = {"name", "tensor", "kind", "shape"}
FORMAT_LAYER_KEYS = {"name", "kind", "shape", "format", "scale", "zero_point",
                     "zero_fraction", "sha256"}
TOP_KEYS = {"schema", "key", "name", "base_name", "synthetic", "source", "packages",
            "images", "predictions", "layers", "formats", "integrity"}


def body_sha256(manifest: dict[str, Any]) -> str:
    """The digest stored in ``integrity``: every other field, canonical JSON."""
    body = {k: v for k, v in manifest.items() if k != "integrity"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def check(manifest: Any, key: str) -> dict[str, Any]:
    """``manifest`` if it is a complete, well-formed manifest of the entry ``key``, else
    CorruptCacheError naming the first problem."""
    _keys(manifest, TOP_KEYS, "(top level)")
    if manifest["schema"] != SCHEMA or manifest["key"] != key:
        raise CorruptCacheError("the manifest belongs to another dataset version")
    if manifest["integrity"] != body_sha256(manifest):
        raise CorruptCacheError("the manifest was changed after it was written (its "
                                "integrity digest does not match)")
    _expect(manifest["name"], str, "name")
    _expect(manifest["synthetic"], bool, "synthetic")
    _keys(manifest["source"], {"model", "options", "preprocessing", "compute"}, "source")
    _expect(manifest["packages"], dict, "packages")
    images = _expect(manifest["images"], list, "images")
    if not images:
        _fail("images", "empty")
    ids = []
    for i, image in enumerate(images):
        _keys(image, {"id", "sha256"}, f"images[{i}]")
        ids.append(_expect(image["id"], str, f"images[{i}].id"))
        _sha(image["sha256"], f"images[{i}].sha256")
    if len(set(ids)) != len(ids):
        _fail("images", "duplicate ids")
    predictions = _expect(manifest["predictions"], dict, "predictions")
    if set(predictions) != set(ids):
        _fail("predictions", "not one entry per image")
    for image_id, top in predictions.items():
        _expect(top, list, f"predictions[{image_id}]")
        if not top or any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in top):
            _fail(f"predictions[{image_id}]", "not a list of class indices")
    layers = _expect(manifest["layers"], list, "layers")
    if not layers:
        _fail("layers", "empty")
    for i, layer in enumerate(layers):
        _keys(layer, LAYER_KEYS, f"layers[{i}]")
        _expect(layer["name"], str, f"layers[{i}].name")
        if layer["kind"] not in LAYER_KINDS:
            _fail(f"layers[{i}].kind", f"unknown kind {layer['kind']!r}")
        _shape(layer["shape"], f"layers[{i}].shape")
    formats = _expect(manifest["formats"], dict, "formats")
    if not formats:
        _fail("formats", "empty")
    for fmt, entry in formats.items():
        _check_format(fmt, entry, layers)
    return manifest


def _check_format(fmt: str, entry: Any, layers: list[dict[str, Any]]) -> None:
    where = f"formats.{fmt}"
    if fmt not in FORMATS:
        _fail(where, "unknown number format")
    _keys(entry, {"file", "bytes", "format", "layers"}, where)
    if entry["file"] != format_file(fmt):  # never a path chosen by the file's content
        _fail(f"{where}.file", f"expected {format_file(fmt)!r}")
    _expect(entry["bytes"], int, f"{where}.bytes")
    metas = _expect(entry["layers"], list, f"{where}.layers")
    if len(metas) != len(layers):
        _fail(f"{where}.layers", f"{len(metas)} layers, the manifest lists {len(layers)}")
    for i, (meta, layer) in enumerate(zip(metas, layers, strict=True)):
        at = f"{where}.layers[{i}]"
        _keys(meta, FORMAT_LAYER_KEYS, at)
        if (meta["name"], meta["kind"], meta["shape"]) != (layer["name"], layer["kind"],
                                                           layer["shape"]):
            _fail(at, "does not match the manifest's layer list")
        if meta["format"] != fmt:
            _fail(f"{at}.format", f"expected {fmt!r}")
        scale = _expect(meta["scale"], (int, float), f"{at}.scale")
        if not (math.isfinite(scale) and scale > 0):
            _fail(f"{at}.scale", "not a positive finite number")
        zero_point = _expect(meta["zero_point"], int, f"{at}.zero_point")
        lo, hi = _word_range(fmt)
        if not lo <= zero_point <= hi:
            _fail(f"{at}.zero_point", f"outside the {fmt} word range")
        fraction = _expect(meta["zero_fraction"], (int, float), f"{at}.zero_fraction")
        if not 0.0 <= fraction <= 1.0:
            _fail(f"{at}.zero_fraction", "outside [0, 1]")
        _sha(meta["sha256"], f"{at}.sha256")


def _word_range(fmt: str) -> tuple[int, int]:
    bits = FORMATS[fmt].word_bits
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if FORMATS[fmt].signed else \
        (0, (1 << bits) - 1)


def content_sha256(manifest: dict[str, Any]) -> str:
    """A digest of what the dataset holds (images, predictions, layers and every format's
    words, scales and zero points), without package versions: equal content digests mean
    equal data even where the manifests' recorded versions differ."""
    content = {"images": manifest["images"], "predictions": manifest["predictions"],
               "layers": manifest["layers"], "compute": manifest["source"]["compute"],
               "formats": {fmt: [[m["sha256"], m["scale"], m["zero_point"]]
                                 for m in entry["layers"]]
                           for fmt, entry in sorted(manifest["formats"].items())}}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
