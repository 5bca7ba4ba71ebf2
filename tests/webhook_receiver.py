"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 that checks Standard Webhooks signatures.

It can answer 503 to its first deliveries, reject chosen events (422), and hold one delivery open (to kill a worker
in the middle of it).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Delivery:
    webhook_id: str
    body: dict[str, Any]
    status: int  # what the receiver answered
    raw: bytes = field(default=b"", compare=False)  # the signed bytes and headers differ on each try
    headers: dict[str, str] = field(default_factory=dict, compare=False)


class Receiver:
    def __init__(self, fail_first: int = 0, hold_at: int | None = None) -> None:
        self.secret: str | None = None
        self.fail_first = fail_first
        self.rejected_ids: set[str] = set()  # events (by webhook-id) answered 422 for as long as they are in here
        self.hold_at = hold_at  # the n-th request (1-based) waits until `release` is set
        self.holding = threading.Event()  # set while the held request waits
        self.release = threading.Event()
        self.deliveries: list[Delivery] = []
        self.bad_signatures: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/goals"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if d.status == 200]

    def requests(self) -> int:
        with self.lock:
            return len(self.deliveries)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20.0, step: Callable[[], Any] = lambda: None
                 ) -> None:
        """Poll a condition (doing `step` between looks) until it holds; fail after the timeout."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; receiver has {self.requests()} requests: {self.deliveries[-3:]}")
            step()
            time.sleep(0.01)

    def _answer(self, headers: dict[str, str], raw: bytes) -> int:
        with self.lock:
            number = len(self.deliveries) + 1
        if self.hold_at == number:
            self.holding.set()
            self.release.wait(30)
        try:
            assert self.secret, "the test must give the receiver the subscription's secret"
            body = Webhook(self.secret).verify(raw, headers)
        except WebhookVerificationError as error:
            self.bad_signatures.append(str(error))
            return 401
        status = 503 if number <= self.fail_first else 200
        with self.lock:
            if headers["webhook-id"] in self.rejected_ids:
                status = 422
            self.deliveries.append(Delivery(headers["webhook-id"], body, status, raw, headers))
        return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = receiver._answer({k.lower(): v for k, v in self.headers.items()}, raw)
                payload = json.dumps({"status": status}).encode()
                self.send_response(status)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:  # keep the test output quiet
                return

        return Handler
