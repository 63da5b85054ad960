"""Hook specifications: everything an accelbench plugin can contribute.

A plugin is a module (in-tree: a file in ``plugins/``; third-party: a module named by an
entry point in the ``accelbench`` group) with functions marked ``@accelbench.hookimpl``
whose names and arguments match the specifications below. Each hook returns a list; the
registry concatenates the lists of all plugins and rejects duplicate names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from accelbench import PROJECT

if TYPE_CHECKING:
    from accelbench.datasets.types import DatasetSource
    from accelbench.design import Design
    from accelbench.networks.types import Network
    from accelbench.report.sections import ReportSection

hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def accelbench_designs() -> list[Design]:
    """Return the designs this plugin provides, one object per variant.

    A variant is a technique with fixed parameters (e.g. EBPC with ``word_bits=8,
    block_size=8``); each must have a unique ``name``. Designs are
    :class:`accelbench.design.Design` instances: they build their netlists into a fresh
    PyRTL block, have a numpy golden model, and evaluate workloads into metrics. They
    appear in ``accelbench designs``, the benchmark matrix and the report.
    """


@hookspec
def accelbench_dataset_sources() -> list[DatasetSource]:
    """Return dataset sources: producers of real (or labelled synthetic) feature maps.

    A source (:class:`accelbench.datasets.types.DatasetSource`) builds the interlayer
    feature maps of one network over a set of images, in the number formats it supports.
    Codec designs are evaluated on every source listed in the default matrix.
    """


@hookspec
def accelbench_networks() -> list[Network]:
    """Return network descriptions: layer shapes and shortcut edges, no weights.

    Used by engine cycle models and memory planners
    (:class:`accelbench.networks.types.Network`).
    """


@hookspec
def accelbench_report_sections() -> list[ReportSection]:
    """Return extra sections for ``accelbench report``.

    A section (:class:`accelbench.report.sections.ReportSection`) turns the raw result
    records into tables and plots, e.g. a paper-versus-measured comparison. The generic
    per-family tables are always produced; sections add to them.
    """
