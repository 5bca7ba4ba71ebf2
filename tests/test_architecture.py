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
