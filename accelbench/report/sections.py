"""The report-section contract: plugins add tables and plots to ``accelbench report``.

A section receives every result record and returns a :class:`SectionOutput` (or None
when it has nothing to say). Tables are rendered with tabulate in the chosen format and
also written as CSV; plots are drawn on a matplotlib figure and saved as PNG.

Every section's heading carries the anchor ``section-<name>`` (:func:`anchor`), so text
and table cells can link to it with Markdown syntax, ``[DCT](#section-dct)``. A section's
``summary`` (at most two short sentences, generated from the records) is printed first,
under its heading. Sections with a negative ``order`` are printed above the report's
"Technology and method" part (the headline). A section that takes settings from
``accelbench report`` options implements ``configure(settings) -> section`` and returns a
configured copy (:class:`ReportSettings`).
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
    #: one or two short generated sentences printed first, under the heading
    summary: str = ""
    tables: list[Table] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)


@dataclass(frozen=True)
class ReportSettings:
    """Settings of ``accelbench report`` that sections may read (None: the section's
    default, which it states in its captions)."""

    #: on-chip feature-map budget of the headline's planner rows (bytes)
    headline_budget: int | None = None
    #: weight sparsity of the headline's SPOTS rows (fraction, 0 <= s < 1)
    headline_sparsity: float | None = None
    #: top-1 agreement floors of the headline's DCT rows (fractions, highest first)
    headline_agreement: tuple[float, ...] | None = None


def anchor(section_name: str) -> str:
    """The anchor of a section's heading (link to it as ``#`` + this)."""
    return "section-" + "".join(c if c.isalnum() else "-" for c in section_name.lower())


class ReportSection(Protocol):
    name: str
    #: sections are rendered in ascending order; generic family tables use 0-99
    order: int

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None:
        """Build this section from all result records (ignore irrelevant ones)."""
