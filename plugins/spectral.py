"""Registers the spectral sparse CNN engine (Niu et al., FPGA 2020) at 8 lanes x 8 banks."""

from accelbench import hookimpl
from accelbench.designs.spectral.design import SpectralEngine


@hookimpl
def accelbench_designs():
    return [SpectralEngine(lanes=8, banks=8)]
