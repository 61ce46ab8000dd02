"""The shape of `src/`: no import circles, small modules, framework code that imports no domain.

Every import counts, including those inside functions and under `TYPE_CHECKING`: an import
moved into a function to dodge a circle is still a circle in the design.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "api_server"
MAX_LINES = 300
# The composition root and the migration environment (which collects the application's tables
# for autogenerate) may import domains; nothing else outside domains/.
COMPOSITION = {"api_server.app", "api_server.database.migrations.env"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted((SRC / PACKAGE).rglob("*.py"))}


def _imported(module: str, path: Path, known: set[str]) -> Iterator[str]:
    """The project's modules that `module` imports (a `from package import name` of a
    submodule counts as an import of that submodule, else of the package)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in known else base for t in targets]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                yield target


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    known = set(modules)
    return {name: set(_imported(name, path, known)) for name, path in modules.items()}


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others."""
    reach = {node: _reachable(graph, node) for node in graph}
    found: set[tuple[str, ...]] = set()
    for node in graph:
        if node in reach[node]:
            found.add(tuple(sorted(m for m in reach[node] if node in reach.get(m, ()))))
    return [list(group) for group in sorted(found)]


def test_the_checker_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_in_src() -> None:
    found = circles(import_graph(_modules()))
    assert found == [], "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_no_module_over_300_lines() -> None:
    too_long = {
        name: count
        for name, path in _modules().items()
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"modules over {MAX_LINES} lines: {too_long}"


def test_framework_packages_import_no_domain() -> None:
    domains = f"{PACKAGE}.domains"
    offenders = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph(_modules()).items()
        if not module.startswith(domains) and module not in COMPOSITION
        for target in targets
        if target.startswith(domains + ".") or target == domains
    )
    assert offenders == []
