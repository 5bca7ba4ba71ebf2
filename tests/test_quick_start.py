"""The README's quick start: `make run` serves where it says, and `make run PORT=8001` moves both the demo's
sign-in links and the server to the port asked for."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def planned_run(*arguments: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(["make", "-n", "-s", "run", *arguments], cwd=ROOT, capture_output=True, text=True,
                          check=True, timeout=60)
    return [line for line in plan.stdout.splitlines() if "goalengine " in line]


def test_make_run_serves_the_demo_on_port_8000_by_default() -> None:
    demo, serve = planned_run()[-2:]
    assert "demo --base http://127.0.0.1:8000" in demo
    assert "serve" in serve and "--port 8000" in serve


def test_make_run_takes_the_port_asked_for() -> None:
    demo, serve = planned_run("PORT=8001")[-2:]
    assert "demo --base http://127.0.0.1:8001" in demo
    assert "serve" in serve and "--port 8001" in serve


def test_the_package_metadata_uses_an_spdx_licence_expression() -> None:
    """A TOML table for `project.license` makes every install print setuptools' deprecation warning."""
    text = (ROOT / "pyproject.toml").read_text()
    assert 'license = "Apache-2.0"' in text
