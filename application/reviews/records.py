"""The review of one employee and cycle as it stands or stood: read only, for the read side and the trail.

The read side (projections/reviews.py) shows the decision beside the computed view; it reads it here and never
holds the command service (application/reviews/decisions.py), which extends this with the review's steps.
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.application import AggregateNotFoundError, project_aggregate

from application.goals.service import Goals
from domain.review import Review
from domain.review_values import review_id


class ReviewRecords:
    """Loads a review by employee and cycle: now, at a past moment, or as its trail of events."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals

    def review(self, employee_id: str, cycle_id: str) -> Review | None:
        """The review as it stands, or None before its first step."""
        try:
            found: object = self.goals.repository.get(review_id(employee_id, cycle_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(found, Review)
        return found

    def steps(self, employee_id: str, cycle_id: str, until: datetime | None = None) -> list[Review.Event]:
        """The review's events in order (up to a moment, if given): its trail."""
        stored = self.goals.events.get(review_id(employee_id, cycle_id))
        return [e for e in stored if isinstance(e, Review.Event) and (until is None or e.timestamp <= until)]

    def review_as_of(self, employee_id: str, cycle_id: str, as_of: datetime) -> Review | None:
        """The review as it stood at a past moment (None if it had no step by then)."""
        events = self.steps(employee_id, cycle_id, as_of)
        review: object = project_aggregate(None, events) if events else None
        assert review is None or isinstance(review, Review)
        return review
