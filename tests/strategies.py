"""Hypothesis strategies for goal commands: mostly plausible input, with the invalid kinds mixed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from domain.values import Outcome, ReasonCategory
from tests.scenarios import CSAT, TICKETS

# Who acts, as a part they play towards the goal; the state machine maps a part to an Actor.
PARTS = ("owner", "manager", "hr", "other_hr", "stranger", "auditor")
KPI_IDS = ("tickets", "csat", "tickets", "csat", "nps")  # "nps" is no KPI of the goal
WHY = "A supplier outage halted deliveries for a month."
JUSTIFICATIONS = (WHY, WHY, WHY, "Busy.", "")


def parts(valid: tuple[str, ...] = ("owner", "manager")) -> st.SearchStrategy[str]:
    """Usually (three times in four) one of the parts entitled to act, otherwise anybody."""
    entitled = st.sampled_from(valid)
    return st.one_of(entitled, entitled, entitled, st.sampled_from(PARTS))


def day_offsets() -> st.SearchStrategy[timedelta]:
    """How far from today a reading was observed: mostly in the recent past, sometimes tomorrow."""
    return st.integers(min_value=-40, max_value=1).map(lambda n: timedelta(days=n))


def days(start: date = date(2025, 12, 20), end: date = date(2026, 7, 15)) -> st.SearchStrategy[date]:
    """Dates around the H1 2026 cycle, a little outside it on both sides."""
    return st.dates(min_value=start, max_value=end)


def kpi_values() -> st.SearchStrategy[Decimal]:
    finite = st.decimals(min_value=-5, max_value=120, places=1, allow_nan=False, allow_infinity=False)
    return st.one_of(finite, finite, finite, st.sampled_from([Decimal("NaN"), Decimal("Infinity")]))


def milestone_targets() -> st.SearchStrategy[Decimal]:
    """Often on the way from baseline to target of the tickets (14 -> 20) or CSAT (82 -> 90) KPI, often not."""
    on_the_way = st.one_of(st.integers(min_value=15, max_value=20), st.integers(min_value=83, max_value=90))
    return st.one_of(on_the_way.map(Decimal), kpi_values())


def kpi_ids() -> st.SearchStrategy[str]:
    return st.sampled_from(KPI_IDS)


def reasons() -> st.SearchStrategy[str]:
    return st.sampled_from([*ReasonCategory, "bad_luck"]).map(str)  # one in seven is no category


def justifications() -> st.SearchStrategy[str]:
    return st.sampled_from(JUSTIFICATIONS)


def outcomes() -> st.SearchStrategy[str]:
    return st.sampled_from([*Outcome, "done"]).map(str)


def summaries() -> st.SearchStrategy[str]:
    # Mostly empty, so that a goal is not closed early in most runs.
    return st.sampled_from(["", "", "Reached 19 tickets a day at 90% CSAT."])


def ticket_targets() -> st.SearchStrategy[dict[str, dict[str, Decimal]]]:
    """A new target for the tickets KPI (baseline 14): mostly reachable, sometimes on the wrong side."""
    return st.integers(min_value=12, max_value=26).map(lambda t: {"tickets": {"target": Decimal(t)}})


def revisions() -> st.SearchStrategy[dict[str, Any]]:
    """Changes to a draft's terms; some break the SMART check, some change nothing, some are not revisable."""
    kpi_sets = st.sampled_from([
        [TICKETS, CSAT],
        [replace(TICKETS, target=Decimal(18)), CSAT],
        [TICKETS],
        [replace(TICKETS, target=Decimal(14)), CSAT],
    ])
    return st.one_of(
        st.fixed_dictionaries({}, optional={
            "title": st.sampled_from(["Support throughput", "Support throughput and satisfaction", " "]),
            "deadline": st.one_of(days(date(2026, 1, 1), date(2026, 7, 10)), st.none()),
            "rationale": st.sampled_from([None, "Support quality is the first company objective."]),
            "kpis": kpi_sets,
            "weight": st.sampled_from([Decimal(60), Decimal(30), Decimal(0)]),
        }),
        st.just({"owner_id": "emp-2"}),
    )


def clock_steps() -> st.SearchStrategy[timedelta]:
    return st.integers(min_value=0, max_value=20).map(lambda n: timedelta(days=n))


def event_filters(goal_ids: list[str]) -> st.SearchStrategy[Any]:
    """Filters of the event feed over the given goals: some subjects (or none), a cycle, an org unit, types."""
    from application.events.filters import EventFilter

    subjects = st.lists(st.sampled_from(goal_ids), max_size=3).map(lambda ids: tuple(sorted(set(ids))))
    cycles = st.sampled_from([None, None, "2026-H1", "2026", "2027"])
    units = st.sampled_from([None, None, "support", "quality", "nowhere"])
    return st.builds(EventFilter, subjects, cycles, units)


def json_values(*likely: object) -> st.SearchStrategy[Any]:
    """Any JSON value (huge integers, nesting, empty strings), and now and then one of `likely` (a near miss)."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.integers(min_value=10**20, max_value=10**400)
        | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
        | st.sampled_from(["9999999999", "", " x", *likely]),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12)
