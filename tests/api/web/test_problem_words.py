"""Problems as the pages say them (api/web/problem_words.py): every validation error of a form's request model as a
sentence without the library's words, and the refusals whose API detail names ids or roles as sentences of their own.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from api.schemas.check_ins import CheckInRequest
from api.schemas.cycles import OpenCycleRequest
from api.schemas.goals import (ClosureRequest, DecisionRequest, DraftGoalRequest, KpiBody, MeasurementRequest,
                               MilestoneRequest, RecalibrationRequest, ReviseGoalRequest)
from api.schemas import review_decisions
from api.web.problem_words import error_path, field_sentence, label, refusal_sentence

# The request models the pages' forms fill in (their fields are text from the form, or left out).
FORM_MODELS: list[type[BaseModel]] = [
    CheckInRequest, OpenCycleRequest, ClosureRequest, DecisionRequest, DraftGoalRequest, KpiBody, MeasurementRequest,
    MilestoneRequest, RecalibrationRequest, ReviseGoalRequest, review_decisions.DecisionRequest,
    review_decisions.DisputeRequest, review_decisions.ResolutionRequest, review_decisions.SelfAssessmentRequest]
LIBRARY_WORDS = re.compile(r"Input should|Value error|String should|[Ff]ield required|instance of|[A-Z][a-z]+[A-Z]\w*"
                           r"|\b[a-z]+_[a-z_]+\b")
SENTENCE = re.compile(r"[A-Z].*[.!?]", re.S)
FORM_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["", " ", "lots", "1e999", "17", "-1", "2026-13-40",
                                                             "2026-11-03", "increase", "x" * 5001, "a\x01b"]))


def form_values(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    value = st.one_of(FORM_TEXT, st.none(), st.lists(st.dictionaries(st.sampled_from(list(KpiBody.model_fields)),
                                                                     FORM_TEXT, max_size=4), max_size=2),
                      st.dictionaries(st.sampled_from(["tickets", "csat"]), FORM_TEXT, max_size=2))
    return st.dictionaries(st.sampled_from(sorted(model.model_fields)), value, max_size=len(model.model_fields))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FORM_MODELS).flatmap(lambda model: st.tuples(st.just(model), form_values(model))))
def test_every_validation_error_of_a_form_is_a_sentence_without_the_library_s_words(
        case: tuple[type[BaseModel], dict[str, Any]]) -> None:
    model, values = case
    try:
        model.model_validate(values)
    except ValidationError as error:
        for item in error.errors():
            said = field_sentence(dict(item))
            assert SENTENCE.fullmatch(said) and not LIBRARY_WORDS.search(said), (item, said)
            assert not re.search(r"[A-Z][a-z]+[A-Z]|-str\b|\[", error_path(item["loc"])), item["loc"]


def test_the_reported_field_errors_read_as_what_to_give() -> None:
    def said(model: type[BaseModel], values: dict[str, Any], field: str) -> str:
        try:
            model.model_validate(values)
        except ValidationError as error:
            return next(field_sentence(dict(e)) for e in error.errors() if error_path(e["loc"]) == field)
        raise AssertionError(values)

    reading = {"kpi": "tickets", "value": "17", "observed_at": "2026-11-03"}
    assert said(MeasurementRequest, {**reading, "value": "lots"}, "value") == "Give a number, such as 17 or 17.5."
    assert said(MeasurementRequest, {**reading, "observed_at": "yesterday"}, "observed_at") == (
        "Give a date, such as 2026-11-03.")
    kpi = {"id": "x", "name": "X", "unit": "", "direction": "up", "baseline": "1", "target": "2", "cadence": "hourly"}
    assert said(KpiBody, kpi, "direction") == "Choose increase, decrease or range."
    assert said(KpiBody, kpi, "cadence") == "Choose weekly, monthly or quarterly."
    proposal = {"targets": {"tickets": "lots"}, "reason": "external_factor", "justification": "An outage, two weeks."}
    assert said(RecalibrationRequest, proposal, "targets.tickets") == "Give a number, such as 17 or 17.5."
    assert label("body.kpis.0.baseline") == "KPI 1, baseline" and label("body.targets.tickets") == "new target"


def test_refusals_that_name_ids_or_roles_are_said_without_them() -> None:
    uuid = "aae5636b-e96e-4f7a-9a43-0c1b2d3e4f50"
    assert refusal_sentence("goal_not_found", f"goal {uuid} not found") == (
        "This goal does not exist or is not yours to see.")
    assert refusal_sentence("review_not_allowed", "employee 'emp-dev' may not see the review of 'emp-eve'") == (
        "You may not see this person's review.")
    assert refusal_sentence("permission_denied", "only HR may reassign a goal, not employee 'emp-dev'") == (
        "Only HR may reassign a goal.")
    assert refusal_sentence("role_not_allowed", "role employee may not do this; allowed: hr, auditor") == (
        "This is not open to you.")
    assert refusal_sentence("role_not_allowed", "Only HR and auditors see a cycle's progress and bands.") == (
        "Only HR and auditors see a cycle's progress and bands.")
    assert refusal_sentence("not_a_party", "'hr-jon' is neither the owner ('emp-1') nor the manager ('mgr-1'); "
                            "only they propose a recalibration") == (
        "Only the goal's owner and manager propose a recalibration.")
    assert uuid not in refusal_sentence("some_new_rule", f"goal {uuid} cannot do this now")
