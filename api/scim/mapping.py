"""SCIM resources to directory commands and back: a User (with the enterprise extension) is a person, a Group a group.

The fields goalengine reads (userName, displayName, name, primary e-mail, title, department, manager, active,
externalId) become the person's details; everything else the identity provider sent is kept whole, sealed, in the
person's profile, and given back as it came (ADR 0033). A password is never stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from application.directory.index import Group, Person
from application.privacy.registry import ERASED
from domain.directory import PersonDetails

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
# Attributes the directory holds in fields of its own, or makes itself: not kept in the profile.
NOT_PROFILE = frozenset({"schemas", "id", "meta", "userName", "displayName", "title", "active", "externalId",
                         "groups", "password"})


@dataclass(frozen=True)
class UserCommand:
    """What a SCIM User asks the directory to hold."""

    details: PersonDetails
    manager_id: str | None
    active: bool | None  # None: not stated (a PATCH removed it): a new person is active, a known one stays as is


def user_command(user: dict[str, Any]) -> UserCommand:
    """The directory's view of a User body (as scim2-models dumps it: camelCase, no nulls)."""
    enterprise = dict(user.get(ENTERPRISE) or {})
    manager = enterprise.pop("manager", None) or {}
    profile = {key: value for key, value in user.items() if key not in NOT_PROFILE and key != ENTERPRISE}
    if enterprise:
        profile[ENTERPRISE] = enterprise
    name = user.get("name") or {}
    details = PersonDetails(
        user_name=str(user.get("userName") or ""), display_name=str(user.get("displayName") or ""),
        given_name=str(name.get("givenName") or ""), family_name=str(name.get("familyName") or ""),
        email=_primary_email(user.get("emails") or []), title=str(user.get("title") or ""),
        org_unit=str(enterprise.get("department") or ""), external_id=str(user.get("externalId") or ""),
        profile=json.dumps(profile, sort_keys=True, separators=(",", ":")) if profile else "")
    active = user.get("active")
    return UserCommand(details, manager.get("value") or None, None if active is None else bool(active))


def user_body(person: Person, groups: list[Group]) -> dict[str, Any]:
    """The User resource of a person, with the enterprise extension when it has anything to say."""
    details = person.details
    body: dict[str, Any] = _profile(details.profile)
    enterprise = {k: v for k, v in (body.pop(ENTERPRISE, None) or {}).items() if k != "schemas"}
    body.update({"schemas": [USER_SCHEMA], "id": person.id, "userName": details.user_name, "active": person.active,
                 "meta": _meta("User", person.created, person.last_modified, person.version)})
    _put(body, "displayName", details.display_name)
    _put(body, "title", details.title)
    _put(body, "externalId", details.external_id)
    name = {**(body.get("name") or {})}
    _put(name, "givenName", details.given_name)
    _put(name, "familyName", details.family_name)
    _put(body, "name", name)
    if details.email and details.email not in [e.get("value") for e in body.get("emails") or []]:
        body["emails"] = [{"value": details.email, "primary": True}]
    _put(enterprise, "department", details.org_unit)
    if person.manager_id:
        # No displayName: identity providers send none, and a manager's name is theirs to see on their own User.
        enterprise["manager"] = {"value": person.manager_id, "$ref": f"Users/{person.manager_id}"}
    if enterprise:
        body["schemas"].append(ENTERPRISE)
        body[ENTERPRISE] = {"schemas": [ENTERPRISE], **enterprise}
    if groups:
        body["groups"] = [{"value": g.id, "display": g.display_name, "$ref": f"Groups/{g.id}", "type": "direct"}
                          for g in groups]
    return body


def group_body(group: Group, people: dict[str, Person], groups: dict[str, Group]) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "id": group.id, "displayName": group.display_name,
                            "meta": _meta("Group", group.created, group.last_modified, group.version)}
    _put(body, "externalId", group.external_id)
    members = [_member(member, people, groups) for member in sorted(group.members)]
    if members:
        body["members"] = members
    return body


def _member(member: str, people: dict[str, Person], groups: dict[str, Group]) -> dict[str, Any]:
    if member in groups:
        return {"value": member, "$ref": f"Groups/{member}", "type": "Group", "display": groups[member].display_name}
    person = people.get(member)
    return {"value": member, "$ref": f"Users/{member}", "type": "User",
            **({"display": person.display_name} if person else {})}


def version_tag(version: int) -> str:
    return f'W/"{version}"'


def version_of(tag: str | None) -> int | None:
    """The aggregate version an ETag names (None: no precondition); -1 for a tag we never gave out."""
    if tag is None or tag == "*":
        return None
    digits = tag.removeprefix("W/").strip('"')
    return int(digits) if digits.isdigit() and len(digits) < 12 else -1


def _meta(resource_type: str, created: Any, modified: Any, version: int) -> dict[str, Any]:
    return {"resourceType": resource_type, "created": created.isoformat(), "lastModified": modified.isoformat(),
            "version": version_tag(version)}


def _primary_email(emails: list[dict[str, Any]]) -> str:
    primary = [e for e in emails if e.get("primary")] or emails
    return str(primary[0].get("value") or "") if primary else ""


def _profile(profile: str) -> dict[str, Any]:
    if not profile or profile == ERASED:
        return {}
    value = json.loads(profile)
    return value if isinstance(value, dict) else {}


def _put(body: dict[str, Any], key: str, value: Any) -> None:
    if value:
        body[key] = value
    else:
        body.pop(key, None)
