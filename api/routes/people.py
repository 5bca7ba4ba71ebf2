"""People: erasure by crypto-shredding (HR) and the subject-access export (HR, or the person) (ADR 0026)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import GoalsDep, HrOnly, Writer
from api.one_hop import OneHopRoute
from api.positions import POSITION_HEADER
from api.problems import Problem, problem_responses
from api.schemas.common import described
from api.schemas.people import ErasureRequest, ErasureResponse, ExportResponse
from application.privacy.erasure import erase_person
from application.privacy.export import export_person
from domain import rules

router = APIRouter(prefix="/people", tags=["people"], route_class=OneHopRoute)

PERSON_ID = described(r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$",
                      "must be a person's id: no surrounding spaces, no control characters")
PersonId = Annotated[str, Path(min_length=1, max_length=200, pattern=PERSON_ID,
                               description="The person's id, as in tokens and goals (e.g. emp-1).")]
Person = Writer


@router.post("/{person_id}/erasure", status_code=201, responses=problem_responses(401, 403, 422, 503))
def erase(person_id: PersonId, body: ErasureRequest, goals: GoalsDep, actor: HrOnly,
          response: Response) -> ErasureResponse:
    """Erase a person's personal text everywhere by deleting their data keys; numbers and the trail stay."""
    erasure = erase_person(goals, person_id, actor, body.reason)
    response.headers[POSITION_HEADER] = str(erasure.position)
    return ErasureResponse(person_id=person_id, keys_erased=len(erasure.keys), reason=erasure.reason,
                           position=erasure.position)


@router.get("/{person_id}/export", responses=problem_responses(401, 403, 422, 503))
def export(person_id: PersonId, goals: GoalsDep, actor: Person, response: Response) -> ExportResponse:
    """Everything the store holds about a person, opened (GDPR article 15): HR, or the person themself."""
    if not rules.may_export(actor, person_id):
        raise Problem(403, "permission_denied", f"{actor.role} {actor.id!r} may not export the data of {person_id!r}")
    exported = export_person(goals, person_id)
    response.headers[POSITION_HEADER] = str(exported["position"])
    return ExportResponse.model_validate(exported)
