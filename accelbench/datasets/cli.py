"""``accelbench datasets list | build NAME | info NAME | publish`` (each with ``--json``)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np

from accelbench.cliutil import emit
from accelbench.datasets.network_source import NetworkSource
from accelbench.errors import AccelbenchError
from accelbench.protocols import CachedDatasetSource, ConfigurableDatasetSource

ONNX_HINT = ("onnx:PATH  any ONNX CNN with one image input, e.g. "
             "`accelbench datasets build onnx:resnet34.onnx --images DIR` (docs/datasets.md)")


def _source(args: argparse.Namespace) -> Any:
    from accelbench.datasets import get_source

    source = get_source(args.name)
    options = {key: getattr(args, key, None)
               for key in ("images", "limit", "preprocess", "size", "kinds", "formats")}
    options = {k: v for k, v in options.items() if v is not None}
    if options:
        if not isinstance(source, ConfigurableDatasetSource):
            raise AccelbenchError(f"dataset {source.name!r} takes no options "
                                  f"({', '.join('--' + k for k in options)})")
        source = source.configured(**options)
    return source


def _cached(source: Any) -> bool | None:
    if not isinstance(source, NetworkSource) or source.unavailable_reason():
        return None
    try:
        return source.store().read_manifest() is not None
    except AccelbenchError:
        return False


def cmd_list(args: argparse.Namespace) -> int:
    from accelbench.registry import get_registry

    reg = get_registry()
    data, rows = [], []
    for source in reg.dataset_sources.values():
        entry = {**source.describe(), "plugin": reg.origin["dataset"][source.name]}
        entry["cached"] = _cached(source)
        data.append(entry)
        status = ("SYNTHETIC" if source.synthetic else
                  "available" if entry.get("available", True) else "not installed")
        rows.append([source.name, status, "yes" if source.in_default_matrix else "no",
                     {True: "yes", False: "no", None: "-"}[entry["cached"]],
                     source.description])
    emit(data, as_json=args.json,
         headers=["dataset", "status", "default matrix", "cached", "description"], rows=rows)
    if not args.json:
        print(f"\n{ONNX_HINT}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    source = _source(args)
    if not isinstance(source, CachedDatasetSource):
        raise AccelbenchError(f"dataset {source.name!r} is generated on the fly; "
                              "there is nothing to build")
    report = source.build(cache_dir=args.cache_dir, force=args.force)
    data = report.to_dict()
    rows = [["dataset", report.name], ["cache", report.directory],
            ["built", "yes" if report.built else "no (valid cache reused)"],
            ["seconds", f"{report.seconds:.2f}"], ["images", report.images],
            ["layers", report.layers]]
    rows += [[f"{fmt} bytes", size] for fmt, size in report.format_bytes.items()]
    emit(data, as_json=args.json, headers=["", ""], rows=rows)
    return 0


def _summary(layers: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"layers": len(layers),
                           "values_per_image": int(sum(la["values"] for la in layers))}
    for kind in sorted({la["kind"] for la in layers}):
        chosen = [la for la in layers if la["kind"] == kind]
        sizes = np.array([la["values"] for la in chosen], dtype=np.float64)
        zf = np.array([la["zero_fraction"] for la in chosen])
        out[kind] = {"layers": len(chosen), "mean_zero_fraction": float(zf.mean()),
                     "weighted_zero_fraction": float((zf * sizes).sum() / sizes.sum())}
    return out


def info_data(source: Any, cache_dir: str | None = None) -> dict[str, Any]:
    """The ``info --json`` object (builds the dataset if it is not cached; every format is
    verified, and the manifest shown is the one the loaded words belong to)."""
    fmt = "fixed8" if "fixed8" in source.formats else source.formats[0]
    if isinstance(source, NetworkSource):
        source.manifest(cache_dir=cache_dir)  # verifies every format, rebuilds if needed
        start = time.perf_counter()
        source.load(fmt, cache_dir=cache_dir)
        load_seconds = time.perf_counter() - start
        store, manifest = source.manifest(cache_dir=cache_dir)
        meta = manifest["formats"][fmt]["layers"]
        layers = [{"name": m["name"], "kind": m["kind"], "shape": m["shape"],
                   "values": int(np.prod(m["shape"])), "zero_fraction": m["zero_fraction"]}
                  for m in meta]
        extra = {"cache": str(store.directory), "formats_verified": list(manifest["formats"]),
                 "format_bytes": {f: e["bytes"] for f, e in manifest["formats"].items()},
                 "predictions_top5": manifest["predictions"], "packages": manifest["packages"],
                 "compute": manifest["source"]["compute"], "network": source.network_name,
                 **source.publication(store, manifest)}
        images = [i["id"] for i in manifest["images"]]
    else:
        start = time.perf_counter()
        fms = source.load(fmt)
        load_seconds = time.perf_counter() - start
        layers = [{"name": la.name, "kind": la.kind, "shape": list(la.shape),
                   "values": la.values_per_image, "zero_fraction": la.zero_fraction()}
                  for la in fms.layers]
        extra, images = {}, fms.images
    return {"name": source.name, "description": source.description,
            "synthetic": source.synthetic, "images": images, "formats": list(source.formats),
            "zero_fraction_format": fmt, "load_seconds": load_seconds,
            "summary": _summary(layers), "layers": layers, **extra}


def cmd_info(args: argparse.Namespace) -> int:
    data = info_data(_source(args), args.cache_dir)
    if args.json:
        emit(data, as_json=True)
        return 0
    rows = [[la["name"], la["kind"], "x".join(map(str, la["shape"])),
             f"{la['zero_fraction']:.3f}"] for la in data["layers"]]
    emit(data, as_json=False,
         headers=["layer", "kind", "shape", f"zero fraction ({data['zero_fraction_format']})"],
         rows=rows)
    label = " (SYNTHETIC)" if data["synthetic"] else ""
    print(f"\n{data['name']}{label}: {data['description']}")
    print(f"images ({len(data['images'])}): {', '.join(data['images'])}")
    for kind, stats in data["summary"].items():
        if isinstance(stats, dict):
            print(f"{kind}: {stats['layers']} layers, mean zero fraction "
                  f"{stats['mean_zero_fraction']:.3f} (size-weighted "
                  f"{stats['weighted_zero_fraction']:.3f})")
    if "format_bytes" in data:
        print("cache:", data["cache"])
        print("bytes:", ", ".join(f"{f} {b:,}" for f, b in data["format_bytes"].items()))
        print(f"manifest sha256: {data['manifest_sha256']}")
        if data["matches_published"] is not None:
            print("published manifest:", data["published_manifest_sha256"],
                  "(matches)" if data["matches_published"] else
                  "(DIFFERS: this build is not the published dataset"
                  + ("; same words, other package versions)" if
                     data["content_matches_published"] else ")"))
    print(f"load time ({data['zero_fraction_format']}): {data['load_seconds']:.2f} s")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from accelbench.datasets.published import PUBLISHED_FILE, publish
    from accelbench.registry import get_registry

    sources = [s for s in get_registry().dataset_sources.values()
               if isinstance(s, NetworkSource) and s.is_default()]
    records = publish(sources, cache_dir=args.cache_dir)
    emit({"file": str(PUBLISHED_FILE), "sources": records}, as_json=args.json,
         headers=["dataset", "manifest sha256", "content sha256"],
         rows=[[name, r["manifest_sha256"], r["content_sha256"]] for name, r in records.items()])
    if not args.json:
        print(f"\nwrote {PUBLISHED_FILE}")
    return 0


def _add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="dataset name (see `accelbench datasets list`) or onnx:PATH")
    p.add_argument("--images", metavar="DIR",
                   help="a folder of images to use instead of the bundled photographs")
    p.add_argument("--limit", type=int, help="use at most N images (sorted by file name)")
    p.add_argument("--preprocess", help="preprocessing preset: efficientnet, imagenet, caffe, "
                                        "inception, open-nsfw (onnx: default imagenet)")
    p.add_argument("--size", type=int, help="input size for models without a fixed one")
    p.add_argument("--kinds", help="comma-separated layer kinds to keep "
                                   "(relu,linear,residual,activation)")
    p.add_argument("--formats", help="comma-separated number formats (default: all)")
    p.add_argument("--cache-dir", help="dataset cache directory (default: "
                                       "$ACCELBENCH_CACHE/datasets or ~/.cache/accelbench/"
                                       "datasets)")
    p.add_argument("--json", action="store_true", help="print JSON")


def register(subparsers: Any) -> None:
    """Add ``datasets`` with its sub-commands to the accelbench CLI."""
    top = subparsers.add_parser("datasets", help="activation datasets: list, build, info, "
                                                 "publish",
                                description=__doc__)
    sub = top.add_subparsers(dest="datasets_command", required=True)
    p = sub.add_parser("list", help="registered dataset sources")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("build", help="build and cache a dataset in every number format")
    _add_source_options(p)
    p.add_argument("--force", action="store_true", help="rebuild even if a valid cache exists")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("info", help="layers, zero fractions and load time of a dataset "
                                    "(builds it first if needed)")
    _add_source_options(p)
    p.set_defaults(func=cmd_info)
    p = sub.add_parser("publish", help="build every built-in dataset and record its manifest "
                                       "sha256 as the published one (maintainers)",
                       description="Rewrites accelbench/datasets/published.json, against which "
                                   "`datasets info` and result records compare local builds.")
    p.add_argument("--cache-dir", help="dataset cache directory")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_publish)


def main(argv: list[str] | None = None) -> int:
    """Run the dataset commands alone (the lead's ``accelbench`` CLI registers them too)."""
    parser = argparse.ArgumentParser(prog="accelbench")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except AccelbenchError as exc:
        print(f"accelbench: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
