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
