"""Registers the report's headline section: each paper's claim beside ours, every
technique on the same networks, and the area and speed of every netlist (top of the
report; settings from `accelbench report --headline-*`)."""

from accelbench import hookimpl
from accelbench.report.headline import HeadlineSection


@hookimpl
def accelbench_report_sections():
    return [HeadlineSection()]
