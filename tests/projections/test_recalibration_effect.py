"""Whether an approved recalibration eased or tightened a goal, for each KPI direction and the deadline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.audit.recalibration_facts import (
    EASED,
    MIXED,
    NEUTRAL,
    TIGHTENED,
    recalibration_effect,
)
from domain.recalibration import Side
from domain.values import Cadence, Direction, Kpi

D = Decimal
KPIS: dict[str, Kpi] = {
    "up": Kpi("up", "Up", "", Direction.INCREASE, D(10), Cadence.WEEKLY, target=D(20)),
    "down": Kpi("down", "Down", "", Direction.DECREASE, D(5), Cadence.WEEKLY, target=D(2)),
    "band": Kpi("band", "Band", "", Direction.RANGE, D(5), Cadence.WEEKLY, low=D(1), high=D(3)),
}


def change(targets: dict[str, tuple[dict[str, D], dict[str, D]]], deadline: tuple[date, date] | None = None,
           ) -> tuple[Side, Side]:
    before = {"targets": {k: old for k, (old, _) in targets.items()}, "deadline": deadline and deadline[0],
              "milestones": []}
    after = {"targets": {k: new for k, (_, new) in targets.items()}, "deadline": deadline and deadline[1],
             "milestones": []}
    return Side.from_stored(before), Side.from_stored(after)


@pytest.mark.parametrize(("targets", "deadline", "effect"), [
    ({"up": ({"target": D(20)}, {"target": D(18)})}, None, EASED),
    ({"up": ({"target": D(20)}, {"target": D(22)})}, None, TIGHTENED),
    ({"down": ({"target": D(2)}, {"target": D(3)})}, None, EASED),
    ({"down": ({"target": D(2)}, {"target": D("1.5")})}, None, TIGHTENED),
    ({"band": ({"low": D(1)}, {"low": D("0.5")})}, None, EASED),
    ({"band": ({"low": D(1), "high": D(3)}, {"low": D(1), "high": D(2)})}, None, TIGHTENED),
    ({"band": ({"low": D(1), "high": D(3)}, {"low": D(2), "high": D(4)})}, None, NEUTRAL),
    ({}, (date(2026, 6, 30), date(2026, 7, 31)), EASED),
    ({}, (date(2026, 6, 30), date(2026, 5, 31)), TIGHTENED),
    ({"up": ({"target": D(20)}, {"target": D(22)})}, (date(2026, 6, 30), date(2026, 7, 31)), MIXED),
], ids=["increase-lower", "increase-higher", "decrease-higher", "decrease-lower", "range-wider", "range-narrower",
        "range-shifted", "deadline-later", "deadline-earlier", "harder-target-later-deadline"])
def test_the_effect_follows_the_kpi_direction(targets: Any, deadline: Any, effect: str) -> None:
    assert recalibration_effect(KPIS, *change(targets, deadline)) == effect


@settings(max_examples=60, deadline=None)
@given(old=st.integers(0, 100), new=st.integers(0, 100), direction=st.sampled_from(["up", "down"]))
def test_undoing_a_recalibration_has_the_opposite_effect(old: int, new: int, direction: str) -> None:
    forth = recalibration_effect(KPIS, *change({direction: ({"target": D(old)}, {"target": D(new)})}))
    back = recalibration_effect(KPIS, *change({direction: ({"target": D(new)}, {"target": D(old)})}))
    opposite = {EASED: TIGHTENED, TIGHTENED: EASED, NEUTRAL: NEUTRAL}
    assert back == opposite[forth]
