"""One JSON log line and one metrics sample per request, with a request id echoed in X-Request-ID (ADR 0021).

The request layer (api/request_layer.py) calls these around every request, the guards' refusals included.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from starlette.types import Scope

from api.observability.metrics import Metrics

log = logging.getLogger("goalengine.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def record(metrics: Metrics, scope: Scope, request_id: str, status: int, seconds: float,
           caller: tuple[str, str] | None) -> None:
    route = getattr(scope.get("route"), "path", None) or "unmatched"
    metrics.observe(route, scope["method"], status, seconds)
    subject, role = caller or (None, None)
    client = scope.get("client")
    fields: dict[str, Any] = {
        "request_id": request_id, "method": scope["method"], "route": route, "path": scope.get("path"),
        "status": status, "duration_ms": round(seconds * 1000, 2), "subject": subject, "role": role,
        "client": client[0] if client else None,
    }
    log.info("%s %s %s", scope["method"], route, status, extra=fields)


def request_id_of(given: bytes | None) -> str:
    """The caller's X-Request-ID if it is a plain token (so it cannot forge log lines), else a new one."""
    text = (given or b"").decode("latin-1")
    return text if REQUEST_ID.fullmatch(text) else os.urandom(16).hex()
