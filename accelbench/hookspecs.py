"""Hook specifications: everything an accelbench plugin can contribute.

A plugin is a module (in-tree: a file in ``plugins/``; third-party: a module named by an
entry point in the ``accelbench`` group) with functions marked ``@accelbench.hookimpl``
whose names and arguments match the specifications below (or that name their
specification with ``@accelbench.hookimpl(specname=...)``). Each hook returns a list; the
registry calls the hook through pluggy's hook caller (so ``tryfirst``/``trylast`` and hook
wrappers apply), concatenates the lists of all plugins in registration order, remembers
which plugin returned each item, and rejects duplicate names. Dataset sources, networks
and report sections must meet the protocols of :mod:`accelbench.protocols`; any problem is
a :class:`accelbench.errors.PluginError` naming the plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from accelbench import PROJECT

if TYPE_CHECKING:
    from accelbench.design import Design
    from accelbench.protocols import DatasetSource, NetworkGraph, ReportSection

hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def accelbench_designs() -> list[Design]:
    """Return the designs this plugin provides, one object per variant.

    A variant is a technique with fixed parameters (e.g. EBPC with ``word_bits=8,
    block_size=8``); each must have a unique ``name`` and JSON-serialisable
    ``parameters``, and every netlist must build (checked by ``accelbench verify``
    and ``accelbench designs --check``). Designs are
    :class:`accelbench.design.Design` instances: they build their netlists into a fresh
    PyRTL block, have a numpy golden model, and evaluate workloads into metrics. They
    appear in ``accelbench designs``, the benchmark matrix and the report.
    """


@hookspec
def accelbench_dataset_sources() -> list[DatasetSource]:
    """Return dataset sources: producers of real (or labelled synthetic) feature maps.

    A source (:class:`accelbench.protocols.DatasetSource`, e.g. a subclass of
    :class:`accelbench.datasets.types.DatasetSource`) builds the interlayer
    feature maps of one network over a set of images, in the number formats it supports.
    Codec designs are evaluated on every source listed in the default matrix.
    """


@hookspec
def accelbench_networks() -> list[NetworkGraph]:
    """Return network descriptions: layer shapes and shortcut edges, no weights.

    Used by engine cycle models and memory planners (:class:`accelbench.protocols.
    NetworkGraph`, e.g. :class:`accelbench.networks.types.Network`).
    """


@hookspec
def accelbench_report_sections() -> list[ReportSection]:
    """Return extra sections for ``accelbench report``.

    A section (:class:`accelbench.protocols.ReportSection`; tables and plots as in
    :mod:`accelbench.report.sections`) turns the raw result
    records into tables and plots, e.g. a paper-versus-measured comparison. The generic
    per-family tables are always produced; sections add to them.
    """
