"""'Today' is the organisation's business date (GOALENGINE_TIMEZONE) in every read model, live and as of a moment:
the live and the as-of justification of the same instant agree, on both stores (ADR 0029)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from freezegun import freeze_time

from application.goals.service import Goals
from application.store.settings import BusinessCalendar
from projections.review_projection import content_hash
from projections.reviews import Reviews
from projections.service import build_runner
from tests.conftest import AUDIT_KEY, store_settings
from tests.scenarios import EMPLOYEE, HR, agreed, customer_service_terms, ensure_cycles

# 03:00 UTC on 2 March is 19:00 on 1 March in Los Angeles: the business date is still 1 March there.
INSTANT = datetime(2026, 3, 2, 3, tzinfo=UTC)


def test_the_business_date_of_a_moment_is_read_in_the_organisations_zone() -> None:
    assert BusinessCalendar("America/Los_Angeles").date_of(INSTANT) == date(2026, 3, 1)
    assert BusinessCalendar("UTC").date_of(INSTANT.replace(tzinfo=None)) == date(2026, 3, 2)


def test_live_and_as_of_justifications_of_one_instant_agree_in_the_organisations_time_zone(store_url: str) -> None:
    goals = Goals(store_settings(database_url=store_url, audit_key=AUDIT_KEY, timezone="America/Los_Angeles"))
    try:
        with freeze_time(datetime(2026, 1, 10, 17, tzinfo=UTC), tick=True):
            ensure_cycles(goals)
            goal_id = agreed(goals, customer_service_terms())
        with freeze_time(datetime(2026, 2, 27, 17, tzinfo=UTC), tick=True):
            goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 2, 27))
        build_runner(goals).catch_up()
        with freeze_time(INSTANT):
            reviews = Reviews(goals, goals.engine)
            live = reviews.justification(HR, EMPLOYEE.id, "2026-H1")
            as_of = reviews.justification(HR, EMPLOYEE.id, "2026-H1", as_of=INSTANT)
        assert live["today"] == as_of["today"] == "2026-03-01"
        assert content_hash({**live, "as_of": None}) == content_hash({**as_of, "as_of": None})
    finally:
        goals.close()
