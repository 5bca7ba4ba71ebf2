"""Erasure, export and the review packet over HTTP, end to end on both stores (ADR 0026, 0027).

emp-1 has goals, readings, a recalibration (one rejected, one approved), a closure and a review. After HR erases
them, the API, the history, the feed, the live and the rebuilt review show the marker and the same numbers, and the
trail verifies; the export beforehand holds every text they wrote or that was written about them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from application.goals.service import Goals
from application.privacy.registry import ERASED
from domain.values import Actor
from tests.application.privacy.support import TEXTS, WRITERS, employee_with_history, texts_of
from tests.application.privacy.test_no_plaintext_left import texts_found
from tests.conftest import Clock
from tests.scenarios import AUDITOR, EMPLOYEE, HR, MANAGER, STRANGER

Auth = Callable[[Actor], dict[str, str]]
REVIEW = "/reviews/emp-1?cycle=2026-H1"


def texts_in(answer: Any) -> list[str]:
    text = json.dumps(answer)
    return [name for name, value in TEXTS.items() if value in text]


def with_text_erased(answer: Any, texts: dict[str, str] = TEXTS) -> Any:
    """The answer as it must read after the erasure: each text replaced by the marker, the rest unchanged."""
    text = json.dumps(answer, sort_keys=True)
    for value in texts.values():
        text = text.replace(value, ERASED)
    return json.loads(text)


def readable(client: TestClient, auth: Auth, goals: Goals) -> dict[str, Any]:
    """Everything the API shows of emp-1's goals and review, minus the position (it moves with every write)."""
    answers = {"review": client.get(REVIEW, headers=auth(HR)).json(),
               "justification": client.get("/reviews/emp-1/justification?cycle=2026-H1", headers=auth(HR)).json()}
    for goal_id in goals.iter_goal_ids():
        answers[f"{goal_id}"] = client.get(f"/goals/{goal_id}", headers=auth(HR)).json()
        answers[f"{goal_id}/history"] = client.get(f"/goals/{goal_id}/history", headers=auth(HR)).json()
    for answer in answers.values():
        answer.pop("position", None)
    return answers


def test_an_erased_employee_reads_as_erased_everywhere_with_the_same_numbers(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    goals: Goals = app.state.goals
    employee_with_history(goals, clock)
    before = readable(client, auth, goals)
    assert texts_in(before) == list(TEXTS)
    export = client.get("/people/emp-1/export", headers=auth(EMPLOYEE))
    assert export.status_code == 200 and texts_in(export.json()) == list(TEXTS)

    erased = client.post("/people/emp-1/erasure", json={"reason": "GDPR article 17 request"}, headers=auth(HR))
    assert erased.status_code == 201, erased.text
    assert erased.json()["keys_erased"] == 1
    after = readable(client, auth, goals)  # only what emp-1 wrote (ADR 0051)
    assert set(texts_in(after)) == set(texts_of(*WRITERS[1:])) and after == with_text_erased(before, texts_of("emp-1"))
    for writer in WRITERS[1:]:
        assert client.post(f"/people/{writer}/erasure", json={"reason": "GDPR article 17 request"},
                           headers=auth(HR)).status_code == 201
    after = readable(client, auth, goals)
    assert texts_in(after) == [] and after == with_text_erased(before)

    feed = client.get("/events?after=0&limit=500", headers=auth(HR)).json()["items"]
    assert texts_in(feed) == [] and ERASED in json.dumps(feed)
    assert feed[-1]["type"] == "person.erased.v1" and feed[-1]["data"]["reason"] == "GDPR article 17 request"
    assert [item["data"]["person_id"] for item in feed if item["type"] == "person.erased.v1"] == list(WRITERS)
    verified = client.get("/audit/verify", headers=auth(AUDITOR))
    assert verified.status_code == 200 and verified.json()["intact"]
    app.state.projector.runner.rebuild()
    assert readable(client, auth, goals)["review"] == after["review"]
    assert texts_in(client.get("/people/emp-1/export", headers=auth(HR)).json()) == []
    assert texts_found(goals) == []  # every table, every row (SQLite: the file after VACUUM)


def test_only_hr_erases_and_only_hr_or_the_person_exports(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    employee_with_history(app.state.goals, clock)
    for actor in (EMPLOYEE, MANAGER, AUDITOR):
        refused = client.post("/people/emp-1/erasure", json={"reason": "no"}, headers=auth(actor))
        assert (refused.status_code, refused.json()["code"]) == (403, "role_not_allowed")
    for actor in (STRANGER, MANAGER):
        refused = client.get("/people/emp-1/export", headers=auth(actor))
        assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    blank = client.post("/people/emp-1/erasure", json={"reason": "  "}, headers=auth(HR))
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "body.reason"


def test_the_packet_bundles_the_cited_events_with_proofs_and_its_pdf_names_them(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    employee_with_history(app.state.goals, clock)
    packet = client.get("/reviews/emp-1/packet?cycle=2026-H1&format=json", headers=auth(MANAGER))
    assert packet.status_code == 200, packet.text
    body = packet.json()
    cited = {f"{e['goal_id']}:{e['version']}" for s in body["justification"]["statements"] for e in s["evidence"]}
    assert cited and {e["event"] for e in body["events"]} == cited
    assert all(e["proof"]["tree_size"] == body["tree_size"] for e in body["events"]) and body["checkpoint"]
    pdf = client.get("/reviews/emp-1/packet?cycle=2026-H1&format=pdf", headers=auth(EMPLOYEE))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert [event for event in sorted(cited) if event not in text] == []
    assert client.get("/reviews/emp-1/packet?cycle=2026-H1", headers=auth(STRANGER)).status_code == 403
    assert client.get("/reviews/emp-1/packet?cycle=2026-H1&format=doc", headers=auth(HR)).status_code == 422
    assert pdf.headers["content-disposition"] == ('attachment; filename="review-packet-emp-1-2026-H1.pdf"; '
                                                  "filename*=UTF-8''review-packet-emp-1-2026-H1.pdf")


def test_a_cycle_id_cannot_break_the_packets_file_name_header(client: TestClient, auth: Auth) -> None:
    odd = 'Ā"; x=1\u2028'
    answer = client.get("/reviews/emp-1/packet", params={"cycle": odd, "format": "pdf"}, headers=auth(HR))
    assert answer.status_code == 200
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="review-packet-emp-1-____x_1_.pdf"; filename*=UTF-8\'\'')
    assert '"' not in disposition.split("filename*=")[1] and ";" not in disposition.split("filename*=")[1]
