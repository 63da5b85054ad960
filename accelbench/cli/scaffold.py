"""``accelbench new-plugin``: a third-party plugin package to start from."""

from __future__ import annotations

import argparse
from pathlib import Path

from accelbench.scaffold import TEMPLATES, new_plugin


def cmd_new_plugin(args: argparse.Namespace) -> int:
    root = new_plugin(args.name, Path(args.dir), family=args.family, force=args.force)
    print(f"wrote {args.family} plugin package {root}\n"
          f"next: pip install -e '{root}[test]' && accelbench designs && pytest {root}/tests")
    return 0


def register(sub) -> None:
    p = sub.add_parser("new-plugin", help="write a third-party plugin package skeleton",
                       description="Write a complete plugin package (pyproject.toml with the "
                                   "entry point and a [test] extra, an example design of "
                                   "the chosen family, its tests, a README) into DIR, "
                                   "created if missing.")
    p.add_argument("name", help="plugin name, e.g. mycodec (lower case; must not clash with "
                                "a loaded plugin or design)")
    p.add_argument("--dir", required=True, help="directory to create (must be empty or "
                                                "missing unless --force)")
    p.add_argument("--family", choices=tuple(TEMPLATES), default="codec",
                   help="the example design: a codec (compressor/decompressor pair, the "
                        "default), an engine (a MAC column with its cycle model) or a "
                        "memory planner (an on-chip placement policy)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty DIR: overwrite the files the scaffold "
                        "writes, keep every other file")
    p.set_defaults(func=cmd_new_plugin)
