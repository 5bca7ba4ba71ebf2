"""The read side's part of the notifier (application/notices/notifier.py): the review-state fold, the warnings a
state calls for, and the positions table, handed to it by the composition root (api/bootstrap.py)."""

from __future__ import annotations

from copy import deepcopy

from application.events.serialization import EventRecord
from application.notices.notifier import ReviewStates
from projections.notices.evaluation import State, warnings_for
from projections.review.state import HANDLERS, fold
from projections.review_projection import dump_state, erase_text
from projections.tables import projection_positions


def fold_one(record: EventRecord, state: State | None) -> State:
    """The goal's state after the record; the state passed in is the caller's own and is changed in place."""
    folded = fold([record], state, keep_input=False)
    assert folded is not None  # the notifier reads a goal's events from its drafting on
    return folded


def text_free(state: State) -> str:
    """The state as kept, without its personal text: warnings never read it, and a copy kept beside the read models
    would outlive an erasure (ADR 0026)."""
    copy = deepcopy(state)
    erase_text(copy)
    return dump_state(copy)


def review_states() -> ReviewStates:
    return ReviewStates(goal_events=frozenset({"Drafted", *HANDLERS}), fold=fold_one, warnings_for=warnings_for,
                        stored=text_free, positions=projection_positions)
