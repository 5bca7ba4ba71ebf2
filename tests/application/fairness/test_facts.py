"""What counts as eased (ADR 0041), on constructed KPIs: by the score when readings tell, else by the stretch; a
range moved wholly outside its band is never silently neutral."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.fairness.attainment import goal_score
from application.fairness.facts import EASED, MIXED, TIGHTENED, behind, effect


def band(low: int, high: int) -> dict[str, object]:
    return {"id": "nps", "direction": "range", "baseline": Decimal(20), "target": None, "low": Decimal(low),
            "high": Decimal(high)}


def test_a_range_moved_outside_its_band_without_a_reading_is_mixed_not_neutral() -> None:
    old, new = {"nps": band(40, 50)}, {"nps": band(25, 35)}
    assert effect(Decimal(0), old, new, None, None) == MIXED


def test_a_range_moved_onto_the_latest_reading_is_eased_by_the_score() -> None:
    old, new = {"nps": band(40, 50)}, {"nps": band(25, 35)}
    latest = {"nps": Decimal(30)}
    magnitude = goal_score(new, latest) - goal_score(old, latest)
    assert magnitude == Decimal(1) - Decimal(1) / Decimal(2)  # 1 inside; 10 short of 40 over a span of 20: 0.5
    assert effect(magnitude, old, new, None, None) == EASED


def test_a_later_deadline_eases_and_an_earlier_one_tightens() -> None:
    kpis = {"nps": band(40, 50)}
    assert effect(Decimal(0), kpis, kpis, date(2026, 6, 30), date(2026, 7, 31)) == EASED
    assert effect(Decimal(0), kpis, kpis, date(2026, 6, 30), date(2026, 5, 31)) == TIGHTENED


def test_behind_pace_is_a_score_short_of_the_share_of_the_period_gone() -> None:
    start, deadline = date(2026, 1, 1), date(2026, 12, 31)
    assert behind(Decimal("0.2"), start, date(2026, 7, 1), deadline)
    assert not behind(Decimal("0.6"), start, date(2026, 7, 1), deadline)
