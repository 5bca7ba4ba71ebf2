"""A group of the organisation's directory: a name and its members, the people whose roles it grants (ADR 0034).

Membership changes are events of their own (who joined, who left), so the trail shows who was in HR on any day.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.directory import MAX_FIELD, NAMESPACE, by_actor, require_administrator, require_plain_id
from domain.errors import InvalidGoalInputError
from domain.values import Actor


def directory_group_uuid(group_id: str) -> UUID:
    return uuid5(NAMESPACE, f"group:{group_id}")


class DirectoryGroup(Aggregate):
    """A group: its display name (which maps to a role) and its members' person ids."""

    TOPIC = "goalengine:DirectoryGroup"

    class Event(Aggregate.Event):
        TOPIC = "goalengine:DirectoryGroup.Event"
        actor_id: str
        actor_role: str

    class Created(Aggregate.Created, Event):
        TOPIC = "goalengine:DirectoryGroup.Created"
        CLOUDEVENT_TYPE = "group.created.v1"
        group_id: str
        display_name: str
        external_id: str

    class Updated(Event):
        """The group's name or external id changed: each from what to what."""

        TOPIC = "goalengine:DirectoryGroup.Updated"
        CLOUDEVENT_TYPE = "group.updated.v1"
        group_id: str
        changes: dict[str, dict[str, str]]

        def apply(self, group: DirectoryGroup) -> None:
            for name, change in self.changes.items():
                setattr(group, name, change["to"])

    class MembershipChanged(Event):
        """People joined and left the group."""

        TOPIC = "goalengine:DirectoryGroup.MembershipChanged"
        CLOUDEVENT_TYPE = "group.membership_changed.v1"
        group_id: str
        added: list[str]
        removed: list[str]

        def apply(self, group: DirectoryGroup) -> None:
            group.members = (group.members - set(self.removed)) | set(self.added)

    class Deleted(Event):
        TOPIC = "goalengine:DirectoryGroup.Deleted"
        CLOUDEVENT_TYPE = "group.deleted.v1"
        group_id: str

        def apply(self, group: DirectoryGroup) -> None:
            group.deleted = True
            group.members = set()

    def __init__(self, group_id: str, display_name: str, external_id: str) -> None:
        self.group_id = group_id
        self.display_name = display_name
        self.external_id = external_id
        self.members: set[str] = set()
        self.deleted = False

    @classmethod
    def create(cls, actor: Actor, group_id: str, display_name: str, external_id: str = "") -> DirectoryGroup:
        require_administrator(actor)
        require_plain_id("id", group_id)
        _require_name(display_name)
        return cls._create(cls.Created, id=directory_group_uuid(group_id), group_id=group_id,
                           display_name=display_name, external_id=external_id, **by_actor(actor))

    def update(self, actor: Actor, display_name: str, external_id: str) -> None:
        """Rename the group or change its external id (an event only if either changes)."""
        require_administrator(actor)
        _require_name(display_name)
        wanted = {"display_name": display_name, "external_id": external_id}
        changes = {name: {"from": getattr(self, name), "to": value} for name, value in wanted.items()
                   if getattr(self, name) != value}
        if changes:
            self.trigger_event(self.Updated, group_id=self.group_id, changes=changes, **by_actor(actor))

    def set_members(self, actor: Actor, members: set[str]) -> None:
        """The group's members become exactly these people (an event only if that changes anything)."""
        require_administrator(actor)
        for member in members:
            require_plain_id("members.value", member)
        added, removed = sorted(members - self.members), sorted(self.members - members)
        if added or removed:
            self.trigger_event(self.MembershipChanged, group_id=self.group_id, added=added, removed=removed,
                               **by_actor(actor))

    def delete(self, actor: Actor) -> None:
        require_administrator(actor)
        if not self.deleted:
            self.trigger_event(self.Deleted, group_id=self.group_id, **by_actor(actor))


def _require_name(display_name: str) -> None:
    if not display_name.strip() or len(display_name) > MAX_FIELD or not display_name.isprintable():
        raise InvalidGoalInputError("displayName", f"must be printable, not empty, at most {MAX_FIELD} characters")
