"""The SCIM 2.0 endpoint over HTTP: what an identity provider sends, what it gets back, and what it may not do."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.directory.service import Directory
from domain.values import Actor
from tests.application.directory.racing import race
from tests.scenarios import HR

SCIM = "application/scim+json"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(app: FastAPI, client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.state.scim_tokens.create('okta')}", "Content-Type": SCIM}


def user(user_name: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE], "userName": user_name,
            "displayName": f"Name {user_name}", "name": {"givenName": "Given", "familyName": user_name},
            "emails": [{"value": f"{user_name}@example.com", "primary": True}], "active": True, **extra}


def post_user(client: TestClient, scim: dict[str, str], user_name: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/scim/v2/Users", json=user(user_name, **extra), headers=scim)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_user_is_created_read_and_listed_with_its_manager(client: TestClient, scim: dict[str, str],
                                                           app: FastAPI) -> None:
    boss = post_user(client, scim, "ana")
    dev = post_user(client, scim, "dev", **{ENTERPRISE: {"manager": {"value": boss["id"]}, "department": "sales"}})
    read = client.get(f"/scim/v2/Users/{dev['id']}", headers=scim)
    assert read.status_code == 200 and read.headers["content-type"].startswith(SCIM)
    assert read.headers["etag"] == dev["meta"]["version"] == 'W/"1"'
    assert read.json()[ENTERPRISE]["manager"]["value"] == boss["id"]
    directory: Directory = app.state.directory
    person = directory.person(dev["id"])
    assert person is not None and person.manager_id == boss["id"] and person.details.org_unit == "sales"


@pytest.mark.parametrize(("query", "found"), [
    ('userName eq "DEV"', ["dev"]), ('userName ne "dev"', ["ana", "eve"]), ('displayName co "ev"', ["dev", "eve"]),
    ('userName sw "a"', ["ana"]), ("externalId pr", ["eve"]), ('emails.value eq "eve@example.com"', ["eve"]),
    ('active eq false', ["ana"]), ('userName eq "ana" or userName eq "eve"', ["ana", "eve"]),
    ('userName sw "d" and active eq true', ["dev"]),
])
def test_users_are_filtered(client: TestClient, scim: dict[str, str], query: str, found: list[str]) -> None:
    post_user(client, scim, "ana", active=False)
    post_user(client, scim, "dev")
    post_user(client, scim, "eve", externalId="okta-eve")
    listed = client.get("/scim/v2/Users", params={"filter": query}, headers=scim)
    assert listed.status_code == 200, listed.text
    assert sorted(r["userName"] for r in listed.json()["Resources"]) == found


def test_paging_and_attributes(client: TestClient, scim: dict[str, str]) -> None:
    for name in ("a1", "a2", "a3"):
        post_user(client, scim, name)
    page = client.get("/scim/v2/Users", params={"startIndex": 2, "count": 1, "attributes": "userName",
                                                "sortBy": "userName"}, headers=scim).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert page["Resources"][0]["userName"] == "a2" and "emails" not in page["Resources"][0]
    excluded = client.get("/scim/v2/Users", params={"excludedAttributes": "emails"}, headers=scim).json()
    assert all("emails" not in r and "userName" in r for r in excluded["Resources"])


def test_patch_with_and_without_paths(client: TestClient, scim: dict[str, str], app: FastAPI) -> None:
    boss, dev = post_user(client, scim, "ana"), post_user(client, scim, "dev")
    operations = [
        {"op": "replace", "path": "name.givenName", "value": "Devika"},
        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": boss["id"]}},
        {"op": "replace", "value": {"active": False, "title": "Lead"}},
    ]
    patched = client.patch(f"/scim/v2/Users/{dev['id']}", json={"schemas": [PATCH], "Operations": operations},
                           headers=scim)
    assert patched.status_code == 204, patched.text  # RFC 7644 §3.5.2: no attributes asked for, no body
    person = app.state.directory.person(dev["id"])
    assert (person.details.given_name, person.manager_id, person.active, person.details.title) == (
        "Devika", boss["id"], False, "Lead")
    removed = client.patch(f"/scim/v2/Users/{dev['id']}", headers=scim, json={
        "schemas": [PATCH], "Operations": [{"op": "remove", "path": f"{ENTERPRISE}:manager"}]})
    assert removed.status_code == 204 and app.state.directory.person(dev["id"]).manager_id is None


def test_a_stale_if_match_gets_412_and_changes_nothing(client: TestClient, scim: dict[str, str]) -> None:
    dev = post_user(client, scim, "dev")
    body = {**user("dev"), "title": "Lead"}
    stale = client.put(f"/scim/v2/Users/{dev['id']}", json=body, headers={**scim, "If-Match": 'W/"9"'})
    assert stale.status_code == 412 and ERROR in stale.json()["schemas"]
    fresh = client.put(f"/scim/v2/Users/{dev['id']}", json=body, headers={**scim, "If-Match": 'W/"1"'})
    assert fresh.status_code == 200 and fresh.json()["title"] == "Lead"


@pytest.mark.parametrize(("request_", "status", "scim_type"), [
    (("post", "/scim/v2/Users", user("DEV")), 409, "uniqueness"),
    (("get", "/scim/v2/Users?filter=userName%20eq", None), 400, "invalidFilter"),
    (("post", "/scim/v2/Users", user("x", **{ENTERPRISE: {"manager": {"value": "ghost"}}})), 400, "invalidValue"),
    (("post", "/scim/v2/Users", {**user("y"), "userName": 12}), 400, "invalidValue"),
])
def test_scim_errors(client: TestClient, scim: dict[str, str], request_: tuple[str, str, Any], status: int,
                     scim_type: str) -> None:
    post_user(client, scim, "dev")
    method, url, body = request_
    response = client.request(method.upper(), url, json=body, headers=scim)
    assert response.status_code == status, response.text
    assert ERROR in response.json()["schemas"] and response.json().get("scimType") == scim_type


def test_delete_deactivates_and_the_trail_keeps_the_person(client: TestClient, scim: dict[str, str],
                                                           app: FastAPI) -> None:
    dev = post_user(client, scim, "dev")
    assert client.delete(f"/scim/v2/Users/{dev['id']}", headers=scim).status_code == 204
    assert client.get(f"/scim/v2/Users/{dev['id']}", headers=scim).status_code == 404
    person = app.state.directory.person(dev["id"])
    assert person is not None and not person.active and person.removed
    again = post_user(client, scim, "dev")  # the user name is free again, for a new person
    assert again["id"] != dev["id"]


def test_groups_and_their_members(client: TestClient, scim: dict[str, str], app: FastAPI) -> None:
    dev, eve = post_user(client, scim, "dev"), post_user(client, scim, "eve")
    made = client.post("/scim/v2/Groups", headers=scim, json={
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "hr",
        "members": [{"value": dev["id"]}]})
    assert made.status_code == 201, made.text
    group = made.json()
    patched = client.patch(f"/scim/v2/Groups/{group['id']}", headers=scim, json={"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": eve["id"]}]},
        {"op": "remove", "path": f'members[value eq "{dev["id"]}"]'}]})
    assert patched.status_code == 204, patched.text
    read = client.get(f"/scim/v2/Groups/{group['id']}", headers=scim).json()
    assert [m["value"] for m in read["members"]] == [eve["id"]]
    assert read["meta"]["version"] == 'W/"3"'  # created, given members, one PATCH
    assert app.state.directory.person(eve["id"]).groups == {"hr"}
    listed = client.get("/scim/v2/Groups", params={"filter": 'displayName eq "hr"'}, headers=scim).json()
    assert listed["totalResults"] == 1
    assert client.delete(f"/scim/v2/Groups/{group['id']}", headers=scim).status_code == 204
    assert app.state.directory.person(eve["id"]).groups == frozenset()


def test_only_a_live_provisioning_token_opens_scim_and_it_opens_nothing_else(
        client: TestClient, scim: dict[str, str], app: FastAPI, auth: Callable[[Actor], dict[str, str]]) -> None:
    assert client.get("/scim/v2/Users", headers={**scim, "Authorization": "Bearer scim_forged"}).status_code == 401
    assert client.get("/scim/v2/Users", headers=auth(HR)).status_code == 401  # an API token is no provisioning one
    assert client.get("/scim/v2/Users").status_code == 401
    assert client.get("/scim/v2/ServiceProviderConfig").status_code == 200  # RFC 7643 §5: no authentication
    assert client.get("/goals", headers=scim).status_code == 401
    app.state.scim_tokens.revoke("okta")
    assert client.get("/scim/v2/Users", headers=scim).status_code == 401


def test_discovery_describes_users_with_the_enterprise_extension_and_groups(client: TestClient,
                                                                            scim: dict[str, str]) -> None:
    types = client.get("/scim/v2/ResourceTypes", headers=scim).json()["Resources"]
    assert {t["name"] for t in types} == {"User", "Group"}
    assert [e["schema"] for t in types if t["name"] == "User" for e in t["schemaExtensions"]] == [ENTERPRISE]
    schemas = {s["id"] for s in client.get("/scim/v2/Schemas", headers=scim).json()["Resources"]}
    assert ENTERPRISE in schemas
    config = client.get("/scim/v2/ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["etag"]["supported"] and not config["bulk"]["supported"]


def test_of_two_posts_of_one_user_name_at_once_the_second_gets_409_uniqueness(client: TestClient,
                                                                             scim: dict[str, str],
                                                                             app: FastAPI) -> None:
    """Forced to race (tests/application/directory/racing.py): the first stops after its check until the second
    waits for the directory's turn (ADR 0054)."""
    first, second = race(app.state.goals, app.state.directory,
                         lambda: client.post("/scim/v2/Users", json=user("dev"), headers=scim),
                         lambda: client.post("/scim/v2/Users", json=user("DEV"), headers=scim))
    assert first.result().status_code == 201, first.result().text
    refused = second.result()
    assert refused.status_code == 409 and refused.json()["scimType"] == "uniqueness", refused.text
    listed = client.get("/scim/v2/Users", params={"filter": 'userName eq "dev"'}, headers=scim).json()
    assert listed["totalResults"] == 1


def test_of_two_crosswise_manager_changes_at_once_the_second_gets_400_invalid_value(client: TestClient,
                                                                                   scim: dict[str, str],
                                                                                   app: FastAPI) -> None:
    ana, zed = post_user(client, scim, "ana"), post_user(client, scim, "zed")

    def manager(of: dict[str, Any], manager_id: str) -> Callable[[], Any]:
        body = user(of["userName"], **{ENTERPRISE: {"manager": {"value": manager_id}}})
        return lambda: client.put(f"/scim/v2/Users/{of['id']}", json=body, headers=scim)

    first, second = race(app.state.goals, app.state.directory, manager(ana, zed["id"]), manager(zed, ana["id"]))
    assert first.result().status_code == 200, first.result().text
    refused = second.result()
    assert refused.status_code == 400 and refused.json()["scimType"] == "invalidValue", refused.text
    assert "reporting loop" in refused.json()["detail"]
    assert app.state.directory.manager_of(zed["id"]) is None


def test_a_directory_turn_held_too_long_answers_503_and_stores_nothing(client: TestClient, scim: dict[str, str],
                                                                       app: FastAPI) -> None:
    turn = app.state.directory.turn
    turn.wait = 0.05
    with ThreadPoolExecutor(1) as other_thread, turn.held():  # held by this thread: the request's thread waits
        answer = other_thread.submit(client.post, "/scim/v2/Users", json=user("dev"), headers=scim).result()
    assert answer.status_code == 503 and ERROR in answer.json()["schemas"], answer.text
    assert "nothing was stored" in answer.json()["detail"]
    assert app.state.directory.people() == []
