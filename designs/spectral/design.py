"""The spectral sparse CNN engine (Niu et al., FPGA 2020) as an accelbench design.

Netlists: the 2-D FFT and inverse FFT units, the sparse Hadamard engine with P lanes and
B banks, and the core that wires them. :meth:`SpectralEngine.verify` co-simulates each
bit-exactly against the fixed-point model (random data, random back-pressure) and checks
every pass's cycles against the schedule and the core's against the cycle model.

Evaluation on networks (the benchmark matrix and its report section) joins with the
engine-family integration; until then the design accepts no workload, and
:func:`accelbench.designs.spectral.evaluate.network_figures` gives its figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from accelbench.design import Design, EvaluationOptions, Netlist
from accelbench.designs.spectral.engine import EngineConfig
from accelbench.errors import AccelbenchError, NetlistMismatchError
from accelbench.metrics import Evaluation
from accelbench.workloads import Workload


class SpectralEngine(Design):
    family: ClassVar[str] = "engine"
    technique: ClassVar[str] = "spectral"
    summary: ClassVar[str] = (
        "Spectral-domain sparse convolution (Niu et al., FPGA 2020): 8x8 FFT tiles with "
        "overlap-and-add, magnitude-pruned kernel spectra on P lanes reading B banks with "
        "scheduled reads, per-layer kernel or activation reuse")
    assumed_defaults: ClassVar[tuple[str, ...]] = (
        "FFT 8x8, overlap-and-add, 40 Hermitian-unique bins stored (default)",
        "magnitude pruning per kernel, mirror pairs kept together, no retraining (default)",
        "8-bit inputs, 2 FFT guard bits, 12-bit kernel spectra, 32-bit accumulators (default)",
        "bank = bin mod B, fixed-priority arbitration, lowest lane wins (default)",
        "kernel entries 4 B (value + bin index); 1 MiB kernel and activation budgets (default)",
        "200 MHz clock for latency (default)",
    )

    def __init__(self, lanes: int = 8, banks: int = 8) -> None:
        self.config = EngineConfig(lanes=lanes, banks=banks)
        super().__init__(f"spectral-p{lanes}-b{banks}", lanes=lanes, banks=banks,
                         kernel_depth=self.config.kernel_depth,
                         max_channels=self.config.fp.max_channels)

    def netlists(self) -> Mapping[str, Netlist]:
        from accelbench.designs.spectral.core import core_netlist
        from accelbench.designs.spectral.engine import engine_netlist
        from accelbench.designs.spectral.fft import fft2d_netlist, ifft2d_netlist

        cfg = self.config
        fp = cfg.fp
        return {
            "fft": Netlist("fft", lambda p: fft2d_netlist(p, fp),
                           "2-D 8x8 FFT: rows, skewed transpose buffer, columns"),
            "ifft": Netlist("ifft", lambda p: ifft2d_netlist(p, fp),
                            "2-D 8x8 inverse FFT: columns, transpose buffer, real rows"),
            "engine": Netlist("engine", lambda p: engine_netlist(p, cfg),
                              f"sparse Hadamard engine, {cfg.lanes} lanes, {cfg.banks} "
                              "banks, double spectrum buffer, kernel memories"),
            "core": Netlist("core", lambda p: core_netlist(p, cfg),
                            "FFT -> engine -> inverse FFT on valid/ready streams"),
        }

    def accepts(self, workload: Workload) -> bool:
        return False  # joins the matrix with the engine-family integration

    def evaluate(self, data: Any, options: EvaluationOptions) -> Evaluation:
        raise AccelbenchError(f"{self.name}: network evaluation is not wired into the "
                              "benchmark matrix yet; use accelbench.designs.spectral."
                              "evaluate.network_figures")

    def verify(self, seed: int = 0) -> None:
        from accelbench.designs.spectral.checks import check_core, check_engine, check_fft

        rng = np.random.default_rng(seed)
        try:
            check_fft(rng, self.config.fp)
            check_engine(rng, self.config)
            check_core(rng, self.config)
        except NetlistMismatchError as exc:
            raise NetlistMismatchError(f"{self.name}: {exc}") from None
