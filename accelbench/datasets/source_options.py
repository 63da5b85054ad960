"""The options of a real dataset source (``NAME?images=DIR&limit=50``): parsing, checking
and the canonical name they give.

A source name may carry options after ``?``; :func:`parse_name` splits them off,
:func:`normalise` checks and converts them (canonical order, absolute image folders, tuples
for lists) and :func:`canonical_name` writes them back, so a configured source's name can
be passed around (e.g. in workload ids) and parsed again to the same source.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from accelbench.datasets.images import MAX_IMAGES, preset
from accelbench.datasets.types import FORMATS, LAYER_KINDS
from accelbench.errors import AccelbenchError

#: every option, in canonical order
OPTIONS = ("images", "limit", "preprocess", "size", "kinds", "formats")
#: the largest input size accepted (a 4096 x 4096 EfficientNet-Lite0 input already makes
#: 2.2 G values of feature maps per image); memory is also estimated before building
MAX_SIZE = 4096
MIN_SIZE = 8


class SourceOptionError(AccelbenchError):
    """A dataset source name carries an unknown or invalid option."""


def parse_name(name: str) -> tuple[str, dict[str, str]]:
    """``"base?key=value&..."`` -> (base, options)."""
    base, _, query = name.partition("?")
    try:
        options = dict(urllib.parse.parse_qsl(query, keep_blank_values=True,
                                              strict_parsing=bool(query)))
    except ValueError:
        raise SourceOptionError(f"cannot parse the options in dataset name {name!r}; "
                                "expected NAME?key=value&key=value") from None
    return base, options


def split_list(value: str) -> tuple[str, ...]:
    return tuple(v for v in (s.strip() for s in value.split(",")) if v)


def _integer(key: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SourceOptionError(f"option {key} must be an integer, got {value!r}") from None
    if not low <= number <= high:
        raise SourceOptionError(f"option {key} must be between {low} and {high}, "
                                f"got {number}")
    return number


def normalise(options: dict[str, Any], allowed: Sequence[str], base_name: str
              ) -> dict[str, Any]:
    """Checked options in canonical order (None and empty values dropped)."""
    unknown = set(options) - set(allowed)
    if unknown:
        raise SourceOptionError(f"dataset {base_name!r} has no option "
                                f"{', '.join(sorted(unknown))}; options: {', '.join(allowed)}")
    out: dict[str, Any] = {}
    for key in OPTIONS:
        if key not in allowed or options.get(key) in (None, "", ()):
            continue
        value = options[key]
        if key == "images":
            value = str(value)
            if value not in ("bundled", "bundled-all"):
                value = str(Path(value).expanduser().resolve())
        elif key == "limit":
            value = _integer(key, value, 1, MAX_IMAGES)
        elif key == "size":
            value = _integer(key, value, MIN_SIZE, MAX_SIZE)
        elif key == "preprocess":
            preset(str(value))  # validates
            value = str(value)
        else:  # kinds, formats
            value = split_list(value) if isinstance(value, str) else tuple(value)
            known = LAYER_KINDS if key == "kinds" else tuple(FORMATS)
            bad = [v for v in value if v not in known]
            if bad or not value:
                raise SourceOptionError(f"option {key}: unknown {', '.join(bad) or '(empty)'};"
                                        f" known: {', '.join(known)}")
        out[key] = value
    return out


def canonical_name(base_name: str, options: dict[str, Any]) -> str:
    query = urllib.parse.urlencode(
        [(k, ",".join(v) if isinstance(v, tuple) else str(v)) for k, v in options.items()],
        safe="/:,~")
    return base_name + (f"?{query}" if query else "")


def as_json(options: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}
