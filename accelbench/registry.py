"""The registry: every design, dataset source and network contributed by plugins."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from accelbench.design import FAMILIES, Design
from accelbench.errors import PluginError, UnknownNameError
from accelbench.pluginmanager import PluginInfo, create_plugin_manager


@dataclass
class Registry:
    plugins: dict[str, PluginInfo]
    designs: dict[str, Design] = field(default_factory=dict)
    dataset_sources: dict[str, Any] = field(default_factory=dict)
    networks: dict[str, Any] = field(default_factory=dict)
    report_sections: list[Any] = field(default_factory=list)
    #: which plugin contributed each named item, by kind then name
    origin: dict[str, dict[str, str]] = field(default_factory=dict)

    def design(self, name: str) -> Design:
        return _lookup(self.designs, name, "design", "accelbench designs")

    def dataset_source(self, name: str) -> Any:
        return _lookup(self.dataset_sources, name, "dataset", "accelbench datasets list")

    def network(self, name: str) -> Any:
        return _lookup(self.networks, name, "network", "accelbench networks")

    def plugin_of(self, kind: str, name: str) -> PluginInfo:
        return self.plugins[self.origin[kind][name]]


def _lookup(table: dict[str, Any], name: str, kind: str, listing: str) -> Any:
    try:
        return table[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, table, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownNameError(f"unknown {kind} {name!r}{hint} (see `{listing}`)") from None


def _collect(pm: pluggy.PluginManager, hook_name: str, kind: str,
             check: Callable[[Any], str | None], registry: Registry) -> dict[str, Any]:
    """Call one hook on each plugin separately so every item knows its plugin."""
    items: dict[str, Any] = {}
    origin = registry.origin.setdefault(kind, {})
    for plugin_name, plugin in pm.list_name_plugin():
        impl = getattr(plugin, hook_name, None)
        if impl is None:
            continue
        try:
            result = impl()
        except Exception as exc:
            raise PluginError(f"plugin {plugin_name!r}: hook {hook_name}() raised "
                              f"{type(exc).__name__}: {exc}") from None
        if not isinstance(result, Iterable) or isinstance(result, (str, bytes)):
            raise PluginError(f"plugin {plugin_name!r}: hook {hook_name}() must return a "
                              f"list, got {type(result).__name__}")
        for item in result:
            problem = check(item)
            if problem:
                raise PluginError(f"plugin {plugin_name!r}: {hook_name}() returned an "
                                  f"invalid {kind}: {problem}")
            name = item.name
            if name in items:
                raise PluginError(f"duplicate {kind} name {name!r}: contributed by plugin "
                                  f"{origin[name]!r} and by plugin {plugin_name!r}")
            items[name] = item
            origin[name] = plugin_name
    return items


def _check_design(item: Any) -> str | None:
    if not isinstance(item, Design):
        return f"{item!r} is not an accelbench.design.Design"
    if not isinstance(item.name, str) or not item.name:
        return f"{item!r} has no name"
    if item.family not in FAMILIES:
        return f"design {item.name!r} has family {item.family!r}, not one of {FAMILIES}"
    return None


def _check_named(item: Any) -> str | None:
    name = getattr(item, "name", None)
    if not isinstance(name, str) or not name:
        return f"{item!r} has no name"
    return None


def build_registry(*, entry_points: bool = True) -> Registry:
    pm, infos = create_plugin_manager(entry_points=entry_points)
    reg = Registry(plugins=infos)
    reg.designs = _collect(pm, "accelbench_designs", "design", _check_design, reg)
    reg.dataset_sources = _collect(pm, "accelbench_dataset_sources", "dataset",
                                   _check_named, reg)
    reg.networks = _collect(pm, "accelbench_networks", "network", _check_named, reg)
    sections = _collect(pm, "accelbench_report_sections", "report section", _check_named, reg)
    reg.report_sections = list(sections.values())
    return reg


@functools.cache
def get_registry() -> Registry:
    """The process-wide registry (plugins are loaded once)."""
    return build_registry()
