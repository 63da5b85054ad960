"""One SPOTS netlist configuration: the array and IM2COL parameters, the maximum layer
sizes and memory capacities it is built for, and everything derived from them (register
widths, configuration registers, host-port targets, the weight-list entry layout).

A layer's sizes, stride, padding and weight lists arrive at run time through the host
port (:mod:`accelbench.netlist.host`); :mod:`accelbench.designs.spots.program` computes
them and checks that a layer fits these limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from accelbench.designs.spots.plan import SpotsConfig
from accelbench.netlist.lib import ConfigField, count_bits, index_bits, lane_groups


@dataclass(frozen=True)
class SpotsLimits:
    """The largest layer a netlist runs and its memories' capacities (words per memory).

    Defaults (labelled "default"), 21.6 Mbit of SRAM in all: a global buffer of 64 banks x
    16 Ki words (1 MiB), local memories of 8 Ki words (the largest EfficientNet-Lite0
    layer needs 6,912) and a weight list of 4 Ki entries (each ``block`` words x
    ``cols x subarrays`` filters). A layer beyond them (the model still counts it, as if
    the buffers were larger) is reported per layer and per network; EfficientNet-Lite0
    has two (block01.dw's input and the classifier's weights).
    """

    max_height: int = 224
    max_width: int = 224
    max_channels: int = 2048
    max_filters: int = 2048
    max_kernel: int = 11
    #: input words per global-buffer bank (the layer's whole input map)
    gbuf_words: int = 1 << 14
    #: words per IM2COL local memory (kh + stride input rows)
    local_words: int = 1 << 13
    #: entries of the compacted weight list (skip blocks with their weights)
    entries: int = 1 << 12


@dataclass(frozen=True)
class MetaLayout:
    """Field widths of one weight-list entry (the metadata memory's word), LSB first:
    dummy, last, first, channel block, dx, dy."""

    dy: int
    dx: int
    cb: int

    @property
    def width(self) -> int:
        return self.dy + self.dx + self.cb + 3

    def pack(self, dy: int, dx: int, cb: int, first: bool, last: bool, dummy: bool) -> int:
        word = (dy << self.dx | dx) << self.cb | cb
        return ((word << 1 | first) << 1 | last) << 1 | dummy


@dataclass(frozen=True)
class SpotsHardware:
    """A SPOTS system netlist configuration (see the module docstring)."""

    config: SpotsConfig = field(default_factory=SpotsConfig)
    limits: SpotsLimits = field(default_factory=SpotsLimits)

    def __post_init__(self) -> None:
        lim = self.limits
        if lim.max_kernel >= self.config.banks:
            raise ValueError(f"kernels up to {lim.max_kernel} need more than "
                             f"{self.config.banks} IM2COL banks")

    @property
    def netlist_key(self) -> SpotsHardware:
        """What the netlist depends on (skipping is configured per layer at run time)."""
        return replace(self, config=self.config.skipping)

    # ---- derived sizes
    @property
    def banks(self) -> int:
        return self.config.banks

    @property
    def bank_bits(self) -> int:
        return index_bits(self.banks)

    @property
    def filter_columns(self) -> int:
        """Weight columns stored per entry: every sub-array's (split mode)."""
        return self.config.cols * self.config.subarrays

    @property
    def max_slots(self) -> int:
        return self.limits.max_kernel + self.config.max_stride(self.config.subarrays > 1)

    @property
    def flag_words(self) -> int:
        """Zero-flag words per local memory (one bit per activation, a block a word)."""
        return max(2, self.limits.local_words // self.config.block)

    @property
    def weight_words(self) -> int:
        return self.limits.entries * self.config.block

    def lane_strides(self) -> list[list[int]]:
        """The strides each lane can meet (lanes of the first sub-array also serve split
        mode, whose fewer lanes reach larger strides)."""
        cfg = self.config
        split = cfg.subarrays > 1
        return [list(range(1, cfg.max_stride(split and i < cfg.rows_per_sub) + 1))
                for i in range(cfg.rows)]

    @cached_property
    def widths(self) -> dict[str, int]:
        """Register widths (bits) of the layer quantities."""
        lim, cfg = self.limits, self.config
        smax = cfg.max_stride(cfg.subarrays > 1)
        y = count_bits(lim.max_height + lim.max_kernel)
        x = count_bits(2 * (lim.max_width + lim.max_kernel + cfg.rows * smax)) + 1
        return {
            "y": y, "x": x, "stride": count_bits(smax),
            "slot": index_bits(self.max_slots), "slots": count_bits(self.max_slots),
            "kernel": index_bits(lim.max_kernel), "channel": index_bits(lim.max_channels),
            "channels": count_bits(lim.max_channels),
            "cblock": index_bits(-(-lim.max_channels // cfg.block)),
            "cblocks": count_bits(-(-lim.max_channels // cfg.block)),
            "q": index_bits(cfg.block), "tiles": index_bits(lim.max_width),
            "ftiles": index_bits(-(-lim.max_filters // cfg.cols)),
            "lanes": count_bits(cfg.rows), "local": index_bits(self.limits.local_words),
            "flag": index_bits(self.flag_words), "gbuf": index_bits(self.limits.gbuf_words),
            "entry": index_bits(self.limits.entries), "weight": index_bits(self.weight_words),
        }

    @cached_property
    def meta(self) -> MetaLayout:
        w = self.widths
        return MetaLayout(w["kernel"], w["kernel"], w["cblock"])

    @cached_property
    def fields(self) -> list[ConfigField]:
        """The configuration registers, in host-port address order ("+": one more bit)."""
        w = {**self.widths, "one": 1}
        spec = (
            # loader
            ("h", "y"), ("rw_m1", "local"), ("rw", "local+"), ("c_m1", "channel"),
            ("rwf", "flag+"), ("ns_m1", "slot"), ("limit0", "y"), ("stride", "stride"),
            # front end: walk, rows, columns, channel blocks
            ("eh_m1", "y"), ("tw_m1", "tiles"), ("ft_m1", "ftiles"), ("need0", "y"),
            ("slot0", "slot"), ("ns", "slots"), ("pt", "y"), ("hpt", "y"), ("pl", "kernel"),
            ("w", "x"), ("ls", "x"), ("ew", "x"), ("lanes", "lanes"), ("c", "channels"),
            ("cbs", "cblocks"), ("cb_m1", "cblock"), ("last_m1", "q"),
            ("split", "one"), ("skip_inputs", "one"))
        return [ConfigField(name, w[kind.rstrip("+")] + kind.endswith("+"))
                for name, kind in spec]

    @property
    def targets(self) -> dict[str, int]:
        """Host-port targets: configuration, weight-list metadata, weight word groups,
        global-buffer word groups."""
        out = {"config": 0, "meta": 1}
        for g in range(lane_groups(self.filter_columns)):
            out[f"weight{g}"] = len(out)
        for g in range(lane_groups(self.banks)):
            out[f"gbuf{g}"] = len(out)
        return out

    @property
    def address_bits(self) -> int:
        w = self.widths
        return max(w["gbuf"], w["weight"], w["entry"], index_bits(len(self.fields)))

    def build(self, ports) -> None:
        from accelbench.designs.spots.netlist import spots_system

        spots_system(ports, self)
