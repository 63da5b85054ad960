"""The ShortcutFusion report section: DRAM traffic per network, policy and budget, the
shortcut share of feature-map traffic, the paper beside us, and planner x codec.

It reads memory-planner records whose details name the ``shortcutfusion`` technique (the
planner itself) or list it in ``baseline_for`` (the three comparison policies): their
``details["sweep"]`` (totals and per-tensor DRAM traffic per budget) and
``details["network"]`` (tensor sizes in execution order, shortcut tensors). For planner x
codec it also reads lossless codec records on a real dataset of the same name as the
network (their ``details["per_layer"]`` ratios, one per feature map of the dataset).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accelbench.records import ResultRecord
from accelbench.report.sections import Plot, SectionOutput, Table

TECHNIQUE = "shortcutfusion"
POLICIES = ("baseline", "lower_bound", "shortcutmining", "shortcutfusion")
LABELS = {"baseline": "baseline", "lower_bound": "lower bound",
          "shortcutmining": "ShortcutMining-like", "shortcutfusion": "ShortcutFusion"}
#: the codec number format whose words match the planners' bytes per value
FORMAT_OF_BYTES = {1: "fixed8", 2: "fixed16"}
MIB = 1024 * 1024
PAPER_NOTE = ("paper (Nguyen et al., arXiv 2106.08167): 47.8-84.8 % less DRAM access than "
              "its layer-by-layer baseline on RetinaNet, YOLOv3, ResNet-152 and EfficientNet; "
              "5.27x less feature-map off-chip access than ShortcutMining at a similar buffer "
              "size. A different setting: its accelerator, buffer sizes, input sizes (its "
              "FPGA runs at 256x256) and tiling; ours is the whole-tensor traffic model of "
              "docs/shortcutfusion.md at int8.")


def is_planner_record(r: ResultRecord) -> bool:
    """A ShortcutFusion planner record or one of its baselines (declared, not by name)."""
    return r.family == "memory" and r.belongs_to(TECHNIQUE)


def map_feature_maps(feature_maps: Sequence[dict[str, Any]], tensor_bytes: dict[str, int],
                     bytes_per_value: float = 1) -> dict[str, str]:
    """Dataset feature-map name -> network tensor name.

    A name equal to a tensor maps to it; ``X.out`` (a block's output in the datasets)
    maps to the last tensor of block ``X`` in execution order (tensors named ``X.*`` or
    ``X_*``: the block's add, or its projection when it has no shortcut). A map whose
    size differs from the tensor's is left unmapped.
    """
    names = list(tensor_bytes)
    out = {}
    for entry in feature_maps:
        fm = entry["layer"]
        target = fm if fm in tensor_bytes else None
        if target is None and fm.endswith(".out"):
            prefix = fm[:-len(".out")]
            block = [n for n in names if n.startswith((prefix + ".", prefix + "_"))]
            target = block[-1] if block else None
        values = entry.get("values")
        if target is not None and (values is None
                                   or round(values * bytes_per_value) == tensor_bytes[target]):
            out[fm] = target
    return out


def _mib(value: float) -> float:
    return round(value / MIB, 3)


def _pct(value: float, base: float) -> float:
    return round(100 * (1 - value / base), 1) if base else 0.0


def _budget_label(point: dict[str, Any]) -> str:
    kib = point["budget_bytes"] / 1024
    label = f"{kib:g}" if kib == int(kib) else f"{kib:.1f}"
    return label + (" (all on chip)" if point.get("full") else "")


@dataclass
class _Network:
    name: str
    records: dict[str, ResultRecord]

    def sweep(self, policy: str) -> dict[int, dict[str, Any]]:
        r = self.records.get(policy)
        return {p["budget_bytes"]: p for p in r.details.get("sweep", [])} if r else {}

    def point(self, policy: str, budget: int) -> dict[str, Any] | None:
        """``policy``'s sweep point at ``budget``; the baseline and the lower bound do not
        depend on the budget, so any of their points serves."""
        sweep = self.sweep(policy)
        if budget in sweep:
            return sweep[budget]
        if policy in ("baseline", "lower_bound") and sweep:
            return next(iter(sweep.values()))
        return None

    @property
    def baseline_point(self) -> dict[str, Any] | None:
        points = list(self.sweep("baseline").values())
        return points[0] if points else None

    @property
    def info(self) -> dict[str, Any]:
        r = self.records.get("shortcutfusion") or next(iter(self.records.values()))
        return r.details.get("network", {})

    @property
    def bytes_per_value(self) -> float:
        r = self.records.get("shortcutfusion") or next(iter(self.records.values()))
        return r.details.get("bytes_per_value", 1)


def _networks(records: Sequence[ResultRecord]) -> list[_Network]:
    found: dict[str, dict[str, ResultRecord]] = {}
    for r in sorted(records, key=lambda r: r.design):
        if not is_planner_record(r):
            continue
        net = r.details.get("network", {}).get("name") or r.workload.get("id", "")
        found.setdefault(net, {}).setdefault(r.details.get("policy", r.design), r)
    return [_Network(n, recs) for n, recs in sorted(found.items())
            if "shortcutfusion" in recs]


class ShortcutFusionSection:
    name = "shortcutfusion"
    order = 230

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        nets = _networks(records)
        if not nets:
            return None
        codecs = [r for r in records if r.family == "codec" and not r.synthetic
                  and not r.details.get("lossy")]
        text = (
            "DRAM traffic of a whole inference per network under four policies: the "
            "layer-by-layer baseline (every layer reads its weights and inputs and writes "
            "its output off-chip), a ShortcutMining-like shortcut buffer, ShortcutFusion "
            "(shortcut and intermediate maps kept on chip under the budget, weights read "
            "once) and the unlimited-buffer lower bound, over a sweep of on-chip "
            "feature-map budgets. Every plan is checked (no overlapping live buffers, "
            "budget kept, every tensor read after it is written). Defaults: int8, on-chip "
            "tensors aligned to 64 bytes, whole-tensor traffic (docs/shortcutfusion.md). "
            + PAPER_NOTE)
        tables = [self._sweep(nets), self._shortcut_share(nets), self._paper(nets)]
        best, every = self._codec(nets, codecs)
        if best is not None:
            tables += [best, every]
        return SectionOutput("ShortcutFusion: shortcut-aware buffer allocation", text=text,
                             summary=self._summary(nets),
                             tables=tables, plots=[self._plot(nets)])

    def _summary(self, nets: list[_Network]) -> str:
        """The reduction range at the records' default budget, over the networks."""
        cuts, budget = [], None
        for net in nets:
            sf, base = net.records["shortcutfusion"], net.baseline_point
            if base is None or sf.value("dram_bytes") is None:
                continue
            budget = sf.value("budget_bytes")
            cuts.append(_pct(sf.value("dram_bytes"), base["dram_bytes"]))
        if not cuts:
            return ""
        spread = f"{min(cuts)}" if min(cuts) == max(cuts) else f"{min(cuts)}-{max(cuts)}"
        return (f"At a {budget / 1024:g} KiB on-chip feature-map budget, ShortcutFusion "
                f"needs {spread} % less DRAM traffic than the layer-by-layer baseline on "
                f"{len(cuts)} network{'s' if len(cuts) != 1 else ''} (paper: 47.8-84.8 % on "
                f"its four).")

    # --- tables ------------------------------------------------------------------
    def _sweep(self, nets: list[_Network]) -> Table:
        rows = []
        for net in nets:
            base = net.baseline_point
            for budget, point in sorted(net.sweep("shortcutfusion").items()):
                row: list[Any] = [net.name, _budget_label(point)]
                for policy in POLICIES:
                    p = net.point(policy, budget)
                    row.append(_mib(p["dram_bytes"]) if p else "")
                    if policy in ("shortcutmining", "shortcutfusion"):
                        row.append(_pct(p["dram_bytes"], base["dram_bytes"])
                                   if p and base else "")
                rows.append(row)
        return Table("shortcutfusion_dram", "DRAM MiB per inference and reduction against "
                     "the baseline, per on-chip feature-map budget",
                     ["network", "budget KiB", "baseline MiB", "lower bound MiB",
                      "ShortcutMining-like MiB", "ShortcutMining-like reduction %",
                      "ShortcutFusion MiB", "ShortcutFusion reduction %"], rows,
                     notes=["DRAM = weight reads + feature-map reads + writes; the baseline "
                            "and the lower bound do not depend on the budget. \"all on "
                            "chip\": the smallest budget at which ShortcutFusion keeps every "
                            "tensor on chip (it then equals the lower bound)."])

    def _shortcut_share(self, nets: list[_Network]) -> Table:
        rows = []
        for net in nets:
            base = net.baseline_point
            if base is None:
                continue
            fm = base["feature_map_dram_bytes"]
            shortcuts = net.info.get("shortcut_tensors", [])
            tensors = base.get("tensors", {})
            traffic = sum(sum(tensors.get(t, (0, 0))) for t in shortcuts)
            skip = net.info.get("shortcut_skip_read_bytes", 0)
            rows.append([net.name, len(shortcuts), _mib(fm), _mib(traffic),
                         round(100 * traffic / fm, 1) if fm else "",
                         round(100 * skip / fm, 1) if fm else "",
                         "nearly 40 %" if net.name == "resnet152" else ""])
        return Table("shortcutfusion_shortcut_share", "Share of shortcut data in the "
                     "baseline's feature-map DRAM traffic",
                     ["network", "shortcut tensors", "feature-map MiB",
                      "shortcut tensors' MiB", "shortcut tensors' share %",
                      "reads over skip edges %", "paper"], rows,
                     notes=["shortcut tensor: the source of an edge that skips a layer into "
                            "an add or a squeeze-excite multiply, or into a projection conv "
                            "feeding one. Share = its write and every read; skip edges = "
                            "only the reads a plain chain would not have. The paper's "
                            "figure (ResNet-152) does not state its definition."])

    def _paper(self, nets: list[_Network]) -> Table:
        rows = []
        for net in nets:
            base = net.baseline_point
            sf = net.records["shortcutfusion"]
            sm = net.records.get("shortcutmining")
            if base is None:
                continue
            points = [p for p in net.sweep("shortcutfusion").values() if not p.get("full")]
            reductions = [_pct(p["dram_bytes"], base["dram_bytes"]) for p in points]
            ratio = ""
            if sm is not None and sf.value("feature_map_dram_bytes"):
                ratio = round(sm.value("feature_map_dram_bytes")
                              / sf.value("feature_map_dram_bytes"), 2)
            rows.append([net.name, round(sf.value("budget_bytes") / 1024),
                         _pct(sf.value("dram_bytes"), base["dram_bytes"]),
                         f"{min(reductions)}-{max(reductions)}" if reductions else "",
                         ratio, "47.8-84.8", 5.27])
        return Table("shortcutfusion_vs_paper", "ShortcutFusion beside the paper (a different "
                     "setting, not the same measurement)",
                     ["network", "budget KiB", "reduction % (ours)",
                      "reduction % over the sweep (ours)",
                      "ShortcutMining-like / ShortcutFusion feature-map bytes (ours)",
                      "reduction % (paper, 4 networks)", "vs ShortcutMining (paper)"], rows,
                     notes=[PAPER_NOTE])

    def _codec(self, nets: list[_Network], codecs: list[ResultRecord]
               ) -> tuple[Table | None, Table | None]:
        best_rows, all_rows = [], []
        for net in nets:
            fmt = FORMAT_OF_BYTES.get(net.bytes_per_value)
            mine = [r for r in codecs if (r.details.get("dataset") or {}).get("name") == net.name
                    and (r.details.get("dataset") or {}).get("format") == fmt]
            if not mine:
                continue
            sizes = net.info.get("tensor_bytes", {})
            ratios: dict[str, dict[str, float]] = {}
            for r in sorted(mine, key=lambda r: r.design):
                layers = r.details.get("per_layer", [])
                mapping = map_feature_maps(layers, sizes, net.bytes_per_value)
                ratios[r.design] = {mapping[e["layer"]]: e["ratio"] for e in layers
                                    if e["layer"] in mapping and e.get("ratio")}
            base = net.baseline_point
            for budget, _ in sorted(net.sweep("shortcutfusion").items()):
                combos = []
                for policy in POLICIES:
                    p = net.point(policy, budget)
                    if p is None:
                        continue
                    tensors = p.get("tensors", {})
                    fm = sum(sum(v) for v in tensors.values())
                    combos.append((p["dram_bytes"], policy, "none", None, p))
                    for codec, table in ratios.items():
                        comp = sum(sum(v) / table.get(t, 1.0) for t, v in tensors.items())
                        measured = sum(sum(v) for t, v in tensors.items() if t in table)
                        combos.append((p["weight_bytes"] + comp, policy, codec,
                                       100 * measured / fm if fm else 100.0, p))
                label = _budget_label(net.sweep("shortcutfusion")[budget])
                for dram, policy, codec, share, _p in combos:
                    all_rows.append([net.name, label, LABELS[policy], codec, _mib(dram),
                                     _pct(dram, base["dram_bytes"]),
                                     "" if share is None else round(share, 1)])
                # the best real design at this budget (the lower bound is not one); on a
                # tie, no codec
                dram, policy, codec, share, _p = min(
                    (c for c in combos if c[1] != "lower_bound"),
                    key=lambda c: (c[0], c[2] != "none", c[1], c[2]))
                plain = next(c[0] for c in combos if c[1] == policy and c[2] == "none")
                best_rows.append([net.name, label, LABELS[policy], codec, _mib(dram),
                                  _mib(plain), _pct(dram, base["dram_bytes"]),
                                  "" if share is None else round(share, 1)])
        if not best_rows:
            return None, None
        note = ("tensors that still go to DRAM are compressed by the codec's measured "
                "per-layer ratio (pooled over the dataset's images, fixed8 words for int8); "
                "a tensor with no measured ratio (the network input, pools, the classifier) "
                "is assumed uncompressed (ratio 1, 'assumed'); the last column is the share "
                "of the off-chip feature-map bytes with a measured ratio. Weights are not "
                "compressed. Codec per-layer names are the dataset's feature-map names: a "
                "name equal to a network tensor maps to it, X.out (a block output) to the "
                "last tensor of block X (its add or projection), sizes checked.")
        best = Table("shortcutfusion_codec_best", "Planner x lossless codec: the best "
                     "combination per network and budget (real activations; the lower "
                     "bound is left out: it is not a buffer of that size)",
                     ["network", "budget KiB", "policy", "codec", "DRAM MiB",
                      "same policy uncompressed MiB", "reduction vs baseline %",
                      "measured share %"], best_rows, notes=[note])
        every = Table("shortcutfusion_codec_all", "Planner x lossless codec, every "
                      "combination (CSV only)",
                      ["network", "budget KiB", "policy", "codec", "DRAM MiB",
                       "reduction vs baseline %", "measured share %"], all_rows,
                      notes=[note], show=False)
        return best, every

    # --- plot --------------------------------------------------------------------
    def _plot(self, nets: list[_Network]) -> Plot:
        def draw(fig: Any) -> None:
            cols = min(len(nets), 3)
            rows = -(-len(nets) // cols)
            for i, net in enumerate(nets):
                ax = fig.add_subplot(rows, cols, i + 1)
                for policy in POLICIES:
                    pts = sorted((b / 1024, p["dram_bytes"] / MIB)
                                 for b, p in net.sweep(policy).items())
                    if policy in ("baseline", "lower_bound") and pts:
                        sf = sorted(net.sweep("shortcutfusion"))
                        pts = [(b / 1024, pts[0][1]) for b in sf]
                    if pts:
                        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                                markersize=3, label=LABELS[policy])
                ax.set_xscale("log", base=2)
                ax.set_title(net.name, fontsize=8)
                ax.set_xlabel("on-chip budget (KiB)", fontsize=7)
                ax.set_ylabel("DRAM MiB", fontsize=7)
                ax.tick_params(labelsize=6)
                ax.legend(fontsize=5)
            fig.set_size_inches(4 * cols, 3.2 * rows)

        return Plot("shortcutfusion_dram", "DRAM traffic against the on-chip budget", draw,
                    "DRAM MiB per inference against the on-chip feature-map budget, per "
                    "network and policy (int8).")
