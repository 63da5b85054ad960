"""Co-simulation of the buffer controller netlist against its golden model and the plans.

A plan is compiled to its program, streamed into the netlist through a
:class:`~accelbench.netlist.stream.StreamHarness` (random valid and ready stalls), and the
netlist's output words must equal :func:`~.program.execute` bit for bit; its DRAM
counters must equal the plan's DRAM read and write bytes and its bursts those counted
from the plan, and the stall-free cycle count the closed-form :func:`~.program.cycle_model`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from accelbench.designs.shortcutfusion.controller import netlist
from accelbench.designs.shortcutfusion.policies import POLICIES, plan_policy
from accelbench.designs.shortcutfusion.program import (
    ControllerConfig,
    Instruction,
    compile_plan,
    cycle_model,
    decode_counters,
    encode,
    execute,
    plan_bursts,
)
from accelbench.errors import NetlistMismatchError
from accelbench.families.memory import Plan, check_plan
from accelbench.netlist.stream import StreamHarness
from accelbench.networks.builder import NetBuilder
from accelbench.networks.types import Layer, Network


@lru_cache(maxsize=4)
def harness(cfg: ControllerConfig, simulator: str = "compiled") -> StreamHarness:
    """One compiled simulation per configuration, reused across programs."""
    return StreamHarness(lambda p: netlist(p, cfg), simulator=simulator)


def run_program(program: list[Instruction], cfg: ControllerConfig, *, seed: int = 0,
                valid_probability: float = 1.0, ready_probability: float = 1.0,
                simulator: str = "compiled") -> dict[str, Any]:
    """Run ``program`` through the netlist and check it against the golden model."""
    golden = execute(program, cfg)
    result = harness(cfg, simulator).run(
        {"program": encode(program, cfg)}, valid_probability=valid_probability,
        ready_probability=ready_probability, seed=seed)
    got = result.outputs["access"]
    if got.tolist() != golden.words.tolist():
        n = min(len(got), len(golden.words))
        bad = next((i for i in range(n) if got[i] != golden.words[i]), n)
        raise NetlistMismatchError(
            f"buffer controller: output word {bad} of {len(golden.words)} differs "
            f"(netlist {len(got)} words)")
    if result.last_index["access"] != [len(golden.words) - 1]:
        raise NetlistMismatchError(f"buffer controller: last at {result.last_index}")
    stalls = valid_probability < 1 or ready_probability < 1
    if not stalls and result.cycles != cycle_model(program, cfg):
        raise NetlistMismatchError(f"buffer controller: {result.cycles} cycles, the cycle "
                                   f"model says {cycle_model(program, cfg)}")
    return {"counters": decode_counters(got, cfg), "cycles": result.cycles,
            "words": len(got), "onchip_read_words": golden.onchip_read_words,
            "onchip_write_words": golden.onchip_write_words}


def cosimulate_plan(network: Network, plan: Plan, cfg: ControllerConfig,
                    **run: Any) -> dict[str, Any]:
    """Execute ``plan``'s program on the netlist; its counts must equal the plan's."""
    check_plan(network, plan)
    out = run_program(compile_plan(network, plan, cfg), cfg, **run)
    expected = {"dram_read_bytes": plan.dram_read_bytes,
                "dram_write_bytes": plan.dram_write_bytes,
                **plan_bursts(plan, network, cfg)}
    if out["counters"] != expected:
        raise NetlistMismatchError(f"buffer controller on {network.name} ({plan.policy}, "
                                   f"{plan.budget_bytes} B): counted {out['counters']}, "
                                   f"the plan says {expected}")
    return out


def stage_network(network: Network, prefix: str) -> Network:
    """The layers named ``prefix*`` as a network of their own, fed by one input."""
    layers = [layer for layer in network.layers if layer.name.startswith(prefix)]
    names = {layer.name for layer in layers}
    outside = sorted({s for layer in layers for s in layer.inputs if s not in names})
    if len(outside) != 1:
        raise ValueError(f"layers {prefix}* read {len(outside)} outside tensors, not one")
    shape = network.layer(outside[0]).out_shape
    return Network(f"{network.name}[{prefix}]",
                   (Layer(outside[0], "input", (), shape, shape), *layers),
                   description=f"{prefix} of {network.name}", in_default_matrix=False)


def example_network() -> Network:
    """A small graph with every op the planners meet: residual blocks with and without
    projection, squeeze-excite, upsample + concat, two heads."""
    b = NetBuilder("controller-example", (3, 16, 16))
    x = b.conv("stem", "input", 8, 3, 1, 1)
    for i, (ch, stride) in enumerate(((8, 1), (16, 2))):
        y = b.conv(f"b{i}.c1", x, ch, 3, stride, 1)
        y = b.conv(f"b{i}.c2", y, ch, 3, 1, 1, activation="linear")
        s = b.global_avgpool(f"b{i}.pool", y)
        s = b.conv(f"b{i}.fc", s, ch, 1, activation="sigmoid")
        y = b.mul(f"b{i}.scale", y, s)
        short = x if stride == 1 else b.conv(f"b{i}.down", x, ch, 1, stride,
                                             activation="linear")
        x = b.add(f"b{i}.add", (y, short), activation="relu")
    up = b.upsample("up", x, 2)
    cat = b.concat("cat", (up, "b0.add"))
    b.conv("head0", cat, 4, 1, activation="linear")
    b.conv("head1", x, 4, 1, activation="linear")
    return b.build("small graph for the controller's co-simulation")


def verify_controller(word_bytes: int = 64, seed: int = 0) -> None:
    """Random programs with stalls, and every policy's plan of the example network at
    several budgets, on the default configuration's netlist."""
    cfg = ControllerConfig(word_bytes=word_bytes)
    rng = np.random.default_rng(seed)
    for trial in range(3):
        program = [Instruction(int(rng.integers(4)), int(rng.integers(1 << cfg.addr_bits)),
                               int(rng.integers(1, 4 * word_bytes)))
                   for _ in range(int(rng.integers(1, 12)))]
        run_program(program, cfg, seed=seed + trial, valid_probability=0.7,
                    ready_probability=0.6)
        run_program(program, cfg)
    net = example_network()
    for budget in (1024, 4096, 16384, 65536):
        for policy in POLICIES:
            plan = plan_policy(net, policy, budget, 1, word_bytes)
            cosimulate_plan(net, plan, cfg, seed=seed, ready_probability=0.8)
