"""The audit trail's cost: commands with signing on against off (same run), and proofs and verification per 100k events.

Signing off is the same application with a mapper that stores events unsigned: the difference is the signature.
The log for proofs is seeded with signed goals (bench/seed.py); the first checkpoint builds the stored tree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent

from application.audit.chain import ChainingMapper
from application.audit.log import audit_log
from application.audit.verification import verify_trail
from application.goals.service import Goals
from bench import seed, workload
from bench.config import Sizes
from bench.stats import Row, rate
from bench.stores import Database, Databases

SECTION = "audit"
PROOFS = 200
PER = 100_000


class UnsignedMapper(ChainingMapper):
    """Stores events as the library would, without a signature: the 'signing off' contender."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        return Mapper.to_stored_event(self, domain_event)


class UnsignedGoals(Goals):
    def construct_mapper(self) -> Mapper[UUID]:
        return UnsignedMapper(self.construct_transcoder(), None, last_stored=lambda _: [])


def time_commands(database: Database, sizes: Sizes, application: type[Goals]) -> float:
    clock = workload.Clock()
    goals = application(database.settings(), today=clock)
    try:
        workload.run_goal_commands(goals, clock, 0, 1)
        started = time.perf_counter()
        for n in range(1, sizes.goals + 1):
            workload.run_goal_commands(goals, clock, n, sizes.readings)
        return time.perf_counter() - started
    finally:
        goals.close()


def time_proofs(database: Database, events: int) -> dict[str, float]:
    """Seconds for each audit operation on a log of `events` signed events."""
    goals = Goals(database.settings())
    try:
        size = seed.seed_log(goals, events)
        log = audit_log(goals)
        started = time.perf_counter()
        log.checkpoint()
        build = time.perf_counter() - started
        started = time.perf_counter()
        log.checkpoint()
        checkpoint = time.perf_counter() - started
        rows = goals.recorder.select_notifications(0, size)
        picks = rows[:: max(1, len(rows) // PROOFS)][:PROOFS]
        started = time.perf_counter()
        for row in picks:
            log.proof(UUID(str(row.originator_id)), row.originator_version)
        proof = (time.perf_counter() - started) / len(picks)
        started = time.perf_counter()
        assert verify_trail(goals).intact
        verify = time.perf_counter() - started
        return {"tree": build, "checkpoint": checkpoint, "proof": proof, "verify": verify, "events": float(size)}
    finally:
        goals.close()


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None]) -> list[Row]:
    store = databases.store
    signed: list[float] = []
    unsigned: list[float] = []
    costs: dict[str, list[float]] = {"tree": [], "checkpoint": [], "proof": [], "verify": []}
    count = sizes.goals * workload.commands_per_goal(sizes.readings)
    for run in range(runs):
        progress(f"{store}: audit, run {run + 1}/{runs}")
        # Alternated, best of two each: a shared machine's noise falls on both contenders alike.
        pairs = [(_on_fresh(databases, lambda db: time_commands(db, sizes, Goals)),
                  _on_fresh(databases, lambda db: time_commands(db, sizes, UnsignedGoals))) for _ in range(2)]
        signed.append(rate(count, [min(p[0] for p in pairs)])[0])
        unsigned.append(rate(count, [min(p[1] for p in pairs)])[0])
        measured = _on_fresh(databases, lambda db: time_proofs(db, sizes.rebuild))
        scale = PER / measured["events"]
        for name in ("tree", "verify"):
            costs[name].append(measured[name] * scale)
        costs["checkpoint"].append(measured["checkpoint"] * 1000)
        costs["proof"].append(measured["proof"] * 1000)
    return [
        Row(SECTION, store, "commands, signing on", "commands/s", tuple(signed), "Ed25519 per event, chained"),
        Row(SECTION, store, "commands, signing off", "commands/s", tuple(unsigned), "same application, unsigned"),
        Row(SECTION, store, "tree build per 100k events", "s", tuple(costs["tree"]),
            "first checkpoint: checks every signature, stores leaves and nodes"),
        Row(SECTION, store, "checkpoint, tree caught up", "ms", tuple(costs["checkpoint"]),
            f"log of {sizes.rebuild:,}"),
        Row(SECTION, store, "inclusion proof", "ms/proof", tuple(costs["proof"]), f"log of {sizes.rebuild:,}"),
        Row(SECTION, store, "full verify per 100k events", "s", tuple(costs["verify"]),
            "every signature and the whole tree, from the rows"),
    ]


def _on_fresh(databases: Databases, work: Callable[[Database], object]):  # type: ignore[no-untyped-def]
    database = databases.fresh("audit")
    try:
        return work(database)
    finally:
        databases.drop(database)
