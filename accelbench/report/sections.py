"""The report-section contract: plugins add tables and plots to ``accelbench report``.

A section receives every result record and returns a :class:`SectionOutput` (or None
when it has nothing to say). Tables are rendered with tabulate in the chosen format and
also written as CSV; plots are drawn on a matplotlib figure and saved as PNG.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from accelbench.records import ResultRecord


@dataclass
class Table:
    name: str  # file stem for the CSV, unique within the report
    title: str
    headers: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    #: False: written as CSV only (too long for the document)
    show: bool = True


@dataclass
class Plot:
    name: str  # file stem for the PNG
    title: str
    draw: Callable[[Figure], None]
    caption: str = ""


@dataclass
class SectionOutput:
    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)


class ReportSection(Protocol):
    name: str
    #: sections are rendered in ascending order; generic family tables use 0-99
    order: int

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        """Build this section from all result records (ignore irrelevant ones)."""
