"""Registers the spectral sparse CNN engine (Niu et al., FPGA 2020) at 8 lanes x 8 banks
and its report section."""

from accelbench import hookimpl
from accelbench.designs.spectral.design import SpectralEngine
from accelbench.designs.spectral.report import SpectralSection


@hookimpl
def accelbench_designs():
    return [SpectralEngine(lanes=8, banks=8)]


@hookimpl
def accelbench_report_sections():
    return [SpectralSection()]
