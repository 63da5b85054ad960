"""The registry: every design, dataset source and network contributed by plugins.

Hook results are collected through pluggy's hook callers, so ``hookimpl(specname=...)``,
``tryfirst``/``trylast`` and hook wrappers behave as pluggy documents; each returned list
is traced back to the plugin that returned it, so every item knows its plugin and every
error names one. Contributions are checked when they are registered (types, protocols,
unique names, JSON-serialisable design parameters, the shape of ``netlists()``); whether
each netlist really builds is checked lazily and once per design
(:meth:`Registry.check_netlists`, used by ``accelbench verify`` and ``designs --check``),
because building every netlist on every command would cost seconds.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pluggy

from accelbench import protocols
from accelbench.design import FAMILIES, Design, Netlist
from accelbench.errors import PluginError, UnknownNameError
from accelbench.pluginmanager import PluginInfo, create_plugin_manager


@dataclass
class Registry:
    plugins: dict[str, PluginInfo]
    designs: dict[str, Design] = field(default_factory=dict)
    dataset_sources: dict[str, protocols.DatasetSource] = field(default_factory=dict)
    networks: dict[str, protocols.NetworkGraph] = field(default_factory=dict)
    report_sections: list[protocols.ReportSection] = field(default_factory=list)
    #: which plugin contributed each named item, by kind then name
    origin: dict[str, dict[str, str]] = field(default_factory=dict)
    #: designs whose netlists were built once successfully
    _netlists_checked: set[str] = field(default_factory=set, repr=False)

    def design(self, name: str) -> Design:
        return _lookup(self.designs, name, "design", "accelbench designs")

    def dataset_source(self, name: str) -> protocols.DatasetSource:
        return _lookup(self.dataset_sources, name, "dataset", "accelbench datasets list")

    def network(self, name: str) -> protocols.NetworkGraph:
        return _lookup(self.networks, name, "network", "accelbench networks")

    def plugin_of(self, kind: str, name: str) -> PluginInfo:
        return self.plugins[self.origin[kind][name]]

    def check_netlists(self, name: str) -> None:
        """Build every netlist of design ``name`` once; a failure names its plugin."""
        if name in self._netlists_checked:
            return
        from accelbench.netlist.build import build_block

        design = self.design(name)
        for netlist_name, netlist in design.netlists().items():
            try:
                build_block(netlist.build)
            except Exception as exc:
                raise PluginError(f"plugin {self.origin['design'][name]!r}: design {name!r}: "
                                  f"netlist {netlist_name!r} does not build: "
                                  f"{type(exc).__name__}: {exc}") from None
        self._netlists_checked.add(name)


def _lookup(table: dict[str, Any], name: str, kind: str, listing: str) -> Any:
    try:
        return table[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, table, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownNameError(f"unknown {kind} {name!r}{hint} (see `{listing}`)") from None


def _call_hook(pm: pluggy.PluginManager, hook_name: str) -> list[tuple[str, Any]]:
    """Call hook ``hook_name`` through its hook caller; return (plugin, result) pairs in
    plugin registration order.

    Each implementation's function is wrapped for the duration of the call so that its
    result is traced to its plugin and an exception is reported with the plugin's name.
    A list that no implementation returned came from a hook wrapper.
    """
    hook = getattr(pm.hook, hook_name)
    impls = hook.get_hookimpls()
    wrappers = [i.plugin_name for i in impls if i.wrapper or i.hookwrapper]
    produced: dict[int, str] = {}
    results: list[Any] = []  # keeps every result alive, so ids stay unique

    def traced(impl: pluggy.HookImpl) -> Callable[..., Any]:
        original = impl.function

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = original(*args, **kwargs)
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(f"plugin {impl.plugin_name!r}: hook {hook_name}() raised "
                                  f"{type(exc).__name__}: {exc}") from None
            if not isinstance(result, (list, tuple)):
                raise PluginError(f"plugin {impl.plugin_name!r}: hook {hook_name}() must "
                                  f"return a list, got {type(result).__name__}")
            produced[id(result)] = impl.plugin_name
            results.append(result)
            return result

        return call

    replaced = [(impl, impl.function) for impl in impls
                if not (impl.wrapper or impl.hookwrapper)]
    try:
        for impl, _ in replaced:
            impl.function = traced(impl)
        try:
            outputs = hook()
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"hook wrapper of plugin(s) {', '.join(map(repr, wrappers))}: "
                              f"{hook_name}() raised {type(exc).__name__}: {exc}") from None
    finally:
        for impl, original in replaced:
            impl.function = original
    wrapper_name = "+".join(wrappers) or "?"
    pairs = []
    for output in reversed(outputs):  # pluggy calls the last registered plugin first
        plugin = produced.get(id(output), wrapper_name)
        if not isinstance(output, (list, tuple)):
            raise PluginError(f"plugin {plugin!r}: hook {hook_name}() must return a list, got "
                              f"{type(output).__name__}")
        pairs.append((plugin, output))
    return pairs


def _collect(pm: pluggy.PluginManager, hook_name: str, kind: str,
             check: Callable[[Any], str | None], registry: Registry) -> dict[str, Any]:
    items: dict[str, Any] = {}
    origin = registry.origin.setdefault(kind, {})
    for plugin_name, result in _call_hook(pm, hook_name):
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
    try:
        json.dumps(item.parameters, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return (f"design {item.name!r} has parameters that are not JSON-serialisable "
                f"({exc}); result records store them as JSON")
    try:
        netlists = item.netlists()
    except Exception as exc:
        return f"design {item.name!r}: netlists() raised {type(exc).__name__}: {exc}"
    if not isinstance(netlists, Mapping) or not all(
            isinstance(k, str) and isinstance(v, Netlist) and callable(v.build)
            for k, v in netlists.items()):
        return (f"design {item.name!r}: netlists() must map names to "
                f"accelbench.design.Netlist objects with a callable build")
    return None


def _check_protocol(protocol: type) -> Callable[[Any], str | None]:
    def check(item: Any) -> str | None:
        name = getattr(item, "name", None)
        if not isinstance(name, str) or not name:
            return f"{item!r} has no name"
        if not isinstance(item, protocol):
            missing = [m for m in _members(protocol) if not hasattr(item, m)]
            return (f"{name!r} is not an accelbench.protocols.{protocol.__name__} "
                    f"(missing {', '.join(missing)})")
        return None

    return check


def _members(protocol: type) -> list[str]:
    names: list[str] = []
    for klass in reversed(protocol.__mro__):
        if klass in (object, Protocol) or not getattr(klass, "_is_protocol", False):
            continue
        names += [n for n in (*getattr(klass, "__annotations__", {}), *vars(klass))
                  if not n.startswith("_") and n not in names]
    return names


def build_registry(*, entry_points: bool = True) -> Registry:
    pm, infos = create_plugin_manager(entry_points=entry_points)
    reg = Registry(plugins=infos)
    reg.designs = _collect(pm, "accelbench_designs", "design", _check_design, reg)
    reg.dataset_sources = _collect(pm, "accelbench_dataset_sources", "dataset",
                                   _check_protocol(protocols.DatasetSource), reg)
    reg.networks = _collect(pm, "accelbench_networks", "network",
                            _check_protocol(protocols.NetworkGraph), reg)
    sections = _collect(pm, "accelbench_report_sections", "report section",
                        _check_protocol(protocols.ReportSection), reg)
    reg.report_sections = list(sections.values())
    return reg


@functools.cache
def get_registry() -> Registry:
    """The process-wide registry (plugins are loaded once)."""
    return build_registry()
