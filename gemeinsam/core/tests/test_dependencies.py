"""Every package the shipped code imports is declared, so `pip install .` gives a working site."""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
FIRST_PARTY = {"gemeinsam", "config"}


def _project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return dict(tomllib.load(handle)["project"])


def _installed_closure(requirements: list[str]) -> set[str]:
    """The distributions these requirements pull in, with their requirements, transitively."""
    seen: set[str] = set()
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = frozenset(requirement.extras)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen.add(key)
        seen.add(name)
        for text in importlib.metadata.requires(name) or []:
            needed = Requirement(text)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if needed.marker is None or any(needed.marker.evaluate(env) for env in environments):
                pending.append(needed)
    return {key for key in seen if "[" not in key}


def _imports() -> list[tuple[str, str, bool]]:
    """(top-level module, file, imported at module level) for the code that ships."""
    found = []
    paths = [*ROOT.glob("gemeinsam/**/*.py"), *ROOT.glob("config/*.py")]
    for path in paths:
        relative = path.relative_to(ROOT)
        if "tests" in relative.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(relative))
        module_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.append((name.split(".")[0], str(relative), id(node) in module_level))
    return found


def test_every_imported_package_is_a_declared_dependency() -> None:
    project = _project()
    required = _installed_closure(list(project["dependencies"]))  # type: ignore[call-overload]
    optional = project.get("optional-dependencies", {})
    assert isinstance(optional, dict)
    # Extras an operator may choose; the development tools are not among them.
    extras = _installed_closure(
        [text for name, texts in optional.items() if name != "dev" for text in texts]
    )
    providers = importlib.metadata.packages_distributions()

    undeclared = []
    for module, path, at_module_level in _imports():
        if module in sys.stdlib_module_names or module in FIRST_PARTY or module == "__future__":
            continue
        distributions = {canonicalize_name(name) for name in providers.get(module, [])}
        if distributions & required:
            continue
        if not at_module_level and distributions & extras:
            continue  # imported where it is used, from an extra that offers it
        undeclared.append(
            f"{path}: {module} ({', '.join(sorted(distributions)) or 'not installed'})"
        )

    assert undeclared == [], "declare these in [project].dependencies of pyproject.toml"


def test_the_import_scan_sees_imports_in_functions_and_at_module_level() -> None:
    found = {(module, path) for module, path, _top in _imports()}

    assert ("markdown_it", "gemeinsam/conversations/markdown.py") in found
    assert ("av", "gemeinsam/demo/newsroom.py") in found
