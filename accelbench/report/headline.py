"""The headline at the top of the report: each paper's claim beside our closest figure,
every technique on the same networks, and the area and speed of every netlist.

Built only from the raw records (selected by ``technique`` / ``baseline_for`` and read
from the family bases' standard metrics and structured ``details``); the only typed
figures are the papers' claims in :data:`PAPER_CLAIMS`. Settings (planner budget, SPOTS
sparsity, DCT agreement floors) come from ``accelbench report`` options and default to
the records' own defaults; the captions state them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accelbench.energy.breakdown import EnergyCounts, breakdown, counts_from_record
from accelbench.energy.models import DEFAULT_MODEL, EnergyModel, get_model
from accelbench.netlist.cells import TECHNOLOGY
from accelbench.records import ResultRecord
from accelbench.report.generic import FPGA_COLUMNS, netlist_figures, span
from accelbench.report.plots import mark_empty
from accelbench.report.sections import Plot, ReportSettings, SectionOutput, Table, anchor


@dataclass(frozen=True)
class Claim:
    label: str
    paper: str
    claim: str
    setting: str


#: the seed papers' headline claims (specs/seeds.md, specs/ebpc.md: abstracts and figures)
PAPER_CLAIMS = {
    "dct": Claim("DCT feature-map compression", "Shao et al., arXiv 2110.06155 (2021)",
                 "1.4x-3.3x feature-map reduction",
                 "the paper's networks and accuracy target; FPGA and TSMC 28 nm, 403 GOPS "
                 "peak"),
    "ebpc": Claim("EBPC (lossless)", "Cavigelli et al., EBPC (2019)",
                  "average compression ratio 2.2x on MobileNetV2, 2.4x on ResNet-34 "
                  "(5.1x AlexNet)",
                  "post-ReLU maps of torchvision networks, 8-bit fixed point, ILSVRC12 "
                  "images; 65 nm, 600 MHz"),
    "shortcutfusion": Claim("ShortcutFusion", "Nguyen et al., arXiv 2106.08167",
                            "47.8-84.8 % less DRAM access than the layer-by-layer baseline",
                            "RetinaNet, YOLOv3, ResNet-152, EfficientNet on a KCU1500 FPGA, "
                            "its buffer sizes, 256x256 input"),
    "spectral": Claim("Spectral sparse CNN", "Niu et al., FPGA 2020 (arXiv 2310.10902)",
                      "42 % less data transfer with the flexible per-layer dataflow",
                      "VGG16 on an FPGA, ADMM-pruned spectral kernels, baseline not stated"),
    "spots": Claim("SPOTS", "Soltaniyeh et al., ACM TACO 2022 (arXiv 2107.13386)",
                   "1.74x faster than Eyeriss on average (2.16x than Gemmini)",
                   "their array and pruning on common CNNs"),
}
#: the networks ShortcutFusion's paper reports (ours by the zoo's names)
SF_PAPER_NETWORKS = ("resnet152", "yolov3", "retinanet-r50-fpn", "efficientnet-b0")
#: the DCT rows' default top-1 agreement floors: 100 % of images, then >= 90 %
DEFAULT_AGREEMENT = (1.0, 0.9)
#: the SPOTS rows' default weight sparsity (a stated default; its records sweep it)
DEFAULT_SPARSITY = 0.5
#: the lossless codecs' number format whose words are the planners' int8 values
PLANNER_FORMAT = "fixed8"
MB = 1e6


def _network(record: ResultRecord) -> str:
    """The network of a record: a codec's dataset network, else the workload's."""
    if record.family == "codec":
        ds = record.details.get("dataset") or {}
        return str(ds.get("network") or ds.get("name") or "")
    return str(record.workload.get("id", "")).removeprefix("net/")


def _format(record: ResultRecord) -> str:
    return str((record.details.get("dataset") or {}).get("format", ""))


def _pct(value: float) -> str:
    return f"{100 * value:g} %"


def _kib(nbytes: int) -> str:
    return f"{nbytes / 1024:g} KiB" if nbytes < 1 << 20 else f"{nbytes / (1 << 20):g} MiB"


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def _energy_cell(value: float | None) -> float | int | None:
    """Energy (or GE) to 0.1 below 1000, else to a whole unit (no exponent in the tables)."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, 1) if abs(value) < 1000 else round(value)


def pooled_ratio(record: ResultRecord) -> float | None:
    """A codec's ratio over all its maps and images: uncompressed / compressed bits (its
    ``compression_ratio`` where the bit counts are not recorded)."""
    u, c = record.value("uncompressed_bits"), record.value("compressed_bits")
    return u / c if u and c else record.value("compression_ratio")


def best_dct(records: Sequence[ResultRecord], network: str,
             floor: float) -> ResultRecord | None:
    """The DCT record of ``network`` (any 8-bit format) with the highest ratio whose top-1
    agreement is at least ``floor``; on a tie, the first design by name."""
    keep = [r for r in records if r.technique == "dct" and r.family == "codec"
            and not r.synthetic and _network(r) == network
            and r.value("top1_agreement") is not None
            and r.value("top1_agreement") >= floor - 1e-12
            and r.value("compression_ratio") is not None]
    return max(sorted(keep, key=lambda r: r.design), key=pooled_ratio, default=None)


def _sweep_point(record: ResultRecord, budget: int) -> dict[str, Any] | None:
    """A planner record's sweep point at ``budget``, else the largest one below it."""
    points = sorted(record.details.get("sweep", []), key=lambda p: p["budget_bytes"])
    below = [p for p in points if p["budget_bytes"] <= budget]
    return below[-1] if below else None


def _engine_point(record: ResultRecord, value: float | None) -> dict[str, Any] | None:
    sweep = record.details.get("sweep") or {}
    if not isinstance(sweep, dict):
        return None
    want = sweep.get("default") if value is None else value
    return next((p for p in sweep.get("points", [])
                 if isinstance(p.get("value"), (int, float))
                 and math.isclose(p["value"], want, abs_tol=1e-9)), None)


def _point_counts(record: ResultRecord, point: dict[str, Any]) -> EnergyCounts | None:
    """Energy counts of an engine's sweep point (the record's memory sizes)."""
    base = counts_from_record(record)
    if base is None:
        return None
    level = {lv: sum(v for k, v in point.items() if k.startswith(f"{lv}_")
                     and k.endswith("_bytes") and isinstance(v, (int, float)))
             for lv in ("dram", "sram", "rf")}
    return dataclasses.replace(base, macs=point.get("issued_macs", base.macs),
                               dram_bytes=level["dram"], sram_bytes=level["sram"],
                               rf_bytes=level["rf"])


@dataclass
class NetworkRow:
    network: str
    data: str
    key: str  # the configuration, stable across networks (plot series)
    label: str
    setting: str
    dram_bytes: float | None
    baseline_bytes: float | None  # same traffic model: a reduction is shown
    counts: EnergyCounts | None
    counted: str


@dataclass
class HeadlineSection:
    """``budget``: planner budget (bytes; None: the planners' own default), ``sparsity``:
    SPOTS weight sparsity (None: its sweep default), ``agreement``: DCT floors."""

    budget: int | None = None
    sparsity: float = DEFAULT_SPARSITY
    agreement: tuple[float, ...] = DEFAULT_AGREEMENT
    model_name: str = DEFAULT_MODEL
    name: str = "headline"
    order: int = -100

    def configure(self, settings: ReportSettings) -> HeadlineSection:
        changes: dict[str, Any] = {}
        if settings.headline_budget is not None:
            changes["budget"] = settings.headline_budget
        if settings.headline_sparsity is not None:
            changes["sparsity"] = settings.headline_sparsity
        if settings.headline_agreement:
            changes["agreement"] = tuple(settings.headline_agreement)
        return dataclasses.replace(self, **changes)

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        if not records:
            return None
        model = get_model(self.model_name)
        budget = self._budget(records)
        rows = self.network_rows(records, budget)
        real = [r for r in rows if r.data == "real"]
        other = [r for r in rows if r.data != "real"]
        tables = [self.claims_table(records, budget)]
        tables += [self._networks_table("headline_networks", "All techniques on the same "
                                        "networks with real data: off-chip bytes and "
                                        "energy per inference", real, model, budget)]
        if other:
            tables.append(self._networks_table(
                "headline_networks_shape_only", "The same on networks without a real "
                "dataset (shape-only graphs; SYNTHETIC where marked)", other, model, budget))
        area = self.area_table(records)
        if area is not None:
            tables.append(area)
        text = ("Generated from the raw records; the papers' figures are their own claims in "
                "their own settings, set beside ours for orientation, not as the same "
                "measurement. Each technique's section below has the details.")
        return SectionOutput("Headline: the papers' claims beside ours, all techniques on "
                             "the same networks", text=text, tables=tables,
                             plots=[self._plot(real or rows)])

    # --- settings ---------------------------------------------------------------------
    def _budget(self, records: Sequence[ResultRecord]) -> int | None:
        if self.budget is not None:
            return self.budget
        planners = [r for r in records if r.technique == "shortcutfusion"
                    and r.value("budget_bytes") is not None]
        return int(planners[0].value("budget_bytes")) if planners else None

    def _sparsity(self, record: ResultRecord) -> float:
        return self.sparsity

    # --- 1. the papers' claims beside ours -------------------------------------------
    def claims_table(self, records: Sequence[ResultRecord], budget: int | None) -> Table:
        rows = []
        for technique, claim in PAPER_CLAIMS.items():
            ours = getattr(self, f"_ours_{technique}")(records, budget)
            mine = [r for r in records if r.technique == technique]
            link = f"[{claim.label}](#{anchor(technique)})" if mine else claim.label
            if ours is None:
                ours = ("no results in this run", "", "")
            rows.append([link, f"{claim.claim} ({claim.paper})", claim.setting, *ours])
        return Table("headline_claims", "Each paper's headline claim beside our closest "
                     "figure", ["technique", "paper's claim", "paper's setting",
                                "ours (closest figure)", "our setting", "why they differ"],
                     rows, notes=["Paper claims: abstracts and published figures (cited, "
                                  "see docs/ and each section). Ours: generated from this "
                                  "run's records."])

    def _ours_dct(self, records: Sequence[ResultRecord], budget: int | None):
        nets = sorted({_network(r) for r in records if r.technique == "dct"
                       and not r.synthetic})
        parts = []
        for net in nets:
            points = []
            for floor in self.agreement:
                best = best_dct(records, net, floor)
                points.append(f"{best.value('compression_ratio'):.2f}x ({best.design}) at >= "
                              f"{_pct(floor)}"
                              if best else f"none at >= {_pct(floor)}")
            parts.append(f"{net}: {', '.join(points)} top-1 agreement")
        if not parts:
            return None
        images = sorted({len((r.details.get("accuracy") or {}).get("images", []))
                         for r in records if r.technique == "dct"} - {0})
        return ("; ".join(parts),
                f"every recorded interlayer map of our real networks, 8-bit maps, edge-block "
                f"padding counted; agreement with the float network on "
                f"{'/'.join(map(str, images)) or '?'} images",
                "Different networks, and our ratio is chosen by an accuracy floor (top-1 "
                "agreement, no retraining) and counts the padding of edge blocks; the "
                "quantisation tables are our JPEG-style defaults.")

    def _ours_ebpc(self, records: Sequence[ResultRecord], budget: int | None):
        mine = sorted((r for r in records if r.technique == "ebpc" and not r.synthetic
                       and _format(r) == PLANNER_FORMAT
                       and r.parameters.get("block_size", 8) == 8
                       and r.value("compression_ratio") is not None), key=_network)
        if not mine:
            return None
        return ("; ".join(f"{_network(r)}: {r.value('compression_ratio'):.2f}x "
                          f"({r.design})" for r in mine),
                f"{PLANNER_FORMAT} maps of our real networks (every recorded map, ReLU and "
                f"linear), bit-exact hardware streams, mean over images",
                "Our networks are not the paper's (closest: MobileNetV2 for "
                "EfficientNet-Lite0, ResNet-34 for ResNet-50-1by2), and ours include the "
                "signed block outputs that the paper's post-ReLU maps do not.")

    def _ours_shortcutfusion(self, records: Sequence[ResultRecord], budget: int | None):
        cuts = self._sf_reductions(records, budget)
        if not cuts or budget is None:
            return None
        paper = {n: c for n, c in cuts.items() if n in SF_PAPER_NETWORKS}
        shown = paper or cuts
        values = sorted(round(100 * v, 1) for v in shown.values())
        spread = f"{values[0]}" if values[0] == values[-1] else f"{values[0]}-{values[-1]}"
        return (f"{spread} % less DRAM traffic "
                f"({', '.join(sorted(shown))})",
                f"whole-tensor traffic model, int8, {_kib(budget)} on-chip feature-map "
                f"budget, weights read once, shape-only networks at our input sizes",
                "Our traffic model moves whole tensors (no tiling), at our input sizes and "
                "one stated budget; the paper's accelerator tiles, uses its own buffer "
                "sizes and 256x256 inputs.")

    def _sf_reductions(self, records: Sequence[ResultRecord],
                       budget: int | None) -> dict[str, float]:
        out = {}
        if budget is None:
            return out
        for sf in (r for r in records if r.technique == "shortcutfusion"):
            base = self._planner_baseline(records, _network(sf))
            point = _sweep_point(sf, budget)
            if base is None or point is None or not base.value("dram_bytes"):
                continue
            out[_network(sf)] = 1 - point["dram_bytes"] / base.value("dram_bytes")
        return out

    def _ours_spectral(self, records: Sequence[ResultRecord], budget: int | None):
        parts, kernels = [], set()
        for r in sorted((r for r in records if r.technique == "spectral"), key=_network):
            point = self._spectral_point(r)
            flow = (point or {}).get("dataflow") or {}
            if flow.get("saving_vs_best_fixed") is None:
                continue
            kernels.add("real" if str(r.details.get("kernels", "")).startswith("real")
                        else "SYNTHETIC")
            vs_kernel = 100 * flow.get("saving_vs_kernel_reuse", 0)
            parts.append(f"{_network(r)}: {100 * flow['saving_vs_best_fixed']:.1f} % less "
                         f"than the best fixed dataflow ({vs_kernel:.1f} % less than kernel "
                         f"reuse) at kernel density {point['value']:g}")
        if not parts:
            return None
        return ("; ".join(parts),
                f"the spectral layers only (stride-1 k x k convolutions), "
                f"{'/'.join(sorted(kernels))} kernels, magnitude pruning, our on-chip budgets",
                "The paper's baseline for its 42 % is not stated and its kernels are "
                "ADMM-pruned with retraining; ours are magnitude-pruned without retraining "
                "and our budgets and widths are defaults.")

    def _spectral_point(self, record: ResultRecord) -> dict[str, Any] | None:
        default = (record.details.get("sweep") or {}).get("default")
        return next((p for p in record.details.get("spectral_sweep", [])
                     if p.get("value") == default), None)

    def _ours_spots(self, records: Sequence[ResultRecord], budget: int | None):
        speedups, sparsities = {}, set()
        for r in (r for r in records if r.technique == "spots"):
            eyeriss = next((b for b in records if b.technique == "eyeriss-like"
                            and b.workload.get("id") == r.workload.get("id")
                            and b.value("total_cycles")), None)
            point = _engine_point(r, self._sparsity(r))
            if eyeriss is None or point is None or not point.get("total_cycles"):
                continue
            speedups[_network(r)] = eyeriss.value("total_cycles") / point["total_cycles"]
            sparsities.add(point["value"])
        if not speedups:
            return (("no Eyeriss-like record on the same network as SPOTS in this run", "", "")
                    if any(r.technique == "spots" for r in records) else None)
        vals = sorted(speedups.values())
        geo = math.exp(sum(math.log(v) for v in vals) / len(vals))
        where = (f"geometric mean over {len(vals)} networks; {vals[0]:.2f}x-{vals[-1]:.2f}x"
                 if len(vals) > 1 else f"on {next(iter(speedups))}")
        return (f"{geo:.2f}x faster than our Eyeriss-like model ({where})",
                f"closed-form cycle models equal to the netlists, "
                f"{'/'.join(_pct(s) for s in sorted(sparsities))} block weight sparsity, "
                f"one clock, cycles only",
                "Our SPOTS array, skip blocks and pruning are defaults and the Eyeriss-like "
                "model is ours (168 PEs); the paper compares its own simulators of both.")

    # --- 2. every technique on the same networks --------------------------------------
    def _planner_baseline(self, records: Sequence[ResultRecord],
                          network: str) -> ResultRecord | None:
        return next((r for r in records if r.family == "memory"
                     and "shortcutfusion" in r.baseline_for
                     and r.details.get("policy", r.technique) in ("baseline", "dram-baseline")
                     and _network(r) == network), None)

    def network_rows(self, records: Sequence[ResultRecord],
                     budget: int | None) -> list[NetworkRow]:
        real_nets = {_network(r) for r in records if r.family == "codec" and not r.synthetic}
        nets = sorted({_network(r) for r in records if r.family != "codec"} | real_nets)
        out: list[NetworkRow] = []
        for net in nets:
            data = "real" if net in real_nets else "shape-only"
            out += self._rows_of(records, net, data, budget)
        return out

    def _rows_of(self, records: Sequence[ResultRecord], net: str, data: str,
                 budget: int | None) -> list[NetworkRow]:
        rows: list[NetworkRow] = []
        base = self._planner_baseline(records, net)
        base_bytes = base.value("dram_bytes") if base else None
        base_counts = counts_from_record(base) if base else None
        weights = base.value("weight_bytes") if base else None
        fm = base.value("feature_map_dram_bytes") if base else None

        def row(key, label, setting, dram, counts, counted, same_model=True):
            rows.append(NetworkRow(net, data, key, label, setting, dram,
                                   base_bytes if same_model else None, counts, counted))

        def scaled(dram: float, counts: EnergyCounts | None) -> EnergyCounts | None:
            return None if counts is None else dataclasses.replace(counts, dram_bytes=dram)

        if base is not None:
            row("baseline", "baseline accelerator (layer by layer)",
                "every layer reads its weights and inputs and writes its output off-chip "
                "once, int8", base_bytes, base_counts, "DRAM")
        codecs = sorted((r for r in records if r.family == "codec" and not r.synthetic
                         and not r.details.get("lossy") and _network(r) == net
                         and _format(r) == PLANNER_FORMAT and pooled_ratio(r)),
                        key=lambda r: r.design)
        if base is not None:
            for r in codecs:
                ratio = pooled_ratio(r)
                dram = weights + fm / ratio
                row(f"codec:{r.technique}", f"baseline + {r.design}",
                    f"feature maps / {ratio:.3f} (measured, pooled, {PLANNER_FORMAT})", dram,
                    scaled(dram, base_counts), "DRAM (codec logic not counted)")
            for floor in self.agreement:
                best = best_dct(records, net, floor)
                if best is None:
                    if any(r.technique == "dct" and _network(r) == net for r in records):
                        row(f"dct@{floor:g}", f"baseline + DCT at >= {_pct(floor)} top-1",
                            f"no quality point keeps >= {_pct(floor)} top-1 agreement", None,
                            None, "")
                    continue
                ratio = pooled_ratio(best)
                dram = weights + fm / ratio
                row(f"dct@{floor:g}", f"baseline + DCT at >= {_pct(floor)} top-1",
                    f"{best.design} ({_format(best)}): pooled ratio {ratio:.3f}, top-1 agreement "
                    f"{_pct(round(best.value('top1_agreement'), 4))}", dram,
                    scaled(dram, base_counts), "DRAM (codec logic not counted)")
        sf = next((r for r in records if r.technique == "shortcutfusion"
                   and _network(r) == net), None)
        point = _sweep_point(sf, budget) if sf is not None and budget else None
        if point is not None:
            own = point["budget_bytes"] == sf.value("budget_bytes")
            sf_counts = counts_from_record(sf)
            counts = sf_counts if own else scaled(point["dram_bytes"], sf_counts)
            own_budget = _kib(int(sf.value("budget_bytes")))
            note = "DRAM + on-chip buffer" + ("" if own else
                                              f" (buffer traffic of the {own_budget} plan)")
            row("shortcutfusion", "ShortcutFusion",
                f"{_kib(point['budget_bytes'])} on-chip feature-map budget",
                point["dram_bytes"], counts, note)
            if codecs:
                best_codec = max(codecs, key=pooled_ratio)
                ratio = pooled_ratio(best_codec)
                dram = point["weight_bytes"] + point["feature_map_dram_bytes"] / ratio
                row("shortcutfusion+codec", f"ShortcutFusion + {best_codec.design}",
                    f"{_kib(point['budget_bytes'])}; off-chip feature maps / {ratio:.3f}",
                    dram, scaled(dram, counts), note)
        spectral = next((r for r in records if r.technique == "spectral"
                         and _network(r) == net), None)
        sp = self._spectral_point(spectral) if spectral is not None else None
        if sp is not None and (sp.get("dataflow") or {}).get("per_layer_dram") is not None:
            synthetic = "" if str(spectral.details.get("kernels", "")).startswith("real") \
                else ", SYNTHETIC kernels"
            flow = sp["dataflow"]
            row("spectral", "spectral dataflow (its layers only)",
                f"per-layer kernel/activation reuse at kernel density {sp['value']:g}"
                f"{synthetic}; kernel reuse alone {flow.get('kernel_reuse_dram', 0) / MB:.3f} MB",
                flow["per_layer_dram"], counts_from_record(spectral),
                "its layers' DRAM + engine (record's default point)", same_model=False)
        spots = next((r for r in records if r.technique == "spots" and _network(r) == net),
                     None)
        p = _engine_point(spots, self._sparsity(spots)) if spots is not None else None
        if spots is not None:
            if p is None:
                row("spots", "SPOTS with skipping", f"no sweep point at "
                    f"{_pct(self._sparsity(spots))} weight sparsity", None, None, "",
                    same_model=False)
            else:
                counts = _point_counts(spots, p)
                acts = "" if str(spots.details.get("activations", "")).startswith("real") \
                    else ", assumed activation zeros"
                row("spots", "SPOTS with skipping",
                    f"{_pct(p['value'])} block weight sparsity{acts}; its own engine "
                    f"traffic model", counts.dram_bytes if counts else None, counts,
                    "DRAM + SRAM + RF + MAC", same_model=False)
        return rows

    def _networks_table(self, name: str, title: str, rows: list[NetworkRow],
                        model: EnergyModel, budget: int | None) -> Table:
        unit = model.unit
        scale, shown = (1e6, "uJ") if unit == "pJ" else (1.0, unit)
        cells = []
        for x in rows:
            energy = breakdown(x.counts, model).total / scale if x.counts else None
            cut = (round(100 * (1 - x.dram_bytes / x.baseline_bytes), 1)
                   if x.dram_bytes is not None and x.baseline_bytes and x.key != "baseline"
                   else None)
            cells.append([x.network + ("" if x.data == "real" else " (shape-only)"),
                          x.label, x.setting,
                          _r(x.dram_bytes / MB if x.dram_bytes is not None else None),
                          cut, _energy_cell(energy), x.counted])
        budget_text = _kib(budget) if budget else "none recorded"
        sparsity = _pct(self.sparsity) + (" (default)" if self.sparsity == DEFAULT_SPARSITY
                                          else "")
        floors = " and ".join(f">= {_pct(f)}" for f in self.agreement)
        return Table(name, title, ["network", "configuration", "setting", "DRAM MB",
                                   "DRAM saved vs baseline %", f"energy ({shown})", "counted"],
                     cells, notes=[
            f"Settings: planner budget {budget_text} (`--headline-budget`); SPOTS weight "
            f"sparsity {sparsity} (`--headline-sparsity`); DCT: the highest-ratio quality "
            f"point of any 8-bit format whose top-1 agreement with the float network is "
            f"{floors} of the images (`--headline-agreement`).",
            "Baseline: the layer-by-layer planner record. Codec and DCT rows ASSUME every "
            "feature map's off-chip bytes shrink by the codec's ratio measured on that "
            "network (pooled over its recorded maps and images; maps it does not record "
            "assumed alike), weights uncompressed. ShortcutFusion + codec: the off-chip "
            "feature-map bytes left by ShortcutFusion at that budget scaled the same way by "
            "the lossless codec with the highest measured ratio.",
            "Spectral and SPOTS rows use their engines' own traffic models (spectral: only "
            "its layers), so no reduction against the planner baseline is shown for them.",
            f"Energy: {model.name} ({model.source}) from the counted accesses, column "
            f"'counted'; codec logic, leakage and control not counted."])

    def _plot(self, rows: list[NetworkRow]) -> Plot:
        nets = list(dict.fromkeys(x.network for x in rows))
        keys = list(dict.fromkeys(x.key for x in rows))
        labels = {x.key: x.label.split(" + ")[0] + (" + codec" if "+ " in x.label and
                                                     x.key.startswith("shortcut") else "")
                  for x in rows}
        for x in rows:
            if x.key.startswith(("codec:", "dct@")):
                labels[x.key] = x.label.removeprefix("baseline + ")

        def draw(fig: Any) -> None:
            ax = fig.add_subplot(1, 1, 1)
            width = 0.8 / max(len(keys), 1)
            values = []
            for k, key in enumerate(keys):
                pts = [(i + k * width, x.dram_bytes / MB) for i, n in enumerate(nets)
                       for x in rows if x.network == n and x.key == key
                       and x.dram_bytes is not None and x.dram_bytes > 0]
                if pts:
                    ax.bar([p[0] for p in pts], [p[1] for p in pts], width,
                           label=labels[key])
                    values += [p[1] for p in pts]
            if not values:
                mark_empty(ax, "no off-chip traffic in these records")
                return
            ax.set_ylim(0, max(values) * 1.08)
            ax.set_xticks([i + 0.4 - width / 2 for i in range(len(nets))])
            ax.set_xticklabels(nets, fontsize=8)
            ax.set_xlim(-width, len(nets) - 0.2)
            ax.set_ylabel("DRAM MB per inference")
            ax.legend(fontsize=6, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.08))
            fig.set_size_inches(max(7, 3.5 * len(nets)), 5.5)

        return Plot("headline_dram", "Off-chip bytes per inference, every technique on the "
                    "same networks", draw,
                    "DRAM MB per inference per network and configuration, as in the table "
                    "above (linear scale from 0; a configuration without a figure has no "
                    "bar).")

    # --- 3. area and speed of every netlist -------------------------------------------
    def area_table(self, records: Sequence[ResultRecord]) -> Table | None:
        figures, technologies = netlist_figures(records)
        if not figures:
            return None
        technique = {r.design: r.technique for r in records}
        macs: dict[str, list[float]] = {}
        for r in records:
            if r.family == "engine" and r.value("total_cycles"):
                macs.setdefault(r.design, []).append(
                    (r.value("issued_macs") or 0) / r.value("total_cycles"))
        fpga = dict(FPGA_COLUMNS)
        rows = [[d, technique.get(d, ""), n, _energy_cell(f.get("ge")), f.get("ff"), f.get("luts"),
                 f.get("ffs"), f.get("fmax_mhz"), span(f["per_cycle"], 4),
                 span(macs.get(d, []), 2)] for (d, n), f in sorted(figures.items())]
        tech = f"ASIC: {TECHNOLOGY}."
        if technologies:
            tech += " FPGA: " + "; ".join(sorted(technologies)) + "."
        return Table("headline_area", "Area and speed of every netlist",
                     ["design", "technique", "netlist", "GE", "flip-flops", fpga["luts"],
                      fpga["ffs"], fpga["fmax_mhz"], "values/cycle", "design MACs/cycle"],
                     rows, notes=[tech, "values/cycle: netlist co-simulation (range over "
                                  "workloads); design MACs/cycle: issued MACs / cycles of "
                                  "the engine on each network (range). Empty: not recorded "
                                  "in this run."])
