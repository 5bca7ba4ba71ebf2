"""The JSON log handler writes to standard error as it is at each line, so a swapped and closed stream (a test
harness running the server in-process) is never written to."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from api.observability.logs import StandardErrorHandler, configure_json_logs


@pytest.fixture
def restored_root_logger() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_line_goes_to_standard_error_as_it_is_when_written(
    restored_root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_json_logs()
    assert isinstance(logging.getLogger().handlers[0], StandardErrorHandler)
    first.close()  # what a harness does with the stream it swapped in
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    logging.getLogger("goalengine.test").info("after the swap")
    assert json.loads(later.getvalue().splitlines()[-1])["message"] == "after the swap"
