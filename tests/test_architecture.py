"""The package's shape: no import cycles, between modules or between parts (folders).

Every import counts, including those inside functions and `TYPE_CHECKING` blocks: a lazy
import is still a dependency, and a cycle hidden behind one is a cycle all the same.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import analyzer

PACKAGE = Path(analyzer.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of `analyzer` it imports."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _part(module: str) -> str:
    """`analyzer.nlp.detect` -> `nlp`; `analyzer.cli` -> `cli`; `analyzer` -> `analyzer`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_architecture_has_no_module_cycles() -> None:
    assert cycles(import_graph()) == []


def test_architecture_has_no_cycles_between_parts() -> None:
    parts: dict[str, set[str]] = defaultdict(set)
    for module, targets in import_graph().items():
        for target in targets:
            if _part(module) != _part(target):
                parts[_part(module)].add(_part(target))
    assert cycles(dict(parts)) == []


def test_architecture_bottom_floor_imports_nothing_of_ours() -> None:
    graph = import_graph()
    for module in ("analyzer.types", "analyzer.errors", "analyzer.version"):
        assert graph[module] <= {"analyzer.version"}, (module, graph[module])


def test_architecture_finds_a_planted_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
