"""What the runner feeds: a read model fed by events in log order, and where each one stands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Table

from application.events.serialization import EventRecord


class Projection(Protocol):
    name: str
    tables: tuple[Table, ...]

    def apply(self, connection: Connection, batch: Sequence[EventRecord]) -> None:
        """Write the batch's effect on the read model; runs inside the runner's transaction."""


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


class UnknownProjectionError(LookupError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"no projection {name!r} (known: {', '.join(known)})")
