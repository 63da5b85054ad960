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


def test_specname_impls_are_collected(monkeypatch):
    class Extra(ZvcCodec):
        def __init__(self):
            super().__init__(8)
            self.name = "specname-zvc"

    @accelbench.hookimpl(specname="accelbench_designs")
    def my_designs():
        return [Extra()]

    _install_fake_entry_point(monkeypatch, "spec", _module("fake_spec", my_designs=my_designs))
    registry = build_registry()
    assert registry.plugin_of("design", "specname-zvc").name == "spec"


def test_hook_wrappers_are_honoured_and_items_keep_their_plugin(monkeypatch):
    @accelbench.hookimpl(wrapper=True)
    def accelbench_designs():
        result = yield
        # a wrapper sees every plugin's list and may filter it
        return [[d for d in designs if d.name != "zvc-w16"] for designs in result]

    _install_fake_entry_point(monkeypatch, "wrapper",
                              _module("fake_wrapper", accelbench_designs=accelbench_designs))
    registry = build_registry()
    assert "zvc-w16" not in registry.designs and "zvc-w8" in registry.designs
    assert registry.plugin_of("design", "zvc-w8").name == "wrapper"  # a new list: the wrapper's
    assert registry.plugin_of("design", "ebpc-w8-b8").name == "wrapper"


def test_a_raising_hook_names_the_plugin(monkeypatch):
    @accelbench.hookimpl
    def accelbench_networks():
        raise RuntimeError("boom")

    _install_fake_entry_point(monkeypatch, "raiser",
                              _module("fake_raiser", accelbench_networks=accelbench_networks))
    with pytest.raises(PluginError, match=r"plugin 'raiser': hook accelbench_networks\(\) "
                                          r"raised RuntimeError: boom"):
        build_registry()


def test_a_hook_returning_none_is_reported(monkeypatch):
    @accelbench.hookimpl
    def accelbench_designs():
        return None

    _install_fake_entry_point(monkeypatch, "nothing",
                              _module("fake_nothing", accelbench_designs=accelbench_designs))
    with pytest.raises(PluginError, match=r"plugin 'nothing'.*must return a list, got NoneType"):
        build_registry()


@pytest.mark.parametrize(("hook", "item", "message"), [
    ("accelbench_networks", types.SimpleNamespace(name="half-net", description=""),
     r"'half-net' is not an accelbench.protocols.NetworkGraph \(missing in_default_matrix, "
     r"layers, compute_layers, shortcut_edges, describe, to_json\)"),
    ("accelbench_dataset_sources", types.SimpleNamespace(name="half-data"),
     r"'half-data' is not an accelbench.protocols.DatasetSource"),
    ("accelbench_report_sections", types.SimpleNamespace(name="half-section", order=1),
     r"'half-section' is not an accelbench.protocols.ReportSection \(missing render\)"),
])
def test_contributions_are_checked_against_their_protocols(monkeypatch, hook, item, message):
    impl = accelbench.hookimpl(specname=hook)(lambda: [item])
    _install_fake_entry_point(monkeypatch, "half", _module("fake_half", impl=impl))
    with pytest.raises(PluginError, match=r"plugin 'half': " + hook + r"\(\) returned an "
                                          r"invalid .*" + message):
        build_registry()


def test_design_parameters_must_be_json(monkeypatch):
    class Odd(ZvcCodec):
        def __init__(self):
            super().__init__(8)
            self.name = "odd-zvc"
            self.parameters["table"] = {1, 2}

    _install_fake_entry_point(monkeypatch, "odd", _module(
        "fake_odd", accelbench_designs=accelbench.hookimpl(lambda: [Odd()])))
    with pytest.raises(PluginError, match=r"plugin 'odd'.*'odd-zvc' has parameters that are "
                                          r"not JSON-serialisable"):
        build_registry()


def test_a_netlist_that_does_not_build_names_its_plugin(monkeypatch, capsys):
    class Broken(ZvcCodec):
        def __init__(self):
            super().__init__(8)
            self.name = "broken-zvc"

        def build_compressor(self, ports):
            raise ValueError("no such wire")

    _install_fake_entry_point(monkeypatch, "broken", _module(
        "fake_broken", accelbench_designs=accelbench.hookimpl(lambda: [Broken()])))
    registry = build_registry()  # cheap at registration: nothing is built yet
    with pytest.raises(PluginError, match=r"plugin 'broken': design 'broken-zvc': netlist "
                                          r"'compressor' does not build: ValueError: no such"):
        registry.check_netlists("broken-zvc")
    registry.check_netlists("zvc-w8")
    assert "zvc-w8" in registry._netlists_checked

    from accelbench import registry as registry_module
    from accelbench.cli import main

    monkeypatch.setattr(registry_module, "get_registry", lambda: registry)
    assert main(["verify", "broken-zvc"]) == 1
    assert "FAIL broken-zvc: plugin 'broken': design 'broken-zvc': netlist 'compressor'" in \
        capsys.readouterr().out
    assert main(["designs", "--check"]) == 2
    assert "netlist 'compressor' does not build" in capsys.readouterr().err


def test_plugins_named_in_the_environment_are_loaded(monkeypatch, tmp_path):
    (tmp_path / "env_plugin_demo.py").write_text(
        "from accelbench import hookimpl\nfrom accelbench.designs.zvc import ZvcCodec\n"
        "__version__ = '1.2'\n"
        "class Env(ZvcCodec):\n    def __init__(self):\n        super().__init__(8)\n"
        "        self.name = 'env-zvc'\n"
        "@hookimpl\ndef accelbench_designs():\n    return [Env()]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ACCELBENCH_PLUGINS", " env_plugin_demo , ")
    registry = build_registry(entry_points=False)
    info = registry.plugin_of("design", "env-zvc")
    assert (info.name, info.distribution, info.version) == ("env_plugin_demo",
                                                            "$ACCELBENCH_PLUGINS", "1.2")
    monkeypatch.setenv("ACCELBENCH_PLUGINS", "no_such_plugin_module")
    with pytest.raises(PluginError, match=r"'no_such_plugin_module'.*ACCELBENCH_PLUGINS.*"
                                          r"failed to import"):
        build_registry(entry_points=False)
