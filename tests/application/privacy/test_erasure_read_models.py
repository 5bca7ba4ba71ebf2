"""After an erasure the review read model, live and rebuilt, shows the marker where the text was, the same numbers."""

from __future__ import annotations

import json
from typing import Any

from application.events.feed import EventFeed
from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.privacy.registry import ERASED
from projections.reviews import Reviews
from projections.service import build_runner
from tests.application.privacy.support import TEXTS, employee_with_history
from tests.conftest import Clock
from tests.scenarios import HR


def review_and_justification(goals: Goals) -> tuple[dict[str, Any], dict[str, Any]]:
    reviews = Reviews(goals, goals.engine)
    return reviews.review(HR, "emp-1", "2026-H1"), reviews.justification(HR, "emp-1", "2026-H1")


def with_text_erased(answer: dict[str, Any]) -> str:
    """The answer as it must read after the erasure: every text replaced by the marker, every number the same."""
    text = json.dumps(answer, sort_keys=True)
    for value in TEXTS.values():
        text = text.replace(value, ERASED)
    return text


def test_the_live_and_the_rebuilt_review_show_the_marker_and_the_same_numbers(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)
    runner = build_runner(goals)
    runner.catch_up()
    before, justified_before = review_and_justification(goals)
    assert TEXTS["summary"] in json.dumps(before)
    erase_person(goals, "emp-1", HR, "GDPR article 17 request")
    runner.catch_up()
    live, justified = review_and_justification(goals)
    text = json.dumps([live, justified])
    assert not [name for name, value in TEXTS.items() if value in text] and ERASED in text
    assert json.dumps(live, sort_keys=True) == with_text_erased(before)
    assert json.dumps(justified, sort_keys=True) == with_text_erased(justified_before)
    runner.rebuild()
    assert review_and_justification(goals) == (live, justified)


def test_the_feed_carries_the_erasure_notice_and_the_marker(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)
    erase_person(goals, "emp-1", HR, "GDPR article 17 request")
    items = EventFeed(goals).page(limit=100).items
    notice = items[-1]
    assert notice["type"] == "person.erased.v1" and notice["data"]["person_id"] == "emp-1"
    assert notice["data"]["reason"] == "GDPR article 17 request" and notice["data"]["actor"]["id"] == HR.id
    text = json.dumps(items)
    assert not [name for name, value in TEXTS.items() if value in text] and ERASED in text
