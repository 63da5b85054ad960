"""Per-access energy models: cited constants as data, size interpolation, user tables.

A model prices the accesses a record counted: one multiply-accumulate, one access to an
on-chip SRAM of a given size, one access to a register file, one byte moved to or from
DRAM. SRAM costs are given at anchor sizes and interpolated log-log between them (and
extrapolated outside them along the nearest segment), the way Horowitz's table is read.

Built-in models:

* ``horowitz45`` (Horowitz, "Computing's energy problem", ISSCC 2014, 45 nm, 0.9 V), in pJ;
* ``eyeriss-relative`` (Chen et al., ISCA 2016, Fig. 6 normalised energy), in MAC units.

A user table (TOML, see :func:`load_table` and docs/energy.md) overrides any of them.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from accelbench.errors import AccelbenchError


class EnergyTableError(AccelbenchError):
    """A user energy table is malformed (the message names the entry)."""


@dataclass(frozen=True)
class SramPoint:
    """Energy of one access of ``access_bits`` to an SRAM of ``size_bytes``."""

    size_bytes: float
    energy: float
    access_bits: int = 64


@dataclass(frozen=True)
class EnergyModel:
    """Per-access costs in ``unit`` (``pJ`` or ``MAC units``).

    ``mac``: energy of one multiply-accumulate by operand type (``int8``: 8-bit multiply
    with 32-bit accumulation); ``sram``: anchor points, interpolated by size;
    ``dram_per_byte`` (and a ``dram_per_byte_high`` second column); ``rf``: either a
    constant per access of ``rf_access_bits`` (``rf_energy``) or, when None, the SRAM
    curve read at the register file's size.
    """

    name: str
    unit: str
    source: str
    mac: dict[str, float]
    sram: tuple[SramPoint, ...]
    dram_per_byte: float
    dram_per_byte_high: float | None = None
    rf_energy: float | None = None
    rf_access_bits: int = 64
    notes: tuple[str, ...] = ()
    operations: dict[str, float] = field(default_factory=dict)

    def sram_access(self, size_bytes: float) -> float:
        """Energy of one access (of the anchors' width) to an SRAM of ``size_bytes``."""
        if size_bytes <= 0:
            raise AccelbenchError(f"SRAM size must be positive, got {size_bytes}")
        pts = sorted(self.sram, key=lambda p: p.size_bytes)
        if len(pts) == 1:
            return pts[0].energy
        i = 0  # the segment [pts[i], pts[i+1]] holding the size (or the nearest one)
        while i < len(pts) - 2 and size_bytes > pts[i + 1].size_bytes:
            i += 1
        lo, hi = pts[i], pts[i + 1]
        t = (math.log(size_bytes) - math.log(lo.size_bytes)) / (
            math.log(hi.size_bytes) - math.log(lo.size_bytes))
        return math.exp(math.log(lo.energy) + t * (math.log(hi.energy) - math.log(lo.energy)))

    def sram_per_byte(self, size_bytes: float) -> float:
        return self.sram_access(size_bytes) / (self.sram[0].access_bits / 8)

    def rf_per_byte(self, size_bytes: float) -> float:
        if self.rf_energy is not None:
            return self.rf_energy / (self.rf_access_bits / 8)
        return self.sram_per_byte(size_bytes)

    def mac_energy(self, kind: str = "int8") -> float:
        try:
            return self.mac[kind]
        except KeyError:
            raise AccelbenchError(f"energy model {self.name!r} has no MAC cost for "
                                  f"{kind!r}; it has {', '.join(sorted(self.mac))}") from None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.unit, "source": self.source,
                "mac": dict(self.mac), "operations": dict(self.operations),
                "sram": [{"size_bytes": p.size_bytes, "energy_per_access": p.energy,
                          "access_bits": p.access_bits} for p in self.sram],
                "dram_per_byte": self.dram_per_byte,
                "dram_per_byte_high": self.dram_per_byte_high,
                "rf": ({"energy_per_access": self.rf_energy,
                        "access_bits": self.rf_access_bits} if self.rf_energy is not None
                       else "SRAM curve at the register file's size"),
                "notes": list(self.notes)}


KIB = 1024
HOROWITZ45 = EnergyModel(
    name="horowitz45", unit="pJ",
    source="M. Horowitz, Computing's energy problem (and what we can do about it), ISSCC "
           "2014: 45 nm, 0.9 V",
    operations={"int8_mult": 0.2, "int8_add": 0.03, "int32_add": 0.1, "int32_mult": 3.1,
                "fp16_add": 0.4, "fp16_mult": 1.1, "fp32_add": 0.9, "fp32_mult": 3.7},
    # a MAC = multiply + accumulate add (32-bit integer accumulation; float adds in kind)
    mac={"int8": 0.3, "int16": 0.9, "fp16": 1.5, "fp32": 4.6},
    sram=(SramPoint(8 * KIB, 10.0), SramPoint(32 * KIB, 20.0), SramPoint(1024 * KIB, 100.0)),
    dram_per_byte=1300.0 / 8, dram_per_byte_high=2600.0 / 8,
    notes=("int8 MAC = 8-bit multiply 0.2 pJ + 32-bit add 0.1 pJ (32-bit accumulation); "
           "int16 multiply assumed 0.8 pJ (quadratic between the 8- and 32-bit figures; "
           "Horowitz gives no 16-bit integer multiply)",
           "SRAM per 64-bit access, log-log interpolated between 8 KB, 32 KB and 1 MB",
           "DRAM 1.3 nJ per 64-bit access (the low end of 1.3-2.6 nJ); high end as a "
           "second column",
           "register files: the SRAM curve extrapolated down to their size"))
EYERISS_RELATIVE = EnergyModel(
    name="eyeriss-relative", unit="MAC units",
    source="Y.-H. Chen, J. Emer, V. Sze, Eyeriss, ISCA 2016: normalised energy per access "
           "(RF 1x, inter-PE 2x, global buffer 6x, DRAM 200x one MAC)",
    mac={"int8": 1.0, "int16": 1.0, "fp16": 1.0, "fp32": 1.0},
    sram=(SramPoint(108 * KIB, 6.0, 16),), dram_per_byte=200.0 / 2,
    rf_energy=1.0, rf_access_bits=16,
    notes=("costs per 16-bit word access normalised to one MAC (Eyeriss's word width); "
           "bytes are converted at 2 bytes per access",
           "one global-buffer cost for every SRAM size; inter-PE transfers (2x) are not "
           "counted separately"))

MODELS: dict[str, EnergyModel] = {m.name: m for m in (HOROWITZ45, EYERISS_RELATIVE)}
DEFAULT_MODEL = "horowitz45"


def get_model(name: str = DEFAULT_MODEL, table: str | Path | None = None) -> EnergyModel:
    """A built-in model, overridden by a user's TOML table if given."""
    if name not in MODELS:
        raise AccelbenchError(f"unknown energy model {name!r}; known: {', '.join(MODELS)}")
    model = MODELS[name]
    return load_table(table, base=model) if table is not None else model


def _number(value: Any, where: str, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            value) or (positive and value <= 0):
        raise EnergyTableError(f"{where} must be a positive finite number, got {value!r}")
    return float(value)


def load_table(path: str | Path, *, base: EnergyModel = HOROWITZ45) -> EnergyModel:
    """Read a TOML energy table; its entries replace ``base``'s (see docs/energy.md)::

        name = "my-28nm"            # optional
        unit = "pJ"                 # optional
        source = "vendor datasheet"  # optional
        [mac]                       # energy per MAC by operand type
        int8 = 0.12
        [dram]
        per_byte = 80.0
        per_byte_high = 120.0       # optional second column
        [[sram]]                    # one or more anchor points
        size_bytes = 65536
        energy_per_access = 12.0
        access_bits = 64            # optional, default 64
        [rf]                        # optional: a constant instead of the SRAM curve
        energy_per_access = 0.5
        access_bits = 16
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise EnergyTableError(f"cannot read energy table {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EnergyTableError(f"energy table {path} is not valid TOML: {exc}") from None
    known = {"name", "unit", "source", "mac", "dram", "sram", "rf"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise EnergyTableError(f"energy table {path}: unknown entry {unknown[0]!r} (known: "
                               f"{', '.join(sorted(known))})")
    changes: dict[str, Any] = {"name": str(data.get("name", f"{base.name}+{path.name}")),
                               "source": str(data.get("source", f"user table {path}"))}
    if "unit" in data:
        changes["unit"] = str(data["unit"])
    if "mac" in data:
        if not isinstance(data["mac"], dict) or not data["mac"]:
            raise EnergyTableError(f"energy table {path}: [mac] must map operand types to "
                                   "energies")
        changes["mac"] = {**base.mac, **{str(k): _number(v, f"mac.{k}")
                                         for k, v in data["mac"].items()}}
    if "dram" in data:
        dram = data["dram"]
        if not isinstance(dram, dict) or "per_byte" not in dram:
            raise EnergyTableError(f"energy table {path}: [dram] needs per_byte")
        bad = sorted(set(dram) - {"per_byte", "per_byte_high"})
        if bad:
            raise EnergyTableError(f"energy table {path}: unknown entry dram.{bad[0]}")
        changes["dram_per_byte"] = _number(dram["per_byte"], "dram.per_byte")
        changes["dram_per_byte_high"] = (_number(dram["per_byte_high"], "dram.per_byte_high")
                                         if "per_byte_high" in dram else None)
    if "sram" in data:
        points = data["sram"]
        if not isinstance(points, list) or not points:
            raise EnergyTableError(f"energy table {path}: sram must be a list of "
                                   "[[sram]] points")
        parsed = []
        for i, p in enumerate(points):
            where = f"sram[{i}]"
            if not isinstance(p, dict) or {"size_bytes", "energy_per_access"} - set(p):
                raise EnergyTableError(f"energy table {path}: {where} needs size_bytes and "
                                       "energy_per_access")
            bad = sorted(set(p) - {"size_bytes", "energy_per_access", "access_bits"})
            if bad:
                raise EnergyTableError(f"energy table {path}: unknown entry {where}.{bad[0]}")
            bits = p.get("access_bits", 64)
            if isinstance(bits, bool) or not isinstance(bits, int) or bits < 1:
                raise EnergyTableError(f"{where}.access_bits must be a positive integer")
            parsed.append(SramPoint(_number(p["size_bytes"], f"{where}.size_bytes"),
                                    _number(p["energy_per_access"],
                                            f"{where}.energy_per_access"), bits))
        if len({p.access_bits for p in parsed}) != 1:
            raise EnergyTableError(f"energy table {path}: every [[sram]] point needs the same "
                                   "access_bits")
        if len({p.size_bytes for p in parsed}) != len(parsed):
            raise EnergyTableError(f"energy table {path}: two [[sram]] points have the same "
                                   "size_bytes")
        changes["sram"] = tuple(parsed)
    if "rf" in data:
        rf = data["rf"]
        if not isinstance(rf, dict) or "energy_per_access" not in rf:
            raise EnergyTableError(f"energy table {path}: [rf] needs energy_per_access")
        changes["rf_energy"] = _number(rf["energy_per_access"], "rf.energy_per_access")
        bits = rf.get("access_bits", 64)
        if isinstance(bits, bool) or not isinstance(bits, int) or bits < 1:
            raise EnergyTableError("rf.access_bits must be a positive integer")
        changes["rf_access_bits"] = bits
    changes["notes"] = (*base.notes, f"overridden by {path.name}: "
                        + ", ".join(sorted(k for k in data if k in ("mac", "dram", "sram",
                                                                     "rf"))))
    return replace(base, **changes)
