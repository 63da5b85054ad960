"""Print the DCT netlists' throughput on whole maps, quoted in docs/dct.md.

``python -m accelbench.designs.dct.figures throughput [--designs GLOB]``

Values per cycle of both netlists on random maps and on whole real layers (one per
spatial size of each real dataset, image 0), and the latency of one block, every run
checked bit-exactly against the golden model. Everything else docs/dct.md quotes (ratios,
reconstruction error, accuracy, area, the memory split) comes from the benchmark matrix
and its report: ``accelbench run --designs 'dct*' --results DIR``.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
from collections.abc import Iterator

import numpy as np

from accelbench.datasets.types import LayerMaps
from accelbench.designs.dct.design import DctCodec
from accelbench.workloads import FeatureMapWorkload

DATASETS = ("efficientnet-lite0", "resnet50-1by2")


def dct_designs(pattern: str = "dct*") -> list[DctCodec]:
    from accelbench.registry import get_registry

    return [d for name, d in get_registry().designs.items()
            if fnmatch.fnmatchcase(name, pattern) and isinstance(d, DctCodec)]


def layers_per_size(dataset: str, fmt: str) -> Iterator[LayerMaps]:
    """The smallest real layer of each spatial size of ``dataset`` in ``fmt``."""
    maps = FeatureMapWorkload(id=f"{dataset}/{fmt}", kind="feature-maps", synthetic=False,
                              dataset=dataset, format=fmt).load().maps
    seen: set[tuple[int, ...]] = set()
    for layer in sorted(maps.layers, key=lambda x: x.values_per_image):
        if tuple(layer.shape[1:]) not in seen:
            seen.add(tuple(layer.shape[1:]))
            yield layer


def throughput(design: DctCodec) -> None:
    compress, decompress = design.block_latency()
    print(f"{design.name}: one block alone: compressor {compress} cycles, decompressor "
          f"{decompress} cycles")
    rng = np.random.default_rng(0)
    for shape in ((16, 32, 32), (64, 14, 14)):
        values = rng.integers(0, 256, int(np.prod(shape)))
        co = design.cosimulate(values, shape)
        print(f"  random {shape}: compressor {values.size / co.compress_cycles:.4f}, "
              f"decompressor {values.size / co.decompress_cycles:.4f} values/cycle")
    for dataset in DATASETS:
        total = c_cycles = d_cycles = 0
        for layer in layers_per_size(dataset, design.fmt):
            co = design.cosimulate(layer.words[0], tuple(layer.shape))
            n = layer.values_per_image
            total, c_cycles, d_cycles = (total + n, c_cycles + co.compress_cycles,
                                         d_cycles + co.decompress_cycles)
            print(f"  {dataset} {layer.name} {tuple(layer.shape)}: compressor "
                  f"{n / co.compress_cycles:.4f}, decompressor {n / co.decompress_cycles:.4f} "
                  f"values/cycle", flush=True)
        print(f"  {dataset}, these layers together: compressor {total / c_cycles:.4f}, "
              f"decompressor {total / d_cycles:.4f} values/cycle")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accelbench.designs.dct.figures")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("throughput", help="values per cycle on whole maps, block latency")
    p.add_argument("--designs", default="dct*", help="glob of DCT design names")
    args = parser.parse_args(argv)
    designs = dct_designs(args.designs)
    if not designs:
        parser.error(f"no DCT design matches {args.designs!r}")
    for design in designs:
        throughput(design)
    return 0


if __name__ == "__main__":
    sys.exit(main())
