"""Words per cycle of the EBPC netlists on whole real layers (a script, not a test).

Every layer of one image of each real dataset streams through the compressor and the
decompressor netlists (checked bit-exact against the golden model); the figure is
words / cycles summed over the layers, i.e. what a layer-by-layer accelerator would see.
Synthetic references: uniform random words with 0 %, 50 % and 100 % zeros.

    python benchmarks/ebpc_throughput.py [--image 0] [--shapes 8/8,16/16] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from accelbench.designs.ebpc.design import EbpcCodec
from accelbench.registry import get_registry

FORMAT_OF = {8: "fixed8", 16: "fixed16"}


def layer_throughput(codec: EbpcCodec, layers: list[np.ndarray]) -> dict[str, float]:
    words = c_cycles = d_cycles = 0
    for values in layers:
        co = codec.cosimulate(values.astype(np.int64))
        words += len(values)
        c_cycles += co.compress_cycles
        d_cycles += co.decompress_cycles
    return {"words": words, "compressor_words_per_cycle": round(words / c_cycles, 4),
            "decompressor_words_per_cycle": round(words / d_cycles, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=int, default=0)
    parser.add_argument("--shapes", default="8/8,16/8,16/16")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    rng = np.random.default_rng(0)
    for shape in args.shapes.split(","):
        w, b = (int(x) for x in shape.split("/"))
        codec = EbpcCodec(w, b)
        for zero_fraction in (0.0, 0.5, 1.0):
            values = rng.integers(-(1 << (w - 1)), 1 << (w - 1), 100_000)
            values[rng.random(len(values)) < zero_fraction] = 0
            rows.append({"codec": codec.name, "data": f"uniform, {zero_fraction:.0%} zeros",
                         **layer_throughput(codec, [values])})
        for source in get_registry().dataset_sources.values():
            if source.synthetic or not source.describe().get("available", True):
                continue
            started = time.perf_counter()
            fm = source.load(FORMAT_OF[w])
            layers = [layer.words[args.image] for layer in fm.layers]
            zeros = float(np.mean(np.concatenate(layers) == 0))
            rows.append({"codec": codec.name,
                         "data": f"{source.name}/{FORMAT_OF[w]} image {args.image}, all "
                                 f"{len(layers)} layers, {zeros:.1%} zeros",
                         **layer_throughput(codec, layers),
                         "seconds": round(time.perf_counter() - started, 1)})
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for r in rows:
        print(f"{r['codec']:13s} {r['data']:60s} {r['words']:>9d} words  compressor "
              f"{r['compressor_words_per_cycle']:.4f}  decompressor "
              f"{r['decompressor_words_per_cycle']:.4f} word/cycle")


if __name__ == "__main__":
    main()
