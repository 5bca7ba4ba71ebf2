"""Structured logs (ADR 0021): one JSON object per line; never a token, a secret or a body."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, UTC
from typing import Any

REQUEST_FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "subject", "role", "client")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class StandardErrorHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to standard error as it is when a line is written, not as it was when the handler was made: whoever
    runs the server in-process (a test harness) may swap sys.stderr and close the one it swapped in, while a
    server thread still logs its last requests."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _ignored: Any) -> None:
        pass


def configure_json_logs(level: int = logging.INFO) -> None:
    """Every logger (uvicorn's too) writes JSON lines to standard error; uvicorn's access log gives way to ours."""
    handler = StandardErrorHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
