"""Words per cycle of every codec netlist on the EBPC anchor data (a script, not a test).

The measurement of specs/ebpc.md's anchor: the first 4,096 words of each of the 49
EfficientNet-Lite0 maps of image 0 (fixed8 for 8-bit codecs, fixed16 for 16-bit ones),
inputs always valid, outputs always ready; words / cycles summed over the maps, every
stream checked bit-exact against the golden model. The authors' EBPC RTL at W = B = 8
gives 0.910 words per cycle on it.

    python benchmarks/codec_anchor.py [--designs 'ebpc-*'] [--words 4096] [--json]
"""

from __future__ import annotations

import argparse
import fnmatch
import json

import numpy as np

from accelbench.registry import get_registry

DATASET = "efficientnet-lite0"
FORMAT_OF = {8: "fixed8", 16: "fixed16"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", default="*", help="glob over codec design names")
    parser.add_argument("--words", type=int, default=4096, help="first words of each map")
    parser.add_argument("--image", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    registry = get_registry()
    source = registry.dataset_source(DATASET)
    maps = {}
    rows = []
    for name, design in registry.designs.items():
        if design.family != "codec" or not fnmatch.fnmatch(name, args.designs):
            continue
        fmt = FORMAT_OF[design.word_bits]
        if fmt not in maps:
            maps[fmt] = [layer.words[args.image][: args.words].astype(np.int64)
                         for layer in source.load(fmt).layers]
        words = c_cycles = d_cycles = 0
        for values in maps[fmt]:
            co = design.cosimulate(values)
            words += len(values)
            c_cycles += co.compress_cycles
            d_cycles += co.decompress_cycles
        rows.append({"design": name, "data": f"{DATASET}/{fmt} image {args.image}, first "
                                             f"{args.words} words of {len(maps[fmt])} maps",
                     "words": words,
                     "compressor_words_per_cycle": round(words / c_cycles, 4),
                     "decompressor_words_per_cycle": round(words / d_cycles, 4)})
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for r in rows:
        print(f"{r['design']:13s} {r['data']:52s} {r['words']:>7d} words  compressor "
              f"{r['compressor_words_per_cycle']:.4f}  decompressor "
              f"{r['decompressor_words_per_cycle']:.4f} word/cycle")


if __name__ == "__main__":
    main()
