"""The layout the README's "How it is built" promises, read from the code itself: imports point
one way (each package imports only those below it), only the mkdocs adapters import mkdocs,
no module is over 400 lines, and the tests test this tree."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "amentor_build"
# Lowest first: a package may import those before it, never one after it. The foundations
# (errors, the model, amentor's own files, writing files safely), then the stages in the
# order a build runs them, then what is built on them, the command line last.
LAYERS = [
    "errors",
    "model",
    "starter",
    "disk",
    "places",
    "records",
    "judge",
    "render",
    "protection",
    "audit",
    "output",
    "workers",
    "schoolyear",
    "lock",
    "mkdocs_site",
    "build",
    "leaving",
    "mkdocs_plugin",
    "serve",
    "sample",
    "scaffold",
    "cli",
]
LONGEST = 400


def modules() -> dict[str, Path]:
    """Each module of amentor_build by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path) -> set[str]:
    """The modules one module imports (absolute dotted names), at its top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            out.add(target)
            out |= {f"{target}.{alias.name}" for alias in node.names}  # `from .. import model`
    return out


def layer(name: str) -> str:
    return name.split(".")[1] if name.count(".") else name


def test_imports_point_one_way():
    known = modules()
    wrong = []
    for name, path in known.items():
        if name == "amentor_build":
            continue
        for target in imported(name, path):
            if target not in known or target == "amentor_build" or layer(target) == layer(name):
                continue
            if LAYERS.index(layer(target)) > LAYERS.index(layer(name)):
                wrong.append(f"{name} imports {target}")
    assert set(LAYERS) == {layer(n) for n in known if n != "amentor_build"}  # every package has its place
    assert wrong == []


def test_only_the_mkdocs_adapters_import_mkdocs():
    importers = {
        name for name, path in modules().items() if any(t.split(".")[0] == "mkdocs" for t in imported(name, path))
    }
    assert importers == {"amentor_build.mkdocs_site", "amentor_build.mkdocs_plugin"}


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > LONGEST}
    assert long == {}


def test_processes_the_tests_start_import_this_checkout(tmp_path):
    # mkdocs run in a project's folder (as a school runs it) imports the plugin of the tree under
    # test, not one installed elsewhere (an editable install of another clone).
    found = subprocess.run(
        [sys.executable, "-c", "import amentor_build; print(amentor_build.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found).parent.parent == REPO, found
