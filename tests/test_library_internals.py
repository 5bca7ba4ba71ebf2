"""Each library's private parts are checked when the module that uses them is imported (ADR 0031): an upgrade that
drops one stops the process at start, naming the part and the installed version."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from api import starlette_internals, uvicorn_internals
from application.store import eventsourcing_internals
from application.store.internals import LibraryInternalsError, require_attributes, require_in_source

ROOT = Path(__file__).resolve().parent.parent


def import_after(breakage: str, module: str) -> subprocess.CompletedProcess[str]:
    """Import the module in a fresh interpreter after the breakage ran (as if another version were installed)."""
    return subprocess.run([sys.executable, "-c", f"{breakage}\nimport {module}"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


@pytest.mark.parametrize("checked", [eventsourcing_internals, starlette_internals, uvicorn_internals])
def test_the_installed_libraries_have_every_private_part_relied_on(checked: object) -> None:
    checked.check()  # type: ignore[attr-defined]


def test_a_missing_attribute_is_named_with_the_library_and_its_version() -> None:
    with pytest.raises(LibraryInternalsError, match=rf"uvicorn {version('uvicorn')} lacks _gone, _lost of object"):
        require_attributes("uvicorn", object(), ["__class__", "_gone", "_lost"])


def test_a_method_that_no_longer_touches_an_attribute_fails_the_source_check() -> None:
    def json(self: object) -> None:
        return None

    with pytest.raises(LibraryInternalsError, match=rf"starlette {version('starlette')} lacks self._json"):
        require_in_source("starlette", json, ["self._json"])


@pytest.mark.parametrize(("breakage", "module", "part", "library"), [
    ("import eventsourcing.application as a; del a.Application._record", "application.store.eventsourcing_internals",
     "_record", "eventsourcing"),
    ("import eventsourcing.sqlite as s\nfor c in s.SQLiteApplicationRecorder.__mro__:\n"
     "    vars(c).get('_insert_events') and delattr(c, '_insert_events')",
     "application.store.eventsourcing_internals", "_insert_events", "eventsourcing"),
    ("import starlette.requests as r; r.Request.json = lambda self: None", "api.starlette_internals", "self._json",
     "starlette"),
    ("import uvicorn.protocols.http.h11_impl as h; del h.H11Protocol.on_response_complete", "api.uvicorn_internals",
     "on_response_complete", "uvicorn"),
])
def test_importing_a_module_over_a_library_without_its_part_fails_naming_part_and_version(
    breakage: str, module: str, part: str, library: str
) -> None:
    done = import_after(breakage, module)
    assert done.returncode != 0
    assert "LibraryInternalsError" in done.stderr
    assert f"{library} {version(library)} lacks {part}" in done.stderr


def test_the_goals_application_saves_through_the_record_hook() -> None:
    """The audit chain brackets every save through `recorded`, the one public name for the library's `_record`."""
    from application.goals.event_log import GoalEventLog

    assert issubclass(GoalEventLog, eventsourcing_internals.RecordHook)
    assert "recorded" in vars(GoalEventLog) and "_record" not in vars(GoalEventLog)
