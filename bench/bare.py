"""The bare eventsourcing library: a minimal aggregate writing the same events as a goal, with no engine around it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench import workload


class BareGoal(Aggregate):
    """What a team would write on the library alone: an event per change, no rules, no chain, no idempotency."""

    @event("Drafted")
    def __init__(self, terms: dict[str, Any], actor_id: str, actor_role: str) -> None:
        self.terms = terms
        self.signatures: list[str] = []
        self.readings: list[dict[str, Any]] = []

    @event("AgreementSigned")
    def sign(self, party: str, content_version: int, actor_id: str, actor_role: str) -> None:
        self.signatures.append(party)

    @event("Agreed")
    def agree(self, content_version: int, actor_id: str, actor_role: str) -> None:
        self.agreed = True

    @event("KpiRecorded")
    def record(self, kpi: str, value: Decimal, observed_at: str, source: str, actor_id: str, actor_role: str) -> None:
        self.readings.append({"kpi": kpi, "value": value, "observed_at": observed_at})


def plain_terms(n: int) -> dict[str, Any]:
    """The goal's terms as JSON-ready values (the library's default transcoder knows no dates or enums)."""
    drafting = workload.terms(n)
    cycle, terms = drafting["cycle"], drafting["terms"].to_stored()
    return {
        **terms,
        "owner_id": drafting["owner_id"],
        "manager_id": drafting["manager_id"],
        "cycle": {"id": cycle.id, "start": str(cycle.start), "end": str(cycle.end)},
        "kpis": [{**k, "direction": str(k["direction"]), "cadence": str(k["cadence"])} for k in terms["kpis"]],
        "deadline": str(terms["deadline"]),
    }


class BareGoals(Application[UUID]):
    """Three-line commands (get, call, save), as in the library's own examples."""

    def draft(self, n: int) -> UUID:
        goal = BareGoal(plain_terms(n), workload.owner(n).id, "employee")
        self.save(goal)
        return goal.id

    def sign(self, goal_id: UUID, party: str, actor_id: str, actor_role: str) -> None:
        goal: BareGoal = self.repository.get(goal_id)
        goal.sign(party, 1, actor_id, actor_role)
        if len(goal.signatures) == 2:
            goal.agree(1, actor_id, actor_role)
        self.save(goal)

    def record(self, goal_id: UUID, kpi: str, value: Decimal, observed_at: str, actor_id: str) -> None:
        goal: BareGoal = self.repository.get(goal_id)
        goal.record(kpi, value, observed_at, "bench", actor_id, "employee")
        self.save(goal)


def run_goal_commands(app: BareGoals, n: int, reading_count: int) -> UUID:
    """The same commands as workload.run_goal_commands, writing the same number of events."""
    goal_id = app.draft(n)
    app.sign(goal_id, "owner", workload.owner(n).id, "employee")
    app.sign(goal_id, "manager", workload.manager(n).id, "manager")
    for kpi, value, day in workload.readings(reading_count):
        app.record(goal_id, kpi, value, str(day), workload.owner(n).id)
    return goal_id
