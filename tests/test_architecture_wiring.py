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
    {"domain.closure", "domain.goal", "domain.goal_assignment"},  # the mixins name Goal for types only
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


# --- one composition root ------------------------------------------------------------------------------------

COMPOSITION_ROOT = "api/bootstrap.py"
# Besides the root: the settings classes' own `from_env`, and the demo's key helpers, which name the keys they make
# in the environment for the root to read.
ALSO_READ_THE_ENVIRONMENT = {"application/store/settings.py", "application/webhooks/config.py", "api/guards/config.py",
                             "api/cli/keys.py", "application/directory/roles.py", "application/notifications/mail.py",
                             "application/notifications/addresses.py",
                             "api/cli/malloc_arenas.py"}  # glibc's MALLOC_ARENA_MAX, for the processes serve starts


def product_files() -> list[Path]:
    return [path for package in ("application", "projections", "api") for path in sorted((ROOT / package).rglob("*.py"))
            ]


def reads_environment(node: ast.AST) -> bool:
    """`os.environ`, `os.getenv` or a call of some `from_env`."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
        return node.attr in ("environ", "getenv")
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "from_env"


def import_time_nodes(tree: ast.Module) -> Iterator[ast.AST]:
    """The nodes Python runs when the module is imported: not function bodies (their defaults and decorators are)."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            pending.extend([*node.decorator_list, *node.args.defaults, *filter(None, node.args.kw_defaults)])
        elif isinstance(node, ast.Lambda):
            pending.extend(node.args.defaults)
        else:
            pending.extend(ast.iter_child_nodes(node))


def test_no_module_reads_the_environment_when_it_is_imported() -> None:
    offenders = [str(path.relative_to(ROOT)) for path in product_files()
                 if any(reads_environment(node) for node in import_time_nodes(ast.parse(path.read_text())))]
    assert offenders == []


def test_only_the_composition_root_reads_the_environment() -> None:
    offenders = [
        str(path.relative_to(ROOT)) for path in product_files()
        if str(path.relative_to(ROOT)) not in {COMPOSITION_ROOT, *ALSO_READ_THE_ENVIRONMENT}
        and any(reads_environment(node) for node in ast.walk(ast.parse(path.read_text())))
    ]
    assert offenders == []


def test_only_the_composition_root_builds_the_goals_application() -> None:
    """serve, every command, the demo and the projector get their Goals from api/bootstrap.py."""
    offenders = [
        str(path.relative_to(ROOT)) for path in product_files()
        if str(path.relative_to(ROOT)) != COMPOSITION_ROOT
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Goals"
    ]
    assert offenders == []


def test_the_read_side_builds_no_command_service() -> None:
    """projections/ reads; the review decisions and the notifier, which issue commands, are application/'s."""
    offenders = [f"{path.relative_to(ROOT)} imports {name}" for path in sorted((ROOT / "projections").rglob("*.py"))
                 for name in imports_of(path, project_modules())
                 if name in ("application.reviews.decisions", "application.goals.warnings")]
    assert offenders == []


# --- library internals, fenced ---------------------------------------------------------------------------------

INTERNALS_MODULES = {"application/store/eventsourcing_internals.py", "api/starlette_internals.py",
                     "api/uvicorn_internals.py"}
PRIVATE_PARTS = ("_record", "_insert_events", "_json", "_get_connection", "_time_remaining", "_no_readers",
                 "_num_readers", "_writer_lock", "_mutually_exclusive_read_write", "H11Protocol")


def private_part(node: ast.AST) -> str | None:
    """A library's private part named by this node: `super()._x`, `other._x` (not `self._x`, our own), or a class."""
    if isinstance(node, ast.Name) and node.id == "H11Protocol":
        return node.id
    if not isinstance(node, ast.Attribute) or node.attr not in PRIVATE_PARTS:
        return None
    return None if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls") else node.attr


def test_private_parts_of_libraries_are_named_only_in_their_internals_modules() -> None:
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in product_files()
                 if str(path.relative_to(ROOT)) not in INTERNALS_MODULES
                 for node in ast.walk(ast.parse(path.read_text())) if (name := private_part(node))]
    assert offenders == []


def test_the_private_part_finder_finds_what_it_looks_for() -> None:
    found = [private_part(node) for node in ast.walk(ast.parse("super()._record(e); request._json = 1; self._json"))]
    assert sorted(filter(None, found)) == ["_json", "_record"]
