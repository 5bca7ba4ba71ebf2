"""The protected-characteristics table (ADR 0042): one row per person and attribute, the value sealed under the
person's own data key (ADR 0026), never written to an event. Imported from the HRIS, corrected by importing again,
erased with the person (and unreadable once their key is shredded). A cycle's snapshot copies the sealed rows as
they stand when the cycle opens, with a SHA-256 over them, so that an analysis reads what was known then.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, delete, insert, select

from application.errors import ApplicationError
from application.goals.service import Goals
from application.privacy.sealing import open_sealed, seal
from application.store.database import metadata

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_VALUE, MAX_ROWS = 100, 1_000_000

person_attributes = Table(
    "person_attributes", metadata,
    Column("person_id", String(200), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("sealed_value", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
attribute_snapshots = Table(
    "attribute_snapshots", metadata,
    Column("cycle_id", String(200), primary_key=True),
    Column("person_id", String(200), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("sealed_value", Text, nullable=False),
)
attribute_snapshot_digests = Table(
    "attribute_snapshot_digests", metadata,
    Column("cycle_id", String(200), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
)
TABLES = [person_attributes, attribute_snapshots, attribute_snapshot_digests]


class AttributeImportError(ApplicationError):
    code = "invalid_attributes"


class NoSnapshotError(ApplicationError):
    code = "no_attribute_snapshot"


@dataclass(frozen=True)
class Snapshot:
    cycle_id: str
    digest: str
    rows: int


def parsed_csv(text: str) -> list[tuple[str, str, str]]:
    """(person, attribute, value) from a CSV whose first column is person_id; an empty cell is "not given".
    Any bad header, person id or value refuses the whole file."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or header[0] != "person_id" or len(header) < 2:
        raise AttributeImportError("the first line must be person_id followed by attribute names")
    names = header[1:]
    for name in names:
        if not NAME.match(name) or names.count(name) > 1:
            raise AttributeImportError(f"attribute name {name!r} must be unique, lower case, at most 40 characters")
    found: list[tuple[str, str, str]] = []
    for line, row in enumerate(reader, start=2):
        if len(row) != len(header) or not row[0].strip() or len(row[0]) > 200:
            raise AttributeImportError(f"line {line}: expected {len(header)} cells and a person id", line=line)
        for name, value in zip(names, row[1:], strict=True):
            if len(value) > MAX_VALUE or any(ord(c) < 32 for c in value):
                raise AttributeImportError(f"line {line}: the {name} value is too long or holds control characters",
                                           line=line)
            if value.strip():
                found.append((row[0].strip(), name, value.strip()))
        if len(found) > MAX_ROWS:
            raise AttributeImportError(f"more than {MAX_ROWS} values")
    return found


def import_attributes(goals: Goals, text: str) -> int:
    """Store (or correct) each value, sealed under its person's key; returns how many were stored."""
    values = parsed_csv(text)
    metadata.create_all(goals.engine, tables=TABLES)
    sealed = [(p, n, seal(goals.data_keys, p, v.encode())) for p, n, v in values]
    now = datetime.now(UTC)
    with goals.engine.begin() as connection:
        for person, name, value in sealed:
            connection.execute(delete(person_attributes).where(
                person_attributes.c.person_id == person, person_attributes.c.name == name))
            connection.execute(insert(person_attributes).values(
                person_id=person, name=name, sealed_value=value, updated_at=now))
    return len(sealed)


def erase_attributes(goals: Goals, person_id: str) -> int:
    """Delete the person's live values (snapshots stay sealed under their key: erasing the key shreds them)."""
    metadata.create_all(goals.engine, tables=TABLES)
    with goals.engine.begin() as connection:
        return int(connection.execute(delete(person_attributes).where(
            person_attributes.c.person_id == person_id)).rowcount or 0)


def take_snapshot(goals: Goals, cycle_id: str) -> Snapshot:
    """Copy the sealed rows for the cycle and hash them: once (a later call returns that snapshot), unless it was
    empty, so that a cycle opened before the first import can still be analysed."""
    metadata.create_all(goals.engine, tables=TABLES)
    with goals.engine.begin() as connection:
        existing = connection.execute(select(attribute_snapshot_digests).where(
            attribute_snapshot_digests.c.cycle_id == cycle_id)).one_or_none()
        if existing is not None and existing.rows:
            return Snapshot(cycle_id, existing.digest, existing.rows)
        if existing is not None:  # empty: the cycle opened before any value was imported; taken again, once
            connection.execute(delete(attribute_snapshot_digests).where(
                attribute_snapshot_digests.c.cycle_id == cycle_id))
        rows = connection.execute(select(person_attributes.c.person_id, person_attributes.c.name,
                                         person_attributes.c.sealed_value).order_by(
            person_attributes.c.person_id, person_attributes.c.name)).all()
        for row in rows:
            connection.execute(insert(attribute_snapshots).values(
                cycle_id=cycle_id, person_id=row.person_id, name=row.name, sealed_value=row.sealed_value))
        digest = snapshot_digest(cycle_id, [(r.person_id, r.name, r.sealed_value) for r in rows])
        connection.execute(insert(attribute_snapshot_digests).values(
            cycle_id=cycle_id, digest=digest, rows=len(rows), taken_at=datetime.now(UTC)))
    return Snapshot(cycle_id, digest, len(rows))


def snapshot_digest(cycle_id: str, rows: list[tuple[str, str, str]]) -> str:
    """SHA-256 over the cycle id and each sealed row, one line each, in order: plain values never hashed."""
    lines = [cycle_id, *(f"{p}\t{n}\t{v}" for p, n, v in sorted(rows))]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def snapshot_values(goals: Goals, cycle_id: str, name: str) -> tuple[Snapshot, dict[str, str]]:
    """Each person's value of one attribute in the cycle's snapshot, checked against its digest; erased people
    (their key shredded) are left out."""
    metadata.create_all(goals.engine, tables=TABLES)
    with goals.engine.connect() as connection:
        header = connection.execute(select(attribute_snapshot_digests).where(
            attribute_snapshot_digests.c.cycle_id == cycle_id)).one_or_none()
        rows = connection.execute(select(attribute_snapshots.c.person_id, attribute_snapshots.c.name,
                                         attribute_snapshots.c.sealed_value).where(
            attribute_snapshots.c.cycle_id == cycle_id)).all()
    if header is None:
        raise NoSnapshotError(f"cycle {cycle_id!r} has no attribute snapshot: take one with `goalengine people "
                              f"attributes snapshot --cycle {cycle_id}`", cycle=cycle_id)
    if snapshot_digest(cycle_id, [(r.person_id, r.name, r.sealed_value) for r in rows]) != header.digest:
        raise NoSnapshotError(f"the attribute snapshot of cycle {cycle_id!r} no longer matches its digest",
                              cycle=cycle_id)
    values = {}
    for row in rows:
        if row.name == name:
            plain = open_sealed(goals.data_keys, row.sealed_value)
            if plain is not None:
                values[row.person_id] = plain.decode()
    return Snapshot(cycle_id, header.digest, header.rows), values
