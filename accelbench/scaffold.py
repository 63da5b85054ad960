"""``accelbench new-plugin``: a complete third-party plugin package from templates."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from string import Template

from accelbench.errors import AccelbenchError
from accelbench.fileio import atomic_write_text

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


def new_plugin(name: str, directory: Path, *, force: bool = False) -> Path:
    """Write the package for plugin ``name`` into ``directory``; return the directory."""
    if not NAME_RE.match(name):
        raise AccelbenchError(f"invalid plugin name {name!r}: use lower-case letters, digits "
                              f"and single - or _ separators, starting with a letter")
    if directory.exists() and any(directory.iterdir()) and not force:
        raise AccelbenchError(f"{directory} exists and is not empty (nothing was written)")
    module = "accelbench_" + name.replace("-", "_")
    class_name = "".join(part.capitalize() for part in re.split(r"[-_]", name)) + "Codec"
    values = {"name": name, "module": module, "class_name": class_name}
    templates = files("accelbench") / "scaffold_template"
    for template, target in LAYOUT.items():
        text = Template((templates / template).read_text()).substitute(values)
        atomic_write_text(directory / Template(target).substitute(values), text)
    return directory
