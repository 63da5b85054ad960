"""The DCT report section: what each quality point buys in ratio and costs in accuracy,
the lossless codecs on the same axes, the papers beside us, and the on-chip memory split.

Records: the DCT technique's own (``record.belongs_to("dct")``) and, for comparison, every
lossless codec (``family == "codec"`` and not ``details["lossy"]``; their decoders give
back the stored words, so their accuracy is that of the 8-bit format). Figures come from
the codec base's metrics (``compression_ratio``, ``top1_agreement``, ``psnr_db``, ...,
``quantized_*`` for the format alone) and ``details["per_layer"]``. The memory tables feed
the measured per-layer ratios into :mod:`accelbench.designs.dct.memory_split`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accelbench.designs.dct import memory_split as ms
from accelbench.records import ResultRecord
from accelbench.report.generic import dataset_format
from accelbench.report.plots import finite_points, log_scale_if_positive, mark_empty
from accelbench.report.sections import Plot, SectionOutput, Table

TECHNIQUE = "dct"
TRANSFORM_LABELS = {"2d": "2-D DCT", "channel": "channel DCT"}
TABLE_KNOBS = {"jpeg": "q", "uniform": "s", "zonal": "k"}
#: continuous accuracy measures, shown when records carry them: (metric, header, digits)
CONTINUOUS = (("mean_kl_divergence", "mean KL (nat)", 5),
              ("output_snr_db", "output SNR (dB)", 2))
#: the papers' figures (abstracts): (technique, setting, ratio)
PAPER_ROWS = (
    ("2-D DCT (Shao et al., arXiv 2110.06155)",
     "the paper's networks, quantisation and accuracy target (abstract only)", "1.4-3.3"),
    ("channel DCT (DCT-CM, Shi et al., arXiv 2106.12850)",
     "ResNet-50 at 8 bits, the paper's setting (abstract only)", "2.9"),
)
#: dataset -> (network graph of the memory model, what that assumes; "" = same network)
MEMORY_NETWORKS = {
    "efficientnet-lite0": ("efficientnet-lite0", ""),
    "resnet50-1by2": ("resnet50", "ASSUMED: the ratios of the half-width ResNet-50-1by2 "
                                  "maps are applied to the full-width ResNet-50 graph"),
}
#: SRAM sizes of the memory tables (defaults)
SRAM_SIZES = (64 << 10, 256 << 10, 1 << 20, 4 << 20)


def _transform(r: ResultRecord) -> str:
    return TRANSFORM_LABELS.get(r.parameters.get("transform", ""), "DCT")


def _point(r: ResultRecord) -> str:
    """The quality point, e.g. "jpeg q50", "uniform s4"."""
    table = r.parameters.get("table", "")
    return f"{table} {TABLE_KNOBS.get(table, '')}{r.parameters.get('table_value', '')}".strip()


def _round(value: Any, digits: int) -> Any:
    return round(value, digits) if isinstance(value, (int, float)) else ""


def _ratio(r: ResultRecord) -> str:
    mean, std = r.value("compression_ratio"), r.value("ratio_std")
    if mean is None:
        return ""
    return f"{mean:.3f}" + (f" ± {std:.3f}" if std is not None else "")


def _images(r: ResultRecord) -> int:
    return len((r.details.get("accuracy") or {}).get("images", []))


def _size(size: int) -> str:
    if size and size % (1 << 20) == 0:
        return f"{size >> 20} MiB"
    return f"{size >> 10} KiB" if size and size % (1 << 10) == 0 else f"{size} B"


@dataclass
class _Records:
    dct: list[ResultRecord]
    lossless: list[ResultRecord]

    def groups(self) -> list[tuple[str, str]]:
        return sorted({dataset_format(r) for r in self.dct})

    def dct_in(self, dataset: str, fmt: str | None = None) -> list[ResultRecord]:
        order = list(TRANSFORM_LABELS.values())
        chosen = [r for r in self.dct if dataset_format(r)[0] == dataset
                  and (fmt is None or dataset_format(r)[1] == fmt)]
        return sorted(chosen, key=lambda r: (dataset_format(r)[1], order.index(_transform(r))
                                             if _transform(r) in order else len(order),
                                             r.value("compression_ratio") or 0, r.design))

    def lossless_in(self, dataset: str, fmt: str | None = None) -> list[ResultRecord]:
        return sorted((r for r in self.lossless if dataset_format(r)[0] == dataset
                       and (fmt is None or dataset_format(r)[1] == fmt)),
                      key=lambda r: (dataset_format(r)[1], r.design))

    def reference(self, dataset: str, fmt: str) -> ResultRecord | None:
        """A DCT record that carries the 8-bit format's own accuracy (quantized_*)."""
        return next((r for r in self.dct_in(dataset, fmt)
                     if r.value("quantized_top1_agreement") is not None), None)


def select(records: Sequence[ResultRecord]) -> _Records:
    codecs = [r for r in records if r.family == "codec"]
    return _Records([r for r in codecs if r.belongs_to(TECHNIQUE)],
                    [r for r in codecs if not r.details.get("lossy")])


@dataclass
class DctSection:
    """``networks``: the graphs of the memory tables by name (None: the registry's);
    ``sram_sizes``: the SRAM sizes of those tables (bytes)."""

    name: str = "dct"
    order: int = 210
    networks: Mapping[str, Any] | None = None
    sram_sizes: tuple[int, ...] = SRAM_SIZES

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        recs = select(records)
        if not recs.dct:
            return None
        continuous = [c for c in CONTINUOUS
                      if any(r.value(c[0]) is not None or r.value(f"quantized_{c[0]}")
                             is not None for r in recs.dct + recs.lossless)]
        tables = [self._accuracy(recs, continuous), self._paper(recs)]
        tables += [t for t in (self._memory(recs, dataset) for dataset in
                               sorted({d for d, _ in recs.groups()})) if t is not None]
        plots = [self._plot(recs, "top1_agreement", "top-1 agreement with the float network")]
        plots += [self._plot(recs, metric, header) for metric, header, _ in continuous]
        text = ("Lossy DCT codecs (2-D DCT after Shao et al., channel DCT after DCT-CM) at "
                "every quality point, on every recorded interlayer map of the real "
                "networks, beside the lossless codecs on the same maps. **Ratios count the "
                "zero padding of edge blocks**, which the codec stores (a 7x7 or 14x14 map "
                "costs 8x8 or 16x16). Agreement: the network run on the bundled images with "
                "every recorded map replaced by decode(encode(map)), compared with the "
                "unmodified float network; *8-bit format alone* is the same run with the "
                "maps only quantised, which is also the accuracy of every lossless codec. "
                "Every quality table, block layout and coding choice is a default "
                "(docs/dct.md); the papers' figures are from a different setting.")
        if any(r.synthetic for r in recs.dct):
            text += " Rows marked SYNTHETIC use generated data, not real activations."
        return SectionOutput("DCT feature-map compression (lossy)", text=text,
                             summary=_summary(recs),
                             tables=tables, plots=plots)

    # --- tables ------------------------------------------------------------------------
    def _accuracy(self, recs: _Records, continuous: list[tuple[str, str, int]]) -> Table:
        rows = []
        for dataset, fmt in recs.groups():
            synth = " (SYNTHETIC)" if any(r.synthetic for r in recs.dct_in(dataset, fmt)) \
                else ""
            ref = recs.reference(dataset, fmt)
            if ref is not None:
                rows.append([f"{dataset}{synth}", fmt, "8-bit format alone (no codec)", "",
                             "", "1.000", _round(ref.value("quantized_top1_agreement"), 3),
                             _round(ref.value("quantized_top5_agreement"), 3),
                             *[_round(ref.value(f"quantized_{m}"), d) for m, _, d in continuous],
                             "", "", ""])
            for r in recs.dct_in(dataset, fmt):
                rows.append([f"{dataset}{synth}", fmt, r.design, _transform(r), _point(r),
                             _ratio(r), _round(r.value("top1_agreement"), 3),
                             _round(r.value("top5_agreement"), 3),
                             *[_round(r.value(m), d) for m, _, d in continuous],
                             _round(r.value("psnr_db"), 2),
                             _round(r.value("min_layer_psnr_db"), 2),
                             _round(r.value("max_abs_error"), 0)])
            for r in recs.lossless_in(dataset, fmt):
                rows.append([f"{dataset}{synth}", fmt, r.design, "lossless", "", _ratio(r),
                             _round(r.value("top1_agreement"), 3),
                             _round(r.value("top5_agreement"), 3),
                             *[_round(r.value(m), d) for m, _, d in continuous], "", "", 0])
        images = sorted({_images(r) for r in recs.dct if _images(r)})
        steps = ", ".join(f"{n} images: one image = {100 / n:.1f} %" for n in images)
        return Table(
            "dct_accuracy", "DCT quality points: compression ratio (padding counted) and "
            "accuracy, per network and number format",
            ["dataset", "format", "codec", "transform", "quality point",
             "ratio, padding counted (mean ± std over images)", "top-1 agreement",
             "top-5 agreement", *[h for _, h, _ in continuous], "PSNR (dB)",
             "worst layer PSNR (dB)", "max |error| (LSB)"], rows,
            notes=["ratio = 8 bits per real value / coded bits (64-bit bitmap + non-zero "
                   "values per block, blocks of the zero padding included), all recorded "
                   "maps of an image, mean over images; lossless codecs: their headline "
                   "ratio on the same maps",
                   "agreement with the unmodified float network "
                   + (f"({steps})" if steps else "(no accuracy run in these records)"),
                   "PSNR and max |error|: decoded against stored 8-bit words, peak 255; "
                   "lossless rows decode exactly",
                   *([] if continuous else ["continuous accuracy measures (mean KL "
                                            "divergence, output SNR) are not in these "
                                            "records"])])

    def _paper(self, recs: _Records) -> Table:
        rows = [[technique, setting, ratio, "", "paper"] for technique, setting, ratio
                in PAPER_ROWS]
        for dataset, fmt in recs.groups():
            ref = recs.reference(dataset, fmt)
            floor = None if ref is None else ref.value("quantized_top1_agreement")
            for label in TRANSFORM_LABELS.values():
                mine = [r for r in recs.dct_in(dataset, fmt) if _transform(r) == label
                        and r.value("compression_ratio") is not None]
                if not mine:
                    continue
                ratios = [r.value("compression_ratio") for r in mine]
                keep = [r for r in mine if floor is not None
                        and r.value("top1_agreement") is not None
                        and r.value("top1_agreement") >= floor]
                best = max(keep, key=lambda r: r.value("compression_ratio"), default=None)
                best_cell = ("" if floor is None else "none" if best is None else
                             f"{best.value('compression_ratio'):.3f} ({best.design})")
                points = f"{len(mine)} quality point" + ("s" if len(mine) != 1 else "")
                rows.append([f"{label} (ours)", f"{dataset}/{fmt}, {points}, padding counted",
                             f"{min(ratios):.3f}-{max(ratios):.3f}", best_cell, "ours"])
        return Table(
            "dct_vs_paper", "The papers' ratios beside ours (a different setting, not the "
            "same measurement)",
            ["technique", "setting", "ratio (x)",
             "highest ratio at the 8-bit format's top-1 agreement", "source"], rows,
            notes=["paper: interlayer feature-map reduction from the abstracts; their "
                   "networks, quantisation, layer choice and accuracy targets differ from "
                   "ours and are not all known",
                   "ours: range over our quality points, and the highest ratio whose top-1 "
                   "agreement is not below that of the maps stored in the 8-bit format "
                   "without a codec (none: every point that compresses loses agreement)"])

    def _network(self, name: str) -> Any:
        if self.networks is None:
            from accelbench.registry import get_registry

            return get_registry().networks.get(name)
        return self.networks.get(name)

    def _memory(self, recs: _Records, dataset: str) -> Table | None:
        network_name, assumption = MEMORY_NETWORKS.get(dataset, (None, ""))
        for r in recs.dct_in(dataset):
            network_name = network_name or (r.details.get("dataset") or {}).get("network")
        network = self._network(network_name) if network_name else None
        if network is None:
            return None
        fraction = ms.DEFAULT_FIXED_FRACTION
        rows = [self._memory_row(network, "uncompressed (8-bit maps)", "", {}, fraction)]
        for r in recs.dct_in(dataset) + recs.lossless_in(dataset):
            per_layer = {e["layer"]: e["ratio"] for e in r.details.get("per_layer", [])
                         if isinstance(e.get("ratio"), (int, float)) and e["ratio"] > 0}
            ratios = ms.network_ratios(network, per_layer)
            label = f"{r.design} ({dataset_format(r)[1]})"
            rows.append(self._memory_row(network, label, _round(r.value("top1_agreement"), 3),
                                         ratios, fraction))
        headers = ["maps stored", "top-1 agreement", "on chip: every interlayer map (B)"]
        for size in self.sram_sizes:
            headers += [f"DRAM at {_size(size)}: per-layer split (B)",
                        f"DRAM at {_size(size)}: fixed {fraction:g} split (B)"]
        return Table(
            f"dct_memory_{dataset}".replace(":", "_"),
            f"On-chip memory split, {network_name} (ratios measured on {dataset})",
            headers, rows,
            notes=["on chip: peak over layers of the live interlayer maps (inputs, output, "
                   "shortcuts still to be read), compressed by each layer's measured ratio; "
                   "DRAM: bytes of one inference (maps that do not stay on chip written and "
                   "read compressed, weights read once, inputs re-read per weight tile); "
                   "per-layer split: each layer gives its feature-map buffer the compressed "
                   "size of its maps or nothing, chosen to minimise DRAM bytes; fixed: "
                   f"every layer {fraction:g} of the SRAM for maps (a default); model in "
                   "designs/dct/memory_split.py",
                   "ASSUMED ratio 1 (uncompressed) for maps the dataset does not record "
                   "(e.g. pools, ResNet's third bottleneck conv and downsample branch)",
                   *([assumption] if assumption else []),
                   "a ratio only counts with its accuracy: see the top-1 agreement column"])

    def _memory_row(self, network: Any, label: str, agreement: Any,
                    ratios: dict[str, float], fraction: float) -> list[Any]:
        row = [label, agreement, ms.onchip_bytes(network, ratios)]
        for size in self.sram_sizes:
            row += [ms.dram_bytes(network, size, ratios).dram_bytes,
                    ms.dram_bytes(network, size, ratios, fraction).dram_bytes]
        return row

    # --- plot --------------------------------------------------------------------------
    def _plot(self, recs: _Records, metric: str, label: str) -> Plot:
        datasets = sorted({d for d, _ in recs.groups()})

        def draw(fig: Any) -> None:
            for i, dataset in enumerate(datasets or ["(no records)"]):
                ax = fig.add_subplot(1, max(len(datasets), 1), i + 1)
                ax.set_title(dataset, fontsize=8)
                xs = self._draw_panel(ax, recs, dataset, metric)
                if not xs:
                    mark_empty(ax, f"no {label}")
                    continue
                if log_scale_if_positive(ax, xs, axis="x"):
                    _plain_ratio_ticks(ax, xs)
                ax.set_xlabel("compression ratio (x), padding counted")
                ax.set_ylabel(label)
                ax.legend(fontsize=6)
            fig.set_size_inches(5.5 * max(len(datasets), 1), 4.5)

        short = "agreement" if metric == "top1_agreement" else metric
        return Plot(f"dct_ratio_vs_{short}", f"Compression ratio against {label}", draw,
                    f"One panel per network: DCT quality points (lines, one per transform "
                    f"and format) and the lossless codecs (markers, at the accuracy of the "
                    f"8-bit format), {label} against compression ratio.")

    def _draw_panel(self, ax: Any, recs: _Records, dataset: str, metric: str) -> list[float]:
        xs: list[float] = []
        series: dict[str, list[tuple[float, ...]]] = {}
        for r in recs.dct_in(dataset):
            key = f"{_transform(r)} {dataset_format(r)[1]}"
            series.setdefault(key, []).extend(
                finite_points([(r.value("compression_ratio"), r.value(metric))]))
        for key, pts in sorted(series.items()):
            pts = sorted(pts)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, lw=1,
                        label=key)
                xs += [p[0] for p in pts]
        levels: dict[float, list[str]] = {}
        for fmt in sorted({dataset_format(r)[1] for r in recs.dct_in(dataset)}):
            ref = recs.reference(dataset, fmt)
            for (level,) in finite_points([(ref.value(f"quantized_{metric}"),)] if ref else []):
                levels.setdefault(level, []).append(fmt)
        for level, fmts in levels.items():  # the 8-bit formats without a codec
            ax.axhline(level, ls=":", lw=1, color="grey")
            ax.annotate(f"{', '.join(fmts)} alone", (1, level), xycoords=("axes fraction",
                        "data"), ha="right", va="bottom", fontsize=6, color="grey")
        for r in recs.lossless_in(dataset):
            pts = finite_points([(r.value("compression_ratio"), r.value(metric))])
            if pts:
                ax.scatter([pts[0][0]], [pts[0][1]], marker="s", s=18,
                           label=f"{r.design} {dataset_format(r)[1]} (lossless)")
                xs.append(pts[0][0])
        return xs


def _summary(recs: _Records) -> str:
    """Per network: the ratio range and the best ratio keeping all images' top-1 class."""
    parts = []
    for dataset in sorted({d for d, _ in recs.groups()}):
        mine = [r for r in recs.dct_in(dataset) if r.value("compression_ratio") is not None]
        if not mine:
            continue
        ratios = [r.value("compression_ratio") for r in mine]
        exact = [r for r in mine if r.value("top1_agreement") == 1.0]
        best = max(exact, key=lambda r: r.value("compression_ratio"), default=None)
        parts.append(f"{dataset}: {min(ratios):.2f}-{max(ratios):.2f}x over {len(mine)} "
                     f"quality points, " + (f"{best.value('compression_ratio'):.2f}x "
                                           f"({best.design}) keeping every image's top-1 class"
                                           if best else "none keeps every image's top-1 class"))
    return ("Lossy DCT compression ratio (padding counted) and its accuracy cost: "
            + "; ".join(parts) + ".") if parts else ""


def _plain_ratio_ticks(ax: Any, xs: list[float]) -> None:
    """Ratio ticks as plain numbers on a log axis (not 2x10^0)."""
    from matplotlib.ticker import NullFormatter

    lo, hi = min(xs) / 1.15, max(xs) * 1.15
    ticks = [t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16) if lo <= t <= hi]
    ax.set_xticks(ticks or [min(xs)])
    ax.set_xticklabels([f"{t:g}" for t in ticks] or [f"{min(xs):.3g}"])
    ax.xaxis.set_minor_formatter(NullFormatter())
