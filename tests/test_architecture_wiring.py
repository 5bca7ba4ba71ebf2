"""The house's wiring: no import cycles, a short top of application/, one composition root, library internals fenced.

Beside tests/test_architecture.py (the layers' directions and the rules' homes): these read the source too, so they
run in milliseconds and fail naming the module to fix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("domain", "application", "projections", "api", "bench")
# Cycles in domain/ are cut by the branch that moves its rules (issue 21, items 1 and 2); each goes through a
# type-only import. Listed here so that any other cycle, in any layer, fails.
KNOWN_DOMAIN_CYCLES = (
    {"domain.smart", "domain.terms", "domain.validation"},
    {"domain.closure", "domain.goal"},
    {"domain.review", "domain.review_rules"},
)
MAX_TOP_LEVEL_APPLICATION_MODULES = 5


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules a module imports anywhere in it (type-only and function-level imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif node.module in modules:
                    found.add(node.module)
    return found


def strongly_connected(graph: dict[str, set[str]]) -> Iterator[set[str]]:
    """Tarjan's components of more than one module: each is at least one import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(module: str) -> Iterator[set[str]]:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                yield from visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                yield component

    for module in sorted(graph):
        if module not in index:
            yield from visit(module)


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def test_the_cycle_finder_finds_a_cycle_and_passes_a_ladder() -> None:
    assert list(strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})) == [{"a", "b", "c"}]
    assert list(strongly_connected({"a": {"b"}, "b": {"c"}, "c": set()})) == []


def test_no_project_modules_import_each_other_in_a_circle() -> None:
    cycles = [sorted(c) for c in strongly_connected(import_graph()) if c not in KNOWN_DOMAIN_CYCLES]
    assert cycles == []


def test_the_known_domain_cycles_stay_inside_the_domain() -> None:
    assert all(module.startswith("domain.") for cycle in KNOWN_DOMAIN_CYCLES for module in cycle)


def test_application_keeps_at_most_five_modules_at_its_top() -> None:
    """Capabilities live in packages (application/goals/, reviews/, ...): the top holds only what all of them share."""
    top = sorted(path.name for path in (ROOT / "application").glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_APPLICATION_MODULES, top
