"""Registers SPOTS, the same hardware without skipping, the Eyeriss-like and SCALE-Sim
baselines, and the SPOTS report section."""

from accelbench import hookimpl
from accelbench.designs.eyeriss.design import EyerissLike
from accelbench.designs.spots.design import Spots, SpotsNoSkip
from accelbench.designs.spots.report import SpotsSection
from accelbench.designs.systolic.scalesim_design import ScaleSimModel


@hookimpl
def accelbench_designs():
    return [Spots(), SpotsNoSkip(), EyerissLike(), ScaleSimModel()]


@hookimpl
def accelbench_report_sections():
    return [SpotsSection()]
