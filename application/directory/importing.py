"""A people file (CSV) for organisations without an identity provider: checked whole, then stored whole or not at all.

Columns: id, user_name, display_name, email, title, org_unit, manager_id, groups (names joined by `;`), active.
Every row is checked against the directory as it will stand after the file (a manager may come later in the same
file); any refused row refuses the file, each reported with its line and reason. A second run of the same file
changes nothing and stores nothing (ADR 0033).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from uuid import uuid5

from eventsourcing.domain import Aggregate

from application.directory.index import DirectoryState
from application.directory.service import Directory
from domain.directory import NAMESPACE, DirectoryPerson, PersonDetails, directory_person_uuid, is_plain_id
from domain.directory_group import DirectoryGroup, directory_group_uuid
from domain.errors import InvalidGoalInputError
from domain.values import Actor

COLUMNS = ("id", "user_name", "display_name", "email", "title", "org_unit", "manager_id", "groups", "active")
TRUE, FALSE = {"", "true", "yes", "1", "y"}, {"false", "no", "0", "n"}
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Row:
    line: int
    person_id: str
    details: PersonDetails
    manager_id: str | None
    groups: frozenset[str]  # the names of the groups, case folded (a group's name compares without case)
    active: bool


@dataclass
class ImportPlan:
    """What the file would change, and why rows were refused; `stored` once it was saved."""

    refusals: list[tuple[int, str]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    aggregates: list[Aggregate] = field(default_factory=list)
    position: int | None = None


def group_id_for(name: str) -> str:
    """The id of the group a people file names (one group per name, whatever its case)."""
    return f"group-{uuid5(NAMESPACE, 'group-name:' + name.casefold())}"


def import_people(directory: Directory, text: str, actor: Actor, *, today: date, dry_run: bool = False) -> ImportPlan:
    """Check the whole file, then (unless a dry run, or anything was refused) store every change at once."""
    plan = ImportPlan()
    rows = _rows(text, plan)
    if plan.refusals:
        return plan
    # Checked and stored in the directory's turn (ADR 0054): a SCIM push or another import in between would see
    # the file whole or not at all, and the file is checked against what they stored before it.
    with nullcontext() if dry_run else directory.turn.held():
        state = directory.index.current()
        _check_rows(rows, state, plan)
        if plan.refusals:
            return plan
        _plan_people(directory, rows, state, actor, today, plan)
        _plan_groups(directory, rows, state, actor, plan)
        if plan.aggregates and not dry_run:
            plan.position = directory.goals.save_at(*plan.aggregates)  # one transaction: all or nothing
    if plan.position is not None:
        directory.follower.catch_up()  # open goals follow their owners' new managers
    return plan


def _rows(text: str, plan: ImportPlan) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        plan.refusals.append((1, f"the header lacks the column(s) {', '.join(missing)}"))
        return []
    rows = []
    for record in reader:
        if reader.line_num > MAX_ROWS:
            plan.refusals.append((reader.line_num, f"a file holds at most {MAX_ROWS} rows"))
            break
        row = _row(reader.line_num, record, plan)
        if row is not None:
            rows.append(row)
    return rows


def _row(line: int, record: dict[str, str | None], plan: ImportPlan) -> Row | None:
    value = {column: (record.get(column) or "").strip() for column in COLUMNS}
    active = value["active"].casefold()
    problems = [f"{column} {value[column]!r} is not a plain id (a look-alike: spaces, invisible or direction marks, "
                "or characters NFKC would change)" for column in ("id", "manager_id")
                if value[column] and not is_plain_id(value[column])]
    if not value["id"]:
        problems.append("id is empty")
    if active not in TRUE | FALSE:
        problems.append(f"active {value['active']!r} is neither true nor false")
    details = PersonDetails(user_name=value["user_name"], display_name=value["display_name"], email=value["email"],
                            title=value["title"], org_unit=value["org_unit"])
    try:
        details.require_valid_details()
    except InvalidGoalInputError as error:
        problems.append(error.message)
    for problem in problems:
        plan.refusals.append((line, problem))
    if problems:
        return None
    groups = frozenset(name.strip().casefold() for name in value["groups"].split(";") if name.strip())
    return Row(line, value["id"], details, value["manager_id"] or None, groups, active in TRUE)


def _check_rows(rows: list[Row], state: DirectoryState, plan: ImportPlan) -> None:
    """Duplicates, unknown managers and reporting loops, against the directory as the file would leave it."""
    in_file = {row.person_id: row for row in reversed(rows)}
    managers = {pid: p.manager_id for pid, p in state.people.items()} | {r.person_id: r.manager_id for r in rows}
    names = {p.user_name.casefold(): pid for pid, p in state.people.items()
             if pid not in in_file and not p.removed}
    seen: dict[str, int] = {}
    for row in rows:
        if in_file[row.person_id] is not row:
            plan.refusals.append((row.line, f"id {row.person_id!r} also appears on line {in_file[row.person_id].line}"))
        name = row.details.user_name.casefold()
        holder = names.get(name)
        if holder is not None and holder != row.person_id:
            plan.refusals.append((row.line, f"user_name {row.details.user_name!r} is taken by {holder!r}"))
        names[name] = row.person_id
        if name in seen and seen[name] != row.line:
            plan.refusals.append((row.line, f"user_name {row.details.user_name!r} also appears on line {seen[name]}"))
        seen.setdefault(name, row.line)
        if row.manager_id is not None and row.manager_id not in managers:
            plan.refusals.append((row.line, f"unknown manager {row.manager_id!r}: not in the directory or the file"))
        elif _loops(row.person_id, managers):
            plan.refusals.append((row.line, f"a reporting loop: {row.manager_id!r} reports, directly or not, "
                                            f"to {row.person_id!r}"))


def _loops(person_id: str, managers: dict[str, str | None]) -> bool:
    seen, current = {person_id}, managers.get(person_id)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = managers.get(current)
    return False


def _plan_people(directory: Directory, rows: Iterable[Row], state: DirectoryState, actor: Actor, today: date,
                 plan: ImportPlan) -> None:
    for row in rows:
        existing = state.people.get(row.person_id)
        if existing is None:
            person = DirectoryPerson.provision(actor, row.person_id, row.details, row.manager_id, row.active)
        else:
            loaded: object = directory.goals.repository.get(directory_person_uuid(row.person_id))
            assert isinstance(loaded, DirectoryPerson)
            person = loaded
            # The file does not speak of the profile (what an identity provider sent): it is kept as it is.
            person.update(actor, PersonDetails(**{**vars(row.details), "given_name": person.details.given_name,
                                                  "family_name": person.details.family_name,
                                                  "external_id": person.details.external_id,
                                                  "profile": person.details.profile}))
            person.change_manager(actor, row.manager_id, today)
            if row.active:
                person.reactivate(actor)
            else:
                person.deactivate(actor)
        _keep(person, f"person {row.person_id}", plan)


def _plan_groups(directory: Directory, rows: list[Row], state: DirectoryState, actor: Actor,
                 plan: ImportPlan) -> None:
    """Each group the file names holds the file's people who name it, and keeps its members outside the file."""
    in_file = {row.person_id for row in rows}
    by_name = {group.display_name.casefold(): group for group in state.groups.values()}
    for name in sorted({name for row in rows for name in row.groups}):
        wanted = {row.person_id for row in rows if name in row.groups}
        known = by_name.get(name)
        if known is None:
            group = DirectoryGroup.create(actor, group_id_for(name), name)
            group.set_members(actor, wanted)
        else:
            loaded: object = directory.goals.repository.get(directory_group_uuid(known.id))
            assert isinstance(loaded, DirectoryGroup)
            group = loaded
            group.set_members(actor, (group.members - in_file) | wanted)
        _keep(group, f"group {name}", plan)
    for known in state.groups.values():  # people of the file who no longer name a group they are in
        if known.display_name.casefold() in {name for row in rows for name in row.groups}:
            continue
        leaving = known.members & in_file
        if leaving:
            left: object = directory.goals.repository.get(directory_group_uuid(known.id))
            assert isinstance(left, DirectoryGroup)
            left.set_members(actor, left.members - leaving)
            _keep(left, f"group {known.display_name}", plan)


def _keep(aggregate: Aggregate, what: str, plan: ImportPlan) -> None:
    if aggregate.pending_events:
        plan.aggregates.append(aggregate)
        plan.changes.extend(f"{what}: {type(event).__name__}" for event in aggregate.pending_events)
