"""The buffer controller's program: a plan compiled to per-layer transfer instructions, and
the golden model of the controller that executes it.

One instruction moves one tensor (or a weight block) of one layer:

=========  ======================================================================
op         meaning
=========  ======================================================================
``RD``     read ``length`` bytes from the on-chip buffer at word ``base``
``WR``     write ``length`` bytes into the on-chip buffer at word ``base``
``DRD``    read ``length`` bytes from DRAM (a weight block or an off-chip tensor)
``DWR``    write ``length`` bytes to DRAM (an off-chip tensor, a network output)
=========  ======================================================================

Per layer, in execution order: its weights (``DRD``), each input (``RD`` when on chip,
else ``DRD``), its output (``WR`` when on chip, else ``DWR``; a network output kept on
chip is also written to DRAM). The network input kept on chip is loaded at step 0. A
transfer longer than one instruction can hold is split at a multiple of the burst and
word sizes, so burst and word counts do not change.

The controller walks each on-chip region once, one buffer word (``word_bytes``) per cycle,
emitting ``(RD|WR, address)``; it counts DRAM bytes and bursts (``ceil(length / burst)``
per instruction) and, after the program, emits the four counters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accelbench.errors import AccelbenchError
from accelbench.families.memory import Plan
from accelbench.networks.types import Network

RD, WR, DRD, DWR = range(4)
#: output word kinds: on-chip read address, on-chip write address, counter
KIND_READ, KIND_WRITE, KIND_COUNT = 0, 1, 2
COUNTERS = ("dram_read_bytes", "dram_write_bytes", "dram_read_bursts", "dram_write_bursts")


class ProgramError(AccelbenchError, ValueError):
    """A plan that does not fit the controller configuration."""


@dataclass(frozen=True)
class ControllerConfig:
    """One controller configuration (one netlist); defaults labelled in the docs.

    ``word_bytes``: on-chip buffer word (= the planner's alignment); ``burst_bytes``: DRAM
    burst; ``addr_bits``: buffer words addressable (2**17 x 64 B = 8 MiB);
    ``len_bits``: bytes per instruction; ``prog_bits``: program memory depth;
    ``count_bits``: counter width.
    """

    word_bytes: int = 64
    burst_bytes: int = 64
    addr_bits: int = 17
    len_bits: int = 24
    prog_bits: int = 12
    count_bits: int = 40

    def __post_init__(self) -> None:
        for name in ("word_bytes", "burst_bytes"):
            v = getattr(self, name)
            if v < 1 or v & (v - 1):
                raise ProgramError(f"{name} must be a power of two, got {v}")

    @property
    def instr_bits(self) -> int:
        return 2 + self.addr_bits + self.len_bits

    @property
    def payload_bits(self) -> int:
        return max(self.addr_bits, self.count_bits)

    @property
    def out_bits(self) -> int:
        return 2 + self.payload_bits

    @property
    def max_chunk(self) -> int:
        """The longest transfer one instruction holds (a multiple of burst and word)."""
        step = max(self.word_bytes, self.burst_bytes)
        return ((1 << self.len_bits) - 1) // step * step

    def describe(self) -> str:
        return (f"instruction-driven buffer controller: {1 << self.prog_bits}-instruction "
                f"program SRAM ({self.instr_bits}-bit), {self.word_bytes}-byte buffer words, "
                f"{1 << self.addr_bits} words addressable, {self.burst_bytes}-byte DRAM "
                f"bursts, {self.count_bits}-bit counters")


@dataclass(frozen=True)
class Instruction:
    op: int
    base: int  # buffer word address (on-chip ops)
    length: int  # bytes

    def encode(self, cfg: ControllerConfig) -> int:
        return (self.op << (cfg.addr_bits + cfg.len_bits)) | (self.base << cfg.len_bits) \
            | self.length


def _split(op: int, base: int, length: int, cfg: ControllerConfig) -> list[Instruction]:
    out = []
    while length > 0:
        chunk = min(length, cfg.max_chunk)
        out.append(Instruction(op, base, chunk))
        base += chunk // cfg.word_bytes
        length -= chunk
    return out


def compile_plan(network: Network, plan: Plan, cfg: ControllerConfig) -> list[Instruction]:
    """The per-layer program of ``plan`` (see the module docstring)."""
    if plan.alignment % cfg.word_bytes:
        raise ProgramError(f"plan aligned to {plan.alignment} bytes; the controller's "
                           f"buffer words are {cfg.word_bytes} bytes")
    tensors = {t.name: t for t in plan.tensors}
    words = 1 << cfg.addr_bits
    for t in plan.tensors:
        if t.onchip and (t.offset + t.onchip_bytes) // cfg.word_bytes > words:
            raise ProgramError(f"tensor {t.name!r} ends at byte {t.offset + t.onchip_bytes}; "
                               f"the controller addresses {words * cfg.word_bytes} bytes")
    weights = dict(plan.layer_weight_bytes)
    outputs = {layer.name for layer in network.outputs}
    prog: list[Instruction] = []

    def move(op_chip: int, op_dram: int, name: str) -> None:
        t = tensors[name]
        if t.onchip:
            prog.extend(_split(op_chip, t.offset // cfg.word_bytes, t.size_bytes, cfg))
        else:
            prog.extend(_split(op_dram, 0, t.size_bytes, cfg))

    first = network.layers[0].name
    if tensors[first].onchip:
        prog.extend(_split(DRD, 0, tensors[first].size_bytes, cfg))
        move(WR, DWR, first)
    for layer in network.layers[1:]:
        prog.extend(_split(DRD, 0, weights.get(layer.name, 0), cfg))
        for src in layer.inputs:
            move(RD, DRD, src)
        move(WR, DWR, layer.name)
        if tensors[layer.name].onchip and layer.name in outputs:
            prog.extend(_split(DWR, 0, tensors[layer.name].size_bytes, cfg))
    if not prog:
        raise ProgramError("the plan has no transfer: nothing to execute")
    if len(prog) > 1 << cfg.prog_bits:
        raise ProgramError(f"the program has {len(prog)} instructions; the controller holds "
                           f"{1 << cfg.prog_bits}")
    return prog


def encode(program: Sequence[Instruction], cfg: ControllerConfig) -> np.ndarray:
    return np.array([i.encode(cfg) for i in program], dtype=np.uint64)


@dataclass(frozen=True)
class Execution:
    """What the controller emits for a program, and its counters."""

    words: np.ndarray  # every output word, in order (uint64)
    counters: dict[str, int]
    onchip_read_words: int
    onchip_write_words: int


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def execute(program: Sequence[Instruction], cfg: ControllerConfig) -> Execution:
    """Golden model: the controller's output words for ``program``, bit for bit."""
    shift = cfg.payload_bits
    out: list[np.ndarray] = []
    counters = dict.fromkeys(COUNTERS, 0)
    reads = writes = 0
    for ins in program:
        if ins.op in (RD, WR):
            n = _ceil_div(ins.length, cfg.word_bytes)
            kind = KIND_READ if ins.op == RD else KIND_WRITE
            addr = (np.arange(ins.base, ins.base + n, dtype=np.uint64)
                    & np.uint64((1 << cfg.addr_bits) - 1))
            out.append(addr | np.uint64(kind << shift))
            reads, writes = (reads + n, writes) if ins.op == RD else (reads, writes + n)
        else:
            which = "read" if ins.op == DRD else "write"
            counters[f"dram_{which}_bytes"] += ins.length
            counters[f"dram_{which}_bursts"] += _ceil_div(ins.length, cfg.burst_bytes)
    mask = (1 << cfg.count_bits) - 1
    out.append(np.array([(KIND_COUNT << shift) | (counters[c] & mask) for c in COUNTERS],
                        dtype=np.uint64))
    return Execution(np.concatenate(out), counters, reads, writes)


def decode_counters(words: np.ndarray, cfg: ControllerConfig) -> dict[str, int]:
    """The four counters at the end of a controller's output."""
    tail = [int(w) & ((1 << cfg.count_bits) - 1) for w in words[-len(COUNTERS):]]
    return dict(zip(COUNTERS, tail, strict=True))


def cycle_model(program: Sequence[Instruction], cfg: ControllerConfig) -> int:
    """Cycles from the first instruction taken to ``idle`` with no stalls: one per loaded
    instruction, one to decode each, one per buffer word emitted, two per counter word."""
    words = sum(_ceil_div(i.length, cfg.word_bytes) for i in program if i.op in (RD, WR))
    return 2 * len(program) + words + 2 * len(COUNTERS)


def plan_bursts(plan: Plan, network: Network, cfg: ControllerConfig) -> dict[str, int]:
    """DRAM bursts of a plan counted from the plan itself (one transfer per tensor move)."""
    burst = cfg.burst_bytes
    reads = sum(_ceil_div(b, burst) for _, b in plan.layer_weight_bytes if b)
    writes = 0
    for t in plan.tensors:
        per = _ceil_div(t.size_bytes, burst)
        if t.dram_read_bytes:
            reads += per * (t.dram_read_bytes // t.size_bytes)
        if t.dram_write_bytes:
            writes += per * (t.dram_write_bytes // t.size_bytes)
    return {"dram_read_bursts": reads, "dram_write_bursts": writes}
