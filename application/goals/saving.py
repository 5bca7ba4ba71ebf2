"""Saving any aggregate of the log with the one Goals application, answering the position token."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from application.goals.service import Goals


def save_at(goals: Goals, aggregate: Aggregate) -> int:
    """Save the aggregate's new events; the log position of the last one (the head if there was none)."""
    recordings = goals.save(aggregate)
    return recordings[-1].notification.id if recordings else goals.head_position()
