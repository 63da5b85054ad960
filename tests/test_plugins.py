"""Plugin loading: built-ins, entry points, and clear errors for broken plugins."""

import importlib.metadata
import sys
import types

import pytest

import accelbench
from accelbench.designs.zvc import ZvcCodec
from accelbench.errors import PluginError, UnknownNameError
from accelbench.registry import build_registry


def _install_fake_entry_point(monkeypatch, name: str, module: types.ModuleType | None,
                              value: str | None = None) -> None:
    if module is not None:
        monkeypatch.setitem(sys.modules, module.__name__, module)
    ep = importlib.metadata.EntryPoint(name=name, value=value or module.__name__,
                                       group="accelbench")
    real = importlib.metadata.entry_points

    def fake(**kwargs):
        if kwargs.get("group") == "accelbench":
            return importlib.metadata.EntryPoints([ep])
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)


def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    return module


def test_builtin_plugins_are_registered():
    registry = build_registry(entry_points=False)
    assert {"zvc-w8", "zvc-w16"} <= set(registry.designs)
    assert registry.plugin_of("design", "zvc-w8").name == "zvc"
    assert "synthetic" in registry.dataset_sources


def test_an_entry_point_plugin_contributes_designs(monkeypatch):
    class Extra(ZvcCodec):
        def __init__(self):
            super().__init__(8)
            self.name = "extra-zvc"

    @accelbench.hookimpl
    def accelbench_designs():
        return [Extra()]

    _install_fake_entry_point(monkeypatch, "extra",
                              _module("fake_extra", accelbench_designs=accelbench_designs))
    registry = build_registry()
    assert "extra-zvc" in registry.designs
    assert registry.plugin_of("design", "extra-zvc").name == "extra"


def test_import_error_names_the_plugin(monkeypatch):
    _install_fake_entry_point(monkeypatch, "broken", None, value="no_such_module_xyz")
    with pytest.raises(PluginError, match=r"plugin 'broken'.*failed to import.*no_such_module"):
        build_registry()


def test_wrong_hook_signature_names_the_plugin(monkeypatch):
    @accelbench.hookimpl
    def accelbench_designs(unexpected_argument):
        return []

    _install_fake_entry_point(monkeypatch, "badsig",
                              _module("fake_badsig", accelbench_designs=accelbench_designs))
    with pytest.raises(PluginError, match=r"plugin 'badsig'.*invalid hook"):
        build_registry()


def test_unknown_hook_names_the_plugin(monkeypatch):
    @accelbench.hookimpl
    def accelbench_desings():  # typo
        return []

    _install_fake_entry_point(monkeypatch, "typo",
                              _module("fake_typo", accelbench_desings=accelbench_desings))
    with pytest.raises(PluginError, match=r"typo.*unknown hook"):
        build_registry()


def test_duplicate_design_names_both_plugins(monkeypatch):
    @accelbench.hookimpl
    def accelbench_designs():
        return [ZvcCodec(8)]

    _install_fake_entry_point(monkeypatch, "copycat",
                              _module("fake_copycat", accelbench_designs=accelbench_designs))
    with pytest.raises(PluginError, match=r"duplicate design name 'zvc-w8'.*'zvc'.*'copycat'"):
        build_registry()


def test_a_hook_returning_junk_is_reported(monkeypatch):
    @accelbench.hookimpl
    def accelbench_designs():
        return ["not a design"]

    _install_fake_entry_point(monkeypatch, "junk",
                              _module("fake_junk", accelbench_designs=accelbench_designs))
    with pytest.raises(PluginError, match=r"plugin 'junk'.*not an accelbench.design.Design"):
        build_registry()


def test_unknown_names_suggest_close_ones():
    registry = build_registry(entry_points=False)
    with pytest.raises(UnknownNameError, match="did you mean zvc-w8"):
        registry.design("zvc-w9")
