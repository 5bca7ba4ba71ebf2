"""The inbox page over HTTP on both stores with the demo organisation: what waits, linked to where it is done, and
the daily e-mail's kinds as checkboxes (the same opt-outs as PUT /inbox/mail)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from api.auth import issue_token
from tests.api.conftest import API_SECRET
from tests.api.module_app import STORES
from tests.api.web import test_workspace_pages as demo
from tests.api.web.test_workspace_pages import Web


@pytest.fixture(scope="module", params=STORES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    yield from demo.web.__wrapped__(request, tmp_path_factory)


def test_the_inbox_lists_what_waits_with_links_and_sets_the_e_mail_kinds(web: Web) -> None:
    csrf = web.sign_in("emp-carla", "employee")
    page = web.client.get("/workspace/inbox")
    assert page.status_code == 200 and 'href="/workspace/inbox"' in page.text
    listed = re.findall(r'<li data-kind="([a-z_]+)"><a href="(/workspace/[^"]+)"', page.text)
    token = issue_token(API_SECRET, "emp-carla", "employee")
    api = web.client.get("/inbox", headers={"Authorization": f"Bearer {token}"})
    assert listed == [(i["kind"], i["link"].replace("&", "&amp;")) for i in api.json()["items"]]
    assert "Sign the draft “Knowledge-base articles”" in page.text
    saved = web.client.post("/workspace/inbox/mail", data={"csrf_token": csrf, "mail_sign_draft": "on"},
                            follow_redirects=False)
    assert saved.status_code == 303
    opted_out = web.client.get("/inbox/mail", headers={"Authorization": f"Bearer {token}"}).json()["opted_out"]
    assert opted_out == sorted(["reading_due", "warning", "acknowledge_decision", "resolve_dispute",
                                "decide_recalibration"])
    again = web.client.get("/workspace/inbox").text
    assert re.search(r'name="mail_sign_draft" checked', again) and not re.search(r'name="mail_warning" checked', again)


def test_an_auditor_has_no_inbox(web: Web) -> None:
    web.sign_in("aud-kim", "auditor")
    refused = web.client.get("/workspace/inbox")
    assert refused.status_code == 403 and "Only employees, managers and HR have an inbox." in refused.text
