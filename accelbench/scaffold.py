"""``accelbench new-plugin``: a complete third-party plugin package from templates.

One package layout per design family (:data:`TEMPLATES`): a pyproject with the
``accelbench`` entry point and a ``[test]`` extra, the plugin module, an example design
on the family's base class, its tests and a README. Templates are the ``*.tmpl`` files
of ``accelbench/scaffold_template`` (``$name``, ``$module``, ``$class_name`` and the
family's fields are substituted); common files have no prefix, family files are
prefixed with the family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from string import Template

from accelbench.errors import AccelbenchError, PluginError
from accelbench.fileio import atomic_write_text, ensure_dir

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
#: longer names would push the generated import lines past the line length
MAX_NAME = 24

#: template file -> path in the new package, for every family ($module is substituted)
COMMON_LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "__init__.py.tmpl": "src/$module/__init__.py",
    "plugin.py.tmpl": "src/$module/plugin.py",
}


@dataclass(frozen=True)
class FamilyTemplate:
    """What the scaffold of one family writes and says.

    ``example`` is the constructor call the plugin module returns; ``designs`` are the
    names it registers; ``quick_run`` the ``accelbench run`` arguments of a first run.
    """

    family: str
    kind: str  # what the README calls it
    class_suffix: str
    example: str
    designs: tuple[str, ...]
    quick_run: str
    tests_what: str
    layout: dict[str, str] = field(default_factory=dict)

    def files(self) -> dict[str, str]:
        return {**COMMON_LAYOUT, **self.layout}


TEMPLATES = {
    "codec": FamilyTemplate(
        family="codec", kind="codec", class_suffix="Codec",
        example="$class_name(word_bits=8)", designs=("$name-w8",),
        quick_run="--workloads 'synthetic/fixed8' --all-workloads",
        tests_what="its netlists checked against its golden model",
        layout={"codec_design.py.tmpl": "src/$module/design.py",
                "codec_test.py.tmpl": "tests/test_$module.py"}),
    "engine": FamilyTemplate(
        family="engine", kind="compute-engine", class_suffix="Engine",
        example="$class_name(lanes=8)", designs=("$name-col8",),
        quick_run="--workloads 'net/alexnet'",
        tests_what="its netlist checked against its golden and cycle models",
        layout={"engine_golden.py.tmpl": "src/$module/golden.py",
                "engine_netlist.py.tmpl": "src/$module/netlist.py",
                "engine_design.py.tmpl": "src/$module/design.py",
                "engine_test.py.tmpl": "tests/test_$module.py"}),
    "memory": FamilyTemplate(
        family="memory", kind="memory-planner", class_suffix="Planner",
        example="$class_name()", designs=("$name-greedy",),
        quick_run="--workloads 'net/alexnet'",
        tests_what="its plans checked by the plan checker on random networks",
        layout={"memory_design.py.tmpl": "src/$module/design.py",
                "memory_test.py.tmpl": "tests/test_$module.py"}),
}


def _family(family: str) -> FamilyTemplate:
    if family not in TEMPLATES:
        raise AccelbenchError(f"unknown family {family!r}: choose one of "
                              f"{', '.join(TEMPLATES)}")
    return TEMPLATES[family]


def example_designs(name: str, family: str = "codec") -> tuple[str, ...]:
    """The design names the example of plugin ``name`` registers."""
    return tuple(Template(d).substitute(name=name) for d in _family(family).designs)


def name_clash(name: str, family: str = "codec") -> str | None:
    """Why ``name`` would clash with what is loaded (a plugin or design name), or None.

    An installed plugin of the same name, or a design of the same name, stops every
    accelbench command with a PluginError, so the scaffold refuses such names.
    """
    from accelbench.pluginmanager import builtin_plugin_modules
    from accelbench.registry import build_registry

    builtin = {m.rsplit(".", 1)[-1] for m in builtin_plugin_modules()}
    try:
        registry = build_registry()
    except PluginError:  # another plugin is broken: check against the built-ins alone
        registry = build_registry(entry_points=False)
    plugins = builtin | set(registry.plugins)
    # entry-point names are compared as written; modules also clash with - and _ swapped
    spellings = {name, name.replace("-", "_"), name.replace("_", "-")}
    if spellings & plugins:
        return f"a plugin named {sorted(spellings & plugins)[0]!r} is already loaded"
    taken = sorted(set(example_designs(name, family)) & set(registry.designs))
    if taken:
        return f"its example design {taken[0]!r} is a registered design"
    prefixes = sorted(d for d in registry.designs if d == name or d.startswith(f"{name}-"))
    if prefixes:
        return (f"design names {prefixes[:3]} already start with {name!r}, so "
                f"`--designs '{name}-*'` would select them too")
    return None


def render(name: str, family: str = "codec") -> dict[str, str]:
    """The package's files (relative path -> text) for plugin ``name`` of ``family``."""
    spec = _family(family)
    module = "accelbench_" + name.replace("-", "_")
    class_name = ("".join(part.capitalize() for part in re.split(r"[-_]", name))
                  + spec.class_suffix)
    values = {"name": name, "module": module, "class_name": class_name, "family": family}
    templates = files("accelbench") / "scaffold_template"

    def fill(template: str) -> str:
        return Template((templates / template).read_text()).substitute(values)

    values |= {"example": Template(spec.example).substitute(values),
               "design": ", ".join(example_designs(name, family)),
               "quick_run": spec.quick_run, "tests_what": spec.tests_what, "kind": spec.kind}
    values["about"] = fill(f"{family}_about.md.tmpl").rstrip("\n")
    return {Template(target).substitute(values): fill(template)
            for template, target in spec.files().items()}


def new_plugin(name: str, directory: Path, *, family: str = "codec",
               force: bool = False) -> Path:
    """Write the package for plugin ``name`` of ``family`` into ``directory``; return it.

    ``directory`` must be missing or empty; with ``force`` the scaffold's files are written
    into a non-empty directory (overwriting files of the same name, keeping the others).
    """
    if not NAME_RE.match(name) or len(name) > MAX_NAME:
        raise AccelbenchError(f"invalid plugin name {name!r}: use lower-case letters, digits "
                              f"and single - or _ separators, starting with a letter, at "
                              f"most {MAX_NAME} characters")
    _family(family)
    clash = name_clash(name, family)
    if clash:
        raise AccelbenchError(f"plugin name {name!r} clashes with what is installed: {clash}; "
                              f"choose another name (nothing was written)")
    directory = Path(directory)
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise AccelbenchError(f"{directory} exists and is not empty; use --force to write the "
                              f"scaffold's files into it (nothing was written)")
    rendered = render(name, family)
    ensure_dir(directory, what="plugin folder")
    for relative, text in rendered.items():
        atomic_write_text(directory / relative, text, what="plugin file")
    return directory
