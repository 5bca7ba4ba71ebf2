"""The README says what the code does: the variables it documents, the endpoints that need no token, and how long
the demo's sign-in links work (issue 21, item 6)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.cli.demo import DEMO_LINK_TTL

README = (Path(__file__).resolve().parent.parent.parent / "README.md").read_text()


def test_the_readme_documents_each_variable_the_code_reads() -> None:
    for variable in ("GOALENGINE_EVENTS_PUSH", "GOALENGINE_SECRET_FILE", "GOALENGINE_AUDIT_KEY_FILE",
                     "GOALENGINE_WEBHOOK_BATCH_SIZE"):
        assert f"| `{variable}` |" in README, variable


def test_the_readme_gives_the_demo_links_the_lifetime_the_demo_prints() -> None:
    assert f"each works once, within {DEMO_LINK_TTL // 60} minutes" in README


def test_the_endpoints_the_readme_calls_tokenless_answer_without_a_token(client: TestClient) -> None:
    assert "Every endpoint except `GET /health`, `GET /ready`, `GET /metrics` and the docs needs" in README
    assert {path: client.get(path).status_code for path in ("/health", "/ready", "/metrics")} == {
        "/health": 200, "/ready": 200, "/metrics": 200}
    assert client.get("/goals").status_code == 401
