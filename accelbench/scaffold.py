"""``accelbench new-plugin``: a complete third-party plugin package from templates."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from string import Template

from accelbench.errors import AccelbenchError, PluginError
from accelbench.fileio import atomic_write_text, ensure_dir

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

#: template file -> path in the new package ($module is substituted)
LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "__init__.py.tmpl": "src/$module/__init__.py",
    "plugin.py.tmpl": "src/$module/plugin.py",
    "design.py.tmpl": "src/$module/design.py",
    "test_design.py.tmpl": "tests/test_$module.py",
}


#: design names the example design of plugin ``$name`` registers
EXAMPLE_DESIGNS = ("$name-w8",)


def name_clash(name: str) -> str | None:
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
    designs = {Template(d).substitute(name=name) for d in EXAMPLE_DESIGNS}
    taken = sorted(designs & set(registry.designs))
    if taken:
        return f"its example design {taken[0]!r} is a registered design"
    prefixes = sorted(d for d in registry.designs if d == name or d.startswith(f"{name}-"))
    if prefixes:
        return (f"design names {prefixes[:3]} already start with {name!r}, so "
                f"`--designs '{name}-*'` would select them too")
    return None


def new_plugin(name: str, directory: Path, *, force: bool = False) -> Path:
    """Write the package for plugin ``name`` into ``directory``; return the directory.

    ``directory`` must be missing or empty; with ``force`` the scaffold's files are written
    into a non-empty directory (overwriting files of the same name, keeping the others).
    """
    if not NAME_RE.match(name):
        raise AccelbenchError(f"invalid plugin name {name!r}: use lower-case letters, digits "
                              f"and single - or _ separators, starting with a letter")
    clash = name_clash(name)
    if clash:
        raise AccelbenchError(f"plugin name {name!r} clashes with what is installed: {clash}; "
                              f"choose another name (nothing was written)")
    directory = Path(directory)
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise AccelbenchError(f"{directory} exists and is not empty; use --force to write the "
                              f"scaffold's files into it (nothing was written)")
    ensure_dir(directory, what="plugin folder")
    module = "accelbench_" + name.replace("-", "_")
    class_name = "".join(part.capitalize() for part in re.split(r"[-_]", name)) + "Codec"
    values = {"name": name, "module": module, "class_name": class_name}
    templates = files("accelbench") / "scaffold_template"
    rendered = {directory / Template(target).substitute(values):
                Template((templates / template).read_text()).substitute(values)
                for template, target in LAYOUT.items()}
    for path, text in rendered.items():
        atomic_write_text(path, text, what="plugin file")
    return directory
