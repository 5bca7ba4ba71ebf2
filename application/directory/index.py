"""The directory as it stands: every person and group, folded from the log's directory events in log order.

Each query first reads the directory events stored since the last one (by any process), so two servers over one
store answer alike; an erasure anywhere empties it, so no erased text outlives its key here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Notification

from application.store.log_scan import stretch
from domain.directory import DirectoryPerson, PersonDetails
from domain.directory_group import DirectoryGroup

PERSON_TOPICS = [cls.TOPIC for cls in (DirectoryPerson.Provisioned, DirectoryPerson.Updated,
                                       DirectoryPerson.ReportingLineChanged, DirectoryPerson.Deactivated,
                                       DirectoryPerson.Reactivated)]
GROUP_TOPICS = [cls.TOPIC for cls in (DirectoryGroup.Created, DirectoryGroup.Updated,
                                      DirectoryGroup.MembershipChanged, DirectoryGroup.Deleted)]
DIRECTORY_TOPICS = PERSON_TOPICS + GROUP_TOPICS


@dataclass(frozen=True)
class Person:
    """A person as the directory knows them today."""

    id: str
    details: PersonDetails
    manager_id: str | None
    active: bool
    version: int
    created: datetime
    last_modified: datetime
    groups: frozenset[str] = frozenset()  # the displayNames of the groups they belong to
    removed: bool = False  # deleted by the identity provider: not listed, not found by SCIM; still in the trail

    @property
    def user_name(self) -> str:
        return self.details.user_name

    @property
    def display_name(self) -> str:
        return self.details.display_name or self.details.user_name

    @property
    def email(self) -> str:
        return self.details.email

    @property
    def external_id(self) -> str:
        return self.details.external_id


@dataclass(frozen=True)
class Group:
    id: str
    display_name: str
    external_id: str
    members: frozenset[str]
    version: int
    created: datetime
    last_modified: datetime


@dataclass
class DirectoryState:
    people: dict[str, Person] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    position: int = 0


class DirectoryIndex:
    """Folds directory events into people and groups; `current()` is the directory as of the log's head."""

    def __init__(self, notifications: Callable[[int, int, int, list[str]], Sequence[Notification]],
                 to_event: Callable[[Notification], Any], before_read: Callable[[], None],
                 head: Callable[[], int]) -> None:
        self._notifications = notifications  # (after, up to, limit, topics): directory events in that stretch
        self._head = head
        self._to_event = to_event
        self._before_read = before_read
        self._state = DirectoryState()
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Start again from the first event (after an erasure: the opened text may be gone)."""
        with self._lock:
            self._state = DirectoryState()

    def current(self) -> DirectoryState:
        """The log is asked for new directory events outside the lock, so that readers (every request asks,
        ADR 0049) look at the store side by side; only folding what they found takes turns.

        Only the stretch of the log since the last look is searched, up to the head seen first: the position is the
        log's head as last searched, not the last directory event, which in open mode never comes, so that each
        request searched every event stored since (issue 28's soak: most of a request's time, growing with the
        log). The log's positions commit in order (one writer on SQLite, the table lock on PostgreSQL, ADR 0011),
        so nothing later commits below a head once seen."""
        self._before_read()
        head = self._head()
        state = self._state
        found = list(self._new_notifications(state.position, head))
        with self._lock:
            if head < self._state.position:  # another reader's later head passed this one's, or a put-back
                fresh = self._head()
                if fresh < self._state.position:  # the log is shorter than when last searched: fold it all again
                    self._state, head = DirectoryState(), fresh
            if self._state is not state:  # forgotten meanwhile: what was found may follow events now unfolded
                found = list(self._new_notifications(self._state.position, head))
            new = [notification for notification in found if notification.id > self._state.position]
            if new:  # folded into copies: readers iterate the people and groups they were handed without the lock
                folded = DirectoryState(dict(self._state.people), dict(self._state.groups), self._state.position)
                for notification in new:
                    _fold(folded, self._to_event(notification))
                    folded.position = notification.id
                self._state = folded
            self._state.position = max(self._state.position, head)
            return self._state

    def _new_notifications(self, position: int, head: int) -> Iterator[Notification]:
        return stretch(lambda after, up_to, limit: self._notifications(after, up_to, limit, DIRECTORY_TOPICS),
                       position, head)


def _fold(state: DirectoryState, event: Any) -> None:
    if isinstance(event, DirectoryPerson.Event):
        _fold_person(state, event)
    else:
        _fold_group(state, event)


def _fold_person(state: DirectoryState, event: Any) -> None:
    stamp = {"version": event.originator_version, "last_modified": event.timestamp}
    if isinstance(event, DirectoryPerson.Provisioned):
        state.people[event.person_id] = Person(
            id=event.person_id, details=PersonDetails(**event.details), manager_id=event.manager_id,
            active=event.active, created=event.timestamp, **stamp)
        return
    person = state.people[event.person_id]
    if isinstance(event, DirectoryPerson.Updated):
        person = replace(person, details=replace(
            person.details, **{name: change["to"] for name, change in event.changes.items()}))
    elif isinstance(event, DirectoryPerson.ReportingLineChanged):
        person = replace(person, manager_id=event.to_manager_id)
    elif isinstance(event, DirectoryPerson.Deactivated):
        person = replace(person, active=False, removed=person.removed or event.removed)
    else:
        person = replace(person, active=True, removed=False)
    state.people[event.person_id] = replace(person, **stamp)


def _fold_group(state: DirectoryState, event: Any) -> None:
    stamp = {"version": event.originator_version, "last_modified": event.timestamp}
    if isinstance(event, DirectoryGroup.Created):
        state.groups[event.group_id] = Group(event.group_id, event.display_name, event.external_id, frozenset(),
                                             created=event.timestamp, **stamp)
        return
    group = state.groups[event.group_id]
    if isinstance(event, DirectoryGroup.Updated):
        changed = {name: change["to"] for name, change in event.changes.items()}
        group = replace(group, display_name=changed.get("display_name", group.display_name),
                        external_id=changed.get("external_id", group.external_id))
    elif isinstance(event, DirectoryGroup.MembershipChanged):
        group = replace(group, members=(group.members - set(event.removed)) | set(event.added))
    elif isinstance(event, DirectoryGroup.Deleted):
        state.groups.pop(event.group_id)
        return
    state.groups[event.group_id] = replace(group, **stamp)
