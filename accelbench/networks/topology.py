"""SCALE-Sim topology CSV: parsing (with SCALE-Sim's own rules), import and export.

Format (conv): header ``Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter
Width, Channels, Num Filter, Strides,`` then one row per layer. SCALE-Sim drops the last
comma-separated field of every row, so rows end with a comma; an optional ``N:M``
sparsity field may follow the stride. The IFMAP sizes are already padded; one stride
applies to both axes. A row whose name contains ``DP`` is a depthwise layer: SCALE-Sim
runs it as one single-channel layer per channel. GEMM form: ``Layer Name, M, N, K,``,
which SCALE-Sim runs as an M x K "image" with a 1 x K filter and N filters.

Parsing follows SCALE-Sim (the first line is always the header, blank lines are skipped,
the last field is dropped) but reports what SCALE-Sim would crash on or silently misread
as a :class:`TopologyError` naming the line.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from accelbench.errors import AccelbenchError
from accelbench.networks.types import Layer, Network

CONV_HEADER = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
               "Channels, Num Filter, Strides,")
GEMM_HEADER = "Layer Name, M, N, K,"
INPUT_TYPES = ("auto", "conv", "gemm")
#: largest value of a size field (what a 32-bit configuration register holds): keeps every
#: derived quantity (output size, MACs, utilisation) exact and far from float overflow
MAX_FIELD = 2**31 - 1
#: a topology file larger than this is refused rather than read into memory
MAX_TOPOLOGY_BYTES = 64 * 1024 * 1024
#: SCALE-Sim runs a DP row as one layer per channel: at most this many layers in all
MAX_EXPANDED_LAYERS = 1_000_000


class TopologyError(AccelbenchError, ValueError):
    """A topology CSV that SCALE-Sim would reject or misread."""


@dataclass(frozen=True)
class TopologyRow:
    """One row of a topology, in SCALE-Sim's conv terms (GEMM rows already converted)."""

    name: str
    ifmap_h: int
    ifmap_w: int
    filter_h: int
    filter_w: int
    channels: int
    num_filter: int
    stride: int
    sparsity: tuple[int, int] = (1, 1)
    line: int = field(default=0, compare=False)
    gemm: bool = False

    @property
    def depthwise(self) -> bool:
        """SCALE-Sim's rule: conv rows whose name contains "DP" (case-sensitive)."""
        return not self.gemm and "DP" in self.name


def _int_field(text: str, what: str, line: int, minimum: int = 1,
               maximum: int = MAX_FIELD) -> int:
    stripped = text.strip()
    if len(stripped) > 20:  # int() of thousands of digits is slow, and no size is that long
        raise TopologyError(f"line {line}: {what} must be an integer <= {maximum:,}, got "
                            f"{stripped[:20]!r}... ({len(stripped)} characters)")
    try:
        value = int(stripped)
    except ValueError:
        raise TopologyError(f"line {line}: {what} must be an integer, got "
                            f"{stripped!r}") from None
    if value < minimum:
        raise TopologyError(f"line {line}: {what} must be >= {minimum}, got {value}")
    if value > maximum:
        raise TopologyError(f"line {line}: {what} must be <= {maximum:,}, got {value:,}")
    return value


def _sparsity(text: str, line: int) -> tuple[int, int]:
    parts = text.strip().split(":")
    if len(parts) != 2:
        raise TopologyError(f"line {line}: sparsity must be N:M, got {text.strip()!r}")
    n = _int_field(parts[0], "sparsity N", line)
    m = _int_field(parts[1], "sparsity M", line)
    if n > m:
        raise TopologyError(f"line {line}: sparsity {n}:{m} has N > M")
    return n, m


def detect_input_type(text: str) -> str:
    """"gemm" if the header's fields 2-4 are M, N, K, else "conv"."""
    first = text.splitlines()[0] if text.strip() else ""
    fields = [f.strip().lower() for f in first.split(",")]
    return "gemm" if fields[1:4] == ["m", "n", "k"] else "conv"


def parse_topology(text: str, input_type: str = "auto", *,
                   source: str = "topology") -> list[TopologyRow]:
    """Rows of a topology CSV, parsed as SCALE-Sim parses them (see module docstring)."""
    if input_type not in INPUT_TYPES:
        raise TopologyError(f"input type must be one of {INPUT_TYPES}, got {input_type!r}")
    if input_type == "auto":
        input_type = detect_input_type(text)
    gemm = input_type == "gemm"
    needed = 4 if gemm else 8
    rows: list[TopologyRow] = []
    lines = text.splitlines()
    for number, raw in enumerate(lines[1:], start=2):
        row = raw.strip()
        if not row:
            continue
        fields = row.split(",")
        dropped = fields[-1].strip()
        fields = fields[:-1]  # SCALE-Sim drops the last field of every row
        if len(fields) < needed:
            hint = (" (rows must end with a comma: SCALE-Sim drops the last field)"
                    if dropped else "")
            raise TopologyError(f"{source}: line {number}: expected {needed} fields "
                                f"({GEMM_HEADER if gemm else CONV_HEADER}), got "
                                f"{len(fields)}{hint}: {row!r}")
        if len(fields) > needed + 1:
            raise TopologyError(f"{source}: line {number}: {len(fields)} fields; at most "
                                f"{needed + 1} (with an N:M sparsity field) are allowed: "
                                f"{row!r}")
        if dropped:
            warnings.warn(f"{source}: line {number}: the last field {dropped!r} has no "
                          f"trailing comma and is ignored, as SCALE-Sim ignores it",
                          stacklevel=2)
        name = fields[0].strip()
        if not name:
            raise TopologyError(f"{source}: line {number}: empty layer name")
        sparsity = _sparsity(fields[needed], number) if len(fields) > needed else (1, 1)
        try:
            if gemm:
                m, n, k = (_int_field(fields[i], what, number)
                           for i, what in ((1, "M"), (2, "N"), (3, "K")))
                rows.append(TopologyRow(name, m, k, 1, k, 1, n, 1, sparsity, number, True))
                continue
            h, w, fh, fw, ch, nf, s = (
                _int_field(fields[i], what, number) for i, what in enumerate(
                    ("IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                     "Channels", "Num Filter", "Strides"), start=1))
        except TopologyError as exc:
            raise TopologyError(f"{source}: {exc}") from None
        if fh > h or fw > w:
            raise TopologyError(f"{source}: line {number}: filter {fh}x{fw} is larger than "
                                f"the IFMAP {h}x{w} (SCALE-Sim asserts on this)")
        rows.append(TopologyRow(name, h, w, fh, fw, ch, nf, s, sparsity, number))
    if not rows:
        raise TopologyError(f"{source}: no layers (the first line is the header)")
    return rows


def read_topology(path: str | Path, input_type: str = "auto") -> list[TopologyRow]:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_TOPOLOGY_BYTES:
            raise TopologyError(f"topology {path} is larger than {MAX_TOPOLOGY_BYTES:,} bytes")
        text = path.read_text()
    except OSError as exc:
        raise TopologyError(f"cannot read topology {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise TopologyError(f"topology {path} is not a text file") from None
    return parse_topology(text, input_type, source=str(path))


def expand_depthwise(rows: list[TopologyRow]) -> list[TopologyRow]:
    """SCALE-Sim's layer list: each DP row becomes ``channels`` single-channel layers
    named ``<name>Channel_<i>``, each with the row's Num Filter filters."""
    total = sum(row.channels if row.depthwise else 1 for row in rows)
    if total > MAX_EXPANDED_LAYERS:
        worst = max(rows, key=lambda r: r.channels if r.depthwise else 1)
        raise TopologyError(f"the topology expands to {total:,} layers (depthwise row "
                            f"{worst.name!r}, line {worst.line}, has {worst.channels:,} "
                            f"channels, one layer each); at most {MAX_EXPANDED_LAYERS:,}")
    out: list[TopologyRow] = []
    for row in rows:
        if row.depthwise:
            out.extend(TopologyRow(f"{row.name}Channel_{i}", row.ifmap_h, row.ifmap_w,
                                   row.filter_h, row.filter_w, 1, row.num_filter, row.stride,
                                   row.sparsity, row.line)
                       for i in range(row.channels))
        else:
            out.append(row)
    return out


def topology_to_network(rows: list[TopologyRow], name: str) -> Network:
    """A network whose layers are the rows in order (unpadded: the IFMAP is pre-padded).

    Rows are independent layers, chained only to keep their order, so shapes between
    rows are not checked. A DP row becomes a depthwise conv (a grouped conv with
    ``Num Filter`` filters per channel); a GEMM row becomes the conv SCALE-Sim runs.
    """
    first = rows[0]
    layers = [Layer("input", "input", (), (first.channels, first.ifmap_h, first.ifmap_w),
                    (first.channels, first.ifmap_h, first.ifmap_w))]
    for row in rows:
        in_shape = (row.channels, row.ifmap_h, row.ifmap_w)
        oh = (row.ifmap_h - row.filter_h) // row.stride + 1
        ow = (row.ifmap_w - row.filter_w) // row.stride + 1
        groups = row.channels if row.depthwise else 1
        cout = row.channels * row.num_filter if row.depthwise else row.num_filter
        op = "dwconv" if row.depthwise and row.num_filter == 1 else "conv"
        layers.append(Layer(row.name, op, (layers[-1].name,), in_shape, (cout, oh, ow),
                            (row.filter_h, row.filter_w), (row.stride, row.stride),
                            (0, 0, 0, 0), groups, "linear", False))
    return Network(name, tuple(layers), description=f"imported SCALE-Sim topology {name}",
                   source="SCALE-Sim topology CSV", in_default_matrix=False,
                   shapes_checked=False)


def _csv_name(layer_name: str, depthwise: bool) -> str:
    name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in layer_name)
    name = name.replace("DP", "D_P")  # only depthwise rows may contain "DP"
    return f"{name}_DP" if depthwise else name


def network_to_rows(network: Network) -> list[TopologyRow]:
    """Compute layers as SCALE-Sim rows: padding folded into the IFMAP size, grouped
    convs split into one row per group, depthwise convs as one "DP" row, fc as 1x1."""
    rows: list[TopologyRow] = []
    for layer in network.compute_layers():
        if layer.op == "fc":
            rows.append(TopologyRow(_csv_name(layer.name, False), 1, 1, 1, 1,
                                    layer.in_features, layer.out_channels, 1))
            continue
        sh, sw = layer.stride
        if sh != sw:
            raise TopologyError(f"layer {layer.name!r} has stride {layer.stride}; SCALE-Sim "
                                f"topologies have one stride for both axes")
        hp, wp = layer.padded_in_hw
        kh, kw = layer.kernel
        cin, cout, g = layer.in_channels, layer.out_channels, layer.groups
        if g == 1:
            rows.append(TopologyRow(_csv_name(layer.name, False), hp, wp, kh, kw, cin, cout,
                                    sh))
        elif g == cin:
            rows.append(TopologyRow(_csv_name(layer.name, True), hp, wp, kh, kw, cin,
                                    cout // cin, sh))
        else:
            rows.extend(TopologyRow(_csv_name(f"{layer.name}_g{i}", False), hp, wp, kh, kw,
                                    cin // g, cout // g, sh) for i in range(g))
    return rows


def rows_to_csv(rows: list[TopologyRow]) -> str:
    lines = [CONV_HEADER]
    for r in rows:
        fields = [r.name, r.ifmap_h, r.ifmap_w, r.filter_h, r.filter_w, r.channels,
                  r.num_filter, r.stride]
        if r.sparsity != (1, 1):
            fields.append(f"{r.sparsity[0]}:{r.sparsity[1]}")
        lines.append(", ".join(str(f) for f in fields) + ",")
    return "\n".join(lines) + "\n"


def network_to_topology_csv(network: Network) -> str:
    """SCALE-Sim topology CSV text of ``network``'s compute layers."""
    return rows_to_csv(network_to_rows(network))


def scalesim_output_hw(row: TopologyRow) -> tuple[int, int]:
    """SCALE-Sim's output size: ceil((H - F + s) / s), one more than the true
    floor((H - F) / s) + 1 when (H - F) is not a multiple of s."""
    return (math.ceil((row.ifmap_h - row.filter_h + row.stride) / row.stride),
            math.ceil((row.ifmap_w - row.filter_w + row.stride) / row.stride))
