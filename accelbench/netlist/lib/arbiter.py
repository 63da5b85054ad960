"""Fixed-priority arbitration: one-hot grants, per resource, lowest requester first.

Combinational; a grant depends on the requests of the same cycle only.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyrtl


def priority_arbiter(requests: Sequence[pyrtl.WireVector]) -> list[pyrtl.WireVector]:
    """One-hot grants: the lowest-numbered active request wins."""
    grants = []
    taken = pyrtl.Const(0, 1)
    for req in requests:
        grants.append(req & ~taken)
        taken = taken | req
    return grants


def bank_arbiter(valid: Sequence[pyrtl.WireVector], bank: Sequence[pyrtl.WireVector],
                 banks: int) -> tuple[list[pyrtl.WireVector], list[list[pyrtl.WireVector]]]:
    """Requesters ask for one of ``banks`` banks (``bank[r]``, used when ``valid[r]``);
    per bank the lowest requester wins, the others are not granted this cycle.

    Returns (granted per requester, grant[bank][requester] one-hot per bank).
    """
    per_bank = []
    for b in range(banks):
        hit = [v & (k == b) if banks > 1 else v for v, k in zip(valid, bank, strict=True)]
        per_bank.append(priority_arbiter(hit))
    granted = []
    for r in range(len(valid)):
        g = pyrtl.Const(0, 1)
        for b in range(banks):
            g = g | per_bank[b][r]
        granted.append(g)
    return granted, per_bank
