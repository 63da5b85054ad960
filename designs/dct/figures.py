"""Print the DCT figures quoted in docs/dct.md.

``python -m accelbench.designs.dct.figures ratios|throughput|accuracy|area|memory``

* ``ratios``: compression ratio of every registered DCT variant on both real datasets in
  its format, all layers of all 12 images, padding counted, with the largest error;
* ``throughput``: values per cycle of both netlists on random maps and on whole real
  layers (one per spatial size), and the latency of one block;
* ``accuracy``: top-1/top-5 agreement of the networks with every map coded;
* ``area``: GE, flip-flops and SRAM bits of every netlist (Yosys, cached);
* ``memory``: the on-chip memory split table with the measured per-layer ratios.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

DATASETS = ("efficientnet-lite0", "resnet50-1by2")


def _designs(pattern: str = "dct*"):
    import fnmatch

    from accelbench.registry import get_registry

    reg = get_registry()
    return [d for n, d in reg.designs.items() if fnmatch.fnmatchcase(n, pattern)
            and getattr(d, "technique", "") == "dct"]


def layer_ratios(design, dataset: str) -> tuple[float, dict[str, float], int]:
    """Mean over images of the map ratio, per-layer ratio, largest |error|."""
    from accelbench.datasets import get_source
    from accelbench.designs.dct import stream

    fm = get_source(dataset).load(design.fmt)
    model = design.model
    n = len(fm.images)
    bits = np.zeros((len(fm.layers), n))
    raw = np.zeros((len(fm.layers), n))
    worst = 0
    for li, layer in enumerate(fm.layers):
        for i in range(n):
            q = model.quantized_blocks(layer.words[i], layer.shape)
            bits[li, i] = stream.count_bits(q, model.coding_widths)
            raw[li, i] = 8 * layer.words[i].size
            if li % 4 == 0 and i == 0:  # error on a sample (the evaluation has all)
                back = model.unsigned_words(model.reconstruct(q, layer.shape))
                worst = max(worst, int(np.abs(model.signed_values(back)
                                              - model.signed_values(layer.words[i])).max()))
    per_layer = {layer.name: float(raw[li].sum() / bits[li].sum())
                 for li, layer in enumerate(fm.layers)}
    return float((raw.sum(axis=0) / bits.sum(axis=0)).mean()), per_layer, worst


def cmd_ratios(args: argparse.Namespace) -> None:
    print("| design | dataset | ratio (mean over 12 images, padding counted) | "
          "max error (sample) |")
    print("|---|---|---|---|")
    for design in _designs(args.designs):
        for dataset in DATASETS:
            ratio, _, worst = layer_ratios(design, dataset)
            print(f"| {design.name} | {dataset}/{design.fmt} | {ratio:.3f} | {worst} |",
                  flush=True)


def _real_layers(dataset: str, fmt: str):
    from accelbench.datasets import get_source

    fm = get_source(dataset).load(fmt)
    seen: set[tuple[int, int]] = set()
    for layer in sorted(fm.layers, key=lambda x: x.values_per_image):
        hw = tuple(layer.shape[1:])
        if hw not in seen:
            seen.add(hw)
            yield layer


def cmd_throughput(args: argparse.Namespace) -> None:
    from accelbench.designs.dct.evaluate import block_latency

    for design in _designs(args.designs):
        lat = block_latency(design)
        print(f"{design.name}: latency of one block: compressor {lat[0]} cycles, "
              f"decompressor {lat[1]} cycles")
        rng = np.random.default_rng(0)
        for shape in ((16, 32, 32), (64, 14, 14)):
            values = rng.integers(0, 256, int(np.prod(shape)))
            co = design.cosimulate(values, shape)
            n = values.size
            print(f"  random {shape}: compressor {n / co.compress_cycles:.4f}, "
                  f"decompressor {n / co.decompress_cycles:.4f} values/cycle")
        for dataset in DATASETS:
            total = c_cycles = d_cycles = 0
            for layer in _real_layers(dataset, design.fmt):
                co = design.cosimulate(layer.words[0], tuple(layer.shape))
                n = layer.values_per_image
                total += n
                c_cycles += co.compress_cycles
                d_cycles += co.decompress_cycles
                print(f"  {dataset} {layer.name} {tuple(layer.shape)}: compressor "
                      f"{n / co.compress_cycles:.4f}, decompressor "
                      f"{n / co.decompress_cycles:.4f} values/cycle", flush=True)
            print(f"  {dataset} these layers together: compressor {total / c_cycles:.4f}, "
                  f"decompressor {total / d_cycles:.4f} values/cycle")


def cmd_accuracy(args: argparse.Namespace) -> None:
    from accelbench.designs.dct.accuracy import network_accuracy

    datasets = args.datasets or DATASETS
    for dataset in datasets:
        for fmt in ("fixed8", "uint8"):
            rows = [(None, "format only")] + [(d.model, d.name) for d in _designs(args.designs)
                                              if d.fmt == fmt]
            for model, name in rows:
                t0 = time.time()
                res = network_accuracy(dataset, model, fmt, name)
                snr = list(res.layer_snr_db.values())
                print(f"| {dataset} | {fmt} | {name} | {res.top1_agreement:.3f} | "
                      f"{res.top5_agreement:.3f} | {np.mean(snr):.1f} | {min(snr):.1f} | "
                      f"{time.time() - t0:.0f} s |", flush=True)


def cmd_area(args: argparse.Namespace) -> None:
    from accelbench.netlist.area import netlist_area

    for design in _designs(args.designs):
        for name in design.netlists():
            rep = netlist_area(design, name)
            print(f"| {design.name} | {name} | {rep.total_ge:.0f} | {rep.flip_flops} | "
                  f"{rep.memory_bits} | {rep.logic_levels} |", flush=True)


def cmd_memory(args: argparse.Namespace) -> None:
    from accelbench.designs.dct import memory_split as ms
    from accelbench.registry import get_registry

    reg = get_registry()
    design = reg.design(args.design)
    for dataset, network in (("efficientnet-lite0", "efficientnet-lite0"),
                             ("resnet50-1by2", "resnet50")):
        net = reg.network(network)
        _, per_layer, _ = layer_ratios(design, dataset)
        ratios = ms.network_ratios(net, per_layer)
        table = ms.split_table(net, [64 << 10, 256 << 10, 1 << 20, 4 << 20], ratios)
        print(f"{network} (ratios of {design.name} on {dataset}, {len(ratios)} layers; "
              f"others uncompressed): on chip {table['onchip_bytes_uncompressed']} B "
              f"uncompressed, {table['onchip_bytes_compressed']} B compressed")
        for row in table["rows"]:
            print(f"  SRAM {row['sram_bytes']} B: DRAM per-layer {row['per_layer_dram_bytes']}"
                  f", fixed {row['fixed_dram_bytes']}, uncompressed per-layer "
                  f"{row['uncompressed_per_layer_dram_bytes']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accelbench.designs.dct.figures")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (("ratios", cmd_ratios), ("throughput", cmd_throughput),
                       ("accuracy", cmd_accuracy), ("area", cmd_area)):
        p = sub.add_parser(name)
        p.add_argument("--designs", default="dct*", help="glob of design names")
        p.set_defaults(func=func)
        if name == "accuracy":
            p.add_argument("--datasets", nargs="*")
    p = sub.add_parser("memory")
    p.add_argument("--design", default="dct-fixed8-jpeg-q50")
    p.set_defaults(func=cmd_memory)
    args = parser.parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
