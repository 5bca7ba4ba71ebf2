"""Review cycles: HR opens, starts, reviews, releases and locks them; everyone reads them and their alignment tree."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request, Response

from api.deps import GoalsDep, HrOnly, Reader
from api.one_hop import OneHopRoute
from api.positions import command_position, projection_read
from api.problems import Problem, problem_responses
from api.schemas.common import KPI_ID
from api.schemas.cycles import AlignmentResponse, CycleList, CycleResponse, OpenCycleRequest
from application.cycles.service import Cycles
from application.store.idempotency import CommandResult
from domain.cycle import Cycle
from domain.errors import UnknownCycleError
from projections.alignment import AlignmentProjection
from projections.review_projection import ReviewProjection
from projections.rollup import AlignmentViews

router = APIRouter(prefix="/cycles", tags=["cycles"], route_class=OneHopRoute)

CycleId = Annotated[str, Path(min_length=1, max_length=100, pattern=KPI_ID, description="The cycle's id: 2026-H1.")]
READ_ERRORS = problem_responses(401, 403, 404, 422)
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 422)
# The tree waits for both read models it joins: the links and the goals' attainment.
AlignmentFresh = Annotated[None, Depends(projection_read(AlignmentProjection.name))]
ReviewsFresh = Annotated[None, Depends(projection_read(ReviewProjection.name))]


async def get_cycles(request: Request) -> Cycles:
    cycles: Cycles = request.app.state.cycles
    return cycles


async def get_alignment(request: Request) -> AlignmentViews:
    views: AlignmentViews = request.app.state.alignment
    return views


CyclesDep = Annotated[Cycles, Depends(get_cycles)]
AlignmentDep = Annotated[AlignmentViews, Depends(get_alignment)]


@router.post("", status_code=201, responses=WRITE_ERRORS)
def open_cycle(body: OpenCycleRequest, cycles: CyclesDep, goals: GoalsDep, actor: HrOnly,
               response: Response) -> CycleResponse:
    """HR opens a review cycle (in planning); goals then name it by its id."""
    result = cycles.open_cycle(actor, cycle_id=body.id, name=body.name, start=body.start, end=body.end)
    response.headers["Location"] = f"/cycles/{quote(body.id, safe='')}"  # any text: headers carry ASCII only
    return answer(cycles, goals, result, response)


@router.get("", responses=READ_ERRORS)
def list_cycles(cycles: CyclesDep, _actor: Reader) -> CycleList:
    """Every review cycle, in the order they were opened."""
    return CycleList(items=[CycleResponse.of(c) for c in cycles.list_cycles()])


@router.get("/{cycle_id}", responses=READ_ERRORS)
def read_cycle(cycle_id: CycleId, cycles: CyclesDep, _actor: Reader) -> CycleResponse:
    """One review cycle: its period and its state."""
    return CycleResponse.of(found(cycles, cycle_id))


@router.post("/{cycle_id}/activate", responses=WRITE_ERRORS)
def activate_cycle(cycle_id: CycleId, cycles: CyclesDep, goals: GoalsDep, actor: HrOnly,
                   response: Response) -> CycleResponse:
    """HR starts the cycle (planning to active)."""
    found(cycles, cycle_id)
    return answer(cycles, goals, cycles.activate(actor, cycle_id), response)


@router.post("/{cycle_id}/review", responses=WRITE_ERRORS)
def start_review(cycle_id: CycleId, cycles: CyclesDep, goals: GoalsDep, actor: HrOnly,
                 response: Response) -> CycleResponse:
    """HR starts the review period (active to review)."""
    found(cycles, cycle_id)
    return answer(cycles, goals, cycles.start_review(actor, cycle_id), response)


@router.post("/{cycle_id}/release", responses=WRITE_ERRORS)
def release_cycle(cycle_id: CycleId, cycles: CyclesDep, goals: GoalsDep, actor: HrOnly,
                  response: Response) -> CycleResponse:
    """HR releases the ratings (review to released): employees see their band and may acknowledge or dispute it."""
    found(cycles, cycle_id)
    return answer(cycles, goals, cycles.release(actor, cycle_id), response)


@router.post("/{cycle_id}/lock", responses=WRITE_ERRORS)
def lock_cycle(cycle_id: CycleId, cycles: CyclesDep, goals: GoalsDep, actor: HrOnly,
               response: Response) -> CycleResponse:
    """HR locks the cycle: every goal in it answers 409 cycle_locked to commands; reads and audits go on."""
    found(cycles, cycle_id)
    return answer(cycles, goals, cycles.lock(actor, cycle_id), response)


@router.get("/{cycle_id}/alignment", responses=problem_responses(401, 403, 404, 422, 503))
def cycle_alignment(cycle_id: CycleId, cycles: CyclesDep, views: AlignmentDep, actor: Reader,
                    _links: AlignmentFresh, _reviews: ReviewsFresh) -> AlignmentResponse:
    """The cycle's alignment tree: objectives, the goals aligned to them (and to those), progress rolled up."""
    found(cycles, cycle_id)
    return AlignmentResponse.model_validate(views.cycle(actor, cycle_id))


def found(cycles: Cycles, cycle_id: str) -> Cycle:
    try:
        return cycles.get_cycle(cycle_id)
    except UnknownCycleError:
        raise Problem(404, "cycle_not_found", f"no review cycle {cycle_id!r}", cycle=cycle_id) from None


def answer(cycles: Cycles, goals: GoalsDep, result: CommandResult, response: Response) -> CycleResponse:
    position = command_position(goals, result, response)
    return CycleResponse.of(cycles.get_cycle(result.goal_id), position)
