"""Loading plugins: the in-tree modules of ``accelbench.plugins``, entry points, and the
modules named in ``$ACCELBENCH_PLUGINS``.

Every failure names the plugin and the reason in one :class:`PluginError`, instead of a
traceback from inside pluggy or importlib.

``ACCELBENCH_PLUGINS`` (comma-separated module names, like pytest's ``PYTEST_PLUGINS``)
loads plugin modules that are importable but not installed as a distribution: a plugin
under development, or a test plugin. Every process that builds the registry reads it, so
a Dask worker started with the same environment loads the same plugins.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import pkgutil
from dataclasses import dataclass

import pluggy

from accelbench import PROJECT, hookspecs
from accelbench.errors import PluginError

ENTRY_POINT_GROUP = PROJECT
ENV_VAR = "ACCELBENCH_PLUGINS"


@dataclass(frozen=True)
class PluginInfo:
    """Where a registered plugin came from."""

    name: str
    module: str
    distribution: str
    version: str
    builtin: bool


def builtin_plugin_modules() -> list[str]:
    """Every module in the ``accelbench.plugins`` package (one file = one plugin)."""
    import accelbench.plugins as pkg

    return sorted(f"{pkg.__name__}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
                  if not m.name.startswith("_"))


def env_plugin_modules() -> list[str]:
    """The module names listed in ``$ACCELBENCH_PLUGINS``."""
    return [m.strip() for m in os.environ.get(ENV_VAR, "").split(",") if m.strip()]


def _register(pm: pluggy.PluginManager, module: object, name: str, origin: str) -> None:
    try:
        pm.register(module, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r} ({origin}) has an invalid hook: {exc}") from None
    except ValueError as exc:  # name already registered
        raise PluginError(f"plugin {name!r} ({origin}) cannot be registered: {exc}") from None


def create_plugin_manager(*, entry_points: bool = True) -> tuple[pluggy.PluginManager,
                                                                 dict[str, PluginInfo]]:
    """A plugin manager with the hook specs, built-in plugins and entry-point plugins."""
    import accelbench

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}
    for module_name in builtin_plugin_modules():
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise PluginError(f"built-in plugin {module_name!r} failed to import: "
                              f"{type(exc).__name__}: {exc}") from None
        short = module_name.rsplit(".", 1)[-1]
        _register(pm, module, short, f"built-in module {module_name}")
        infos[short] = PluginInfo(short, module_name, PROJECT, accelbench.__version__, True)
    if entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist else "?"
            origin = f"entry point {ep.name!r} = {ep.value!r} of distribution {dist!r}"
            if ep.name in infos:
                raise PluginError(f"plugin {ep.name!r} ({origin}) clashes with an "
                                  f"already loaded plugin of the same name")
            try:
                module = ep.load()
            except Exception as exc:
                raise PluginError(f"plugin {ep.name!r} ({origin}) failed to import: "
                                  f"{type(exc).__name__}: {exc}") from None
            _register(pm, module, ep.name, origin)
            infos[ep.name] = PluginInfo(ep.name, getattr(module, "__name__", ep.value), dist,
                                        ep.dist.version if ep.dist else "?", False)
    for module_name in env_plugin_modules():
        origin = f"module {module_name!r} named in ${ENV_VAR}"
        if module_name in infos:
            raise PluginError(f"plugin {module_name!r} ({origin}) clashes with an already "
                              f"loaded plugin of the same name")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise PluginError(f"plugin {module_name!r} ({origin}) failed to import: "
                              f"{type(exc).__name__}: {exc}") from None
        _register(pm, module, module_name, origin)
        infos[module_name] = PluginInfo(module_name, module_name, f"${ENV_VAR}",
                                        str(getattr(module, "__version__", "unversioned")),
                                        False)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {pm.get_name(exc.plugin)!r} implements an unknown hook: "
                          f"{exc}") from None
    return pm, infos
