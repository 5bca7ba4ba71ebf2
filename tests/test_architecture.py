"""The layers keep their directions: api -> application | projections -> domain; the domain stays pure."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"domain", "application", "projections", "api", "bench"}
FORBIDDEN = {
    "domain": {"application", "projections", "api", "bench"},
    "application": {"projections", "api", "bench"},
    "projections": {"api", "bench"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_no_layer_above_it(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files(package)
        for name in imported_modules(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert offenders == []


def test_the_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    allowed_third_party = {"eventsourcing.domain"}
    offenders = []
    for path in python_files("domain"):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in PROJECT_PACKAGES or name in allowed_third_party:
                continue
            offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_only_the_application_layer_constructs_the_event_store() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("domain", "projections", "api")
        for path in python_files(package)
        for name in imported_modules(path)
        if name in ("eventsourcing.application", "eventsourcing.sqlite", "eventsourcing.postgres")
    ]
    assert offenders == []


def test_route_modules_read_no_environment_and_start_no_thread() -> None:
    """One composition root (api/bootstrap.py) reads the settings and runs the background work."""
    offenders = []
    for path in python_files("api/routes") + python_files("api/web"):
        source = path.read_text()
        for needle in ("os.environ", "os.getenv", "Thread(", ".from_env("):
            if needle in source:
                offenders.append(f"{path.relative_to(ROOT)} uses {needle}")
    assert offenders == []


def test_the_review_calculators_read_only_the_domain_and_each_other() -> None:
    """projections/review/ computes from review states; only its state fold reads event records."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in python_files("projections/review")
        for name in imported_modules(path)
        if name.split(".")[0] in PROJECT_PACKAGES
        and not name.startswith(("domain", "projections.review"))
        and not (path.name == "state.py" and name == "application.events.serialization")
    ]
    assert offenders == []


def test_the_command_line_is_imported_by_nothing_but_itself() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("domain", "application", "projections", "api")
        for path in python_files(package)
        if "cli" not in path.relative_to(ROOT).parts
        for name in imported_modules(path)
        if name.startswith("api.cli")
    ]
    assert offenders == []


def test_the_rules_each_have_one_home() -> None:
    """Who may see, draft and decide is written in domain/rules.py and called from everywhere else."""
    callers = {
        "api/access.py": "rules.may_see", "projections/goal_index.py": "rules.listing_scope",
        "projections/reviews.py": "rules.review_scope", "application/audit/fairness.py":
        "rules.decider_is_a_second_person", "domain/recalibration_rules.py": "rules.decider_is_a_second_person",
        "domain/goal.py": "rules.may_draft",
    }
    missing = [f"{path} does not call {call}" for path, call in callers.items()
               if call not in (ROOT / path).read_text()]
    assert missing == []


# --- One home per rule (ADR 0030) -------------------------------------------------------------------------------

ROLE_VALUES = {"employee", "manager", "hr", "auditor", "service"}
RULE_MODULES = ("domain/rules.py", "domain/review_rules.py", "domain/recalibration_rules.py")
# Where a role may be compared: the rules themselves, and the API's role dependencies. The API's one table that picks
# a page per role (a dict keyed by role, no comparison) is api/web/workspace.py's HOME_SECTIONS.
ROLE_COMPARISONS_ALLOWED = {"domain/rules.py", "api/deps.py"}
PAGE_PER_ROLE_TABLE = ("api/web/workspace.py", "HOME_SECTIONS")


def mentions_a_role(node: ast.expr) -> bool:
    """A `Role.X` member, a role's string value, or a tuple, list or set holding one."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ROLE_VALUES:
        return True
    return isinstance(node, ast.Tuple | ast.List | ast.Set) and any(mentions_a_role(e) for e in node.elts)


def role_comparisons(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [f"{path.relative_to(ROOT)}:{node.lineno} compares with a role"
            for node in ast.walk(tree) if isinstance(node, ast.Compare)
            and any(mentions_a_role(operand) for operand in (node.left, *node.comparators))]


def test_roles_are_compared_only_in_the_rules_and_the_apis_role_dependencies() -> None:
    """No `actor.role is Role.HR`, `role in (Role.EMPLOYEE, ...)` or `role == "hr"` outside domain/rules.py in
    domain/, application/ and projections/, nor outside api/deps.py in api/: such a comparison is a rule, and a rule
    is written once (in domain/rules.py) and called. A page per role is picked by one named table (HOME_SECTIONS)."""
    offenders = [
        offence
        for package in ("domain", "application", "projections", "api")
        for path in python_files(package)
        if str(path.relative_to(ROOT)) not in ROLE_COMPARISONS_ALLOWED
        for offence in role_comparisons(path)
    ]
    assert offenders == []
    table_module, table = PAGE_PER_ROLE_TABLE
    assert f"\n{table}: dict[Role," in (ROOT / table_module).read_text()


def defined_functions(path: Path) -> list[str]:
    """Every function and method a module defines, at any depth."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def rule_names() -> dict[str, str]:
    """A rule name is the name of a public module-level function of a rules module (RULE_MODULES): the sentence a
    rule checks ("may_close", "decider_is_a_second_person", "require_deadline_not_passed")."""
    names: dict[str, str] = {}
    for module in RULE_MODULES:
        tree = ast.parse((ROOT / module).read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                assert node.name not in names, f"{node.name} is a rule of both {names[node.name]} and {module}"
                names[node.name] = module
    return names


def test_a_rule_name_is_defined_once_in_the_whole_project() -> None:
    """A second function (or method) anywhere in domain/, application/, projections/ or api/ with the name of a rule
    is a second copy of that rule: the test fails, whatever the copy says."""
    rules = rule_names()
    assert {"may_see", "may_close", "closer_is_not_the_beneficiary", "decides_recalibrations", "resolves_disputes",
            "moves_cycles", "acts_as_oneself"} <= set(rules)
    offenders = [
        f"{path.relative_to(ROOT)} defines {name} again (the rule is in {rules[name]})"
        for package in ("domain", "application", "projections", "api")
        for path in python_files(package)
        for name in defined_functions(path)
        if name in rules and str(path.relative_to(ROOT)) != rules[name]
    ]
    assert offenders == []


def test_the_architecture_tests_see_a_role_comparison_and_a_second_copy(tmp_path: Path) -> None:
    """The checks above fail on what they forbid (each would pass vacuously on an empty tree otherwise)."""
    copy = tmp_path / "copy.py"
    copy.write_text("def may_close(actor, manager_id):\n    return actor.role is Role.HR or actor.role == 'manager'\n")
    tree = ast.parse(copy.read_text())
    compared = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)
                and any(mentions_a_role(o) for o in (n.left, *n.comparators))]
    assert len(compared) == 2
    assert "may_close" in defined_functions(copy) and "may_close" in rule_names()
