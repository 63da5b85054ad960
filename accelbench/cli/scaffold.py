"""``accelbench new-plugin``: a third-party plugin package to start from."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_new_plugin(args: argparse.Namespace) -> int:
    from accelbench.scaffold import new_plugin

    root = new_plugin(args.name, Path(args.dir), force=args.force)
    print(f"wrote plugin package {root}\n"
          f"next: pip install -e '{root}[test]' && accelbench designs && pytest {root}/tests")
    return 0


def register(sub) -> None:
    p = sub.add_parser("new-plugin", help="write a third-party plugin package skeleton",
                       description="Write a complete plugin package (pyproject.toml with the "
                                   "entry point, an example codec design, its tests) into "
                                   "DIR, created if missing.")
    p.add_argument("name", help="plugin name, e.g. mycodec (lower case; must not clash with "
                                "a loaded plugin or design)")
    p.add_argument("--dir", required=True, help="directory to create (must be empty or "
                                                "missing unless --force)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty DIR: overwrite the files the scaffold "
                        "writes, keep every other file")
    p.set_defaults(func=cmd_new_plugin)
