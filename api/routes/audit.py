"""Audit: verify the tamper-evident trail; the recalibration fairness report. Auditors and HR only, read-only."""

from __future__ import annotations

import base64
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.one_hop import OneHopRoute
from api.schemas.audit import ConsistencyResponse, EventProofResponse, FairnessReportResponse, VerificationResponse
from api.schemas.common import UUID_TEXT
from api.deps import GoalsDep, require_roles
from api.problems import Problem, problem_responses
from application.audit.chain import SigningKeyMissingError
from application.audit.log import CheckpointNotSignedError, EventNotInLogError, TreeSizeError, audit_log
from application.audit.rollback import rollback_watch
from application.audit.note import CheckpointError
from application.audit.tree import TamperDetectedError
from application.audit.witnesses import CosignatureRefusedError, accept_cosignatures, with_cosignatures
from application.audit.verification import LogPositionError, verify_trail
from application.errors import ApplicationError
from domain.values import Actor, Role
from application.audit.fairness import GroupBy, recalibration_fairness

router = APIRouter(tags=["audit"], route_class=OneHopRoute)

Auditor = Annotated[Actor, Depends(require_roles(Role.AUDITOR, Role.HR))]
MAX_POSITION = 2**63 - 1  # the stores' integer range
MAX_NOTE_BYTES = 16_384  # a checkpoint with dozens of cosignatures is well under this
Position = Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="A log position (default: the head).")]
Digest = Annotated[str | None, Query(pattern=r"^[0-9a-fA-F]{64}$",
                                     description="A digest recorded earlier at `position`: checked against it.")]
Cycle = Annotated[str, Query(min_length=1, max_length=200, description="The cycle's id, e.g. 2026-H1.")]
TAMPER_RESPONSE = {409: {**problem_responses(409)[409], "description": "tamper_detected: the first bad event"}}


@router.get("/audit/verify", responses={**problem_responses(401, 403, 422), **TAMPER_RESPONSE})
def verify(goals: GoalsDep, _actor: Auditor, position: Position = None, digest: Digest = None) -> VerificationResponse:
    """Recompute every goal's hash chain from the stored rows; 409 names the first changed, removed or forged event."""
    kept = rollback_watch(goals).kept_checkpoint() if position is None else None  # the log must still hold it
    try:
        result = verify_trail(goals, position=position, expected_digest=digest, checkpoint=kept)
    except LogPositionError as error:
        raise Problem(422, error.code, error.message, **error.context) from None
    if result.problem is not None:
        problem = result.problem
        raise Problem(409, "tamper_detected", problem.detail, goal_id=problem.goal_id, version=problem.version,
                      kind=problem.kind, position=problem.position, events=result.events, digest=result.digest)
    return VerificationResponse(intact=True, events=result.events, digest=result.digest, position=result.position,
                                tree_size=result.tree_size, root_hash=result.root_hash)


TreeSize = Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="A tree size (default: the whole log).")]
EventId = Annotated[str, Query(pattern=f"^{UUID_TEXT}:[1-9][0-9]{{0,17}}$",
                               description="The event: `<goal id>:<version>`.")]
PROOF_PROBLEMS = {**problem_responses(401, 403, 404, 422, 503), **TAMPER_RESPONSE}
PROOF_ERRORS: dict[type[ApplicationError], int] = {
    TamperDetectedError: 409, EventNotInLogError: 404, TreeSizeError: 422, SigningKeyMissingError: 503,
    CheckpointNotSignedError: 422}
PROOF_FAILURES = tuple(PROOF_ERRORS)


def _problem(error: ApplicationError) -> Problem:
    status = PROOF_ERRORS.get(type(error), 500)
    return Problem(status, error.code, error.message, **error.context)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@router.get("/audit/checkpoint", response_class=Response, responses={
    200: {"content": {"text/plain": {}}, "description": "A C2SP tlog-checkpoint signed note."}, **PROOF_PROBLEMS})
def checkpoint(goals: GoalsDep) -> Response:
    """The latest signed checkpoint (C2SP tlog-checkpoint) with its witnesses' cosignatures; no token needed."""
    try:
        note = with_cosignatures(goals, audit_log(goals).checkpoint())
    except PROOF_FAILURES as error:
        raise _problem(error) from None
    return Response(content=note, media_type="text/plain; charset=utf-8")


@router.post("/audit/cosignatures", status_code=201, response_class=Response, responses={
    201: {"content": {"text/plain": {}}, "description": "The checkpoint with every cosignature kept for it."},
    **problem_responses(413, 422)})
async def add_cosignatures(request: Request, goals: GoalsDep) -> Response:
    """A witness hands back a checkpoint of this log carrying its cosignature (C2SP tlog-cosignature); no token:
    only cosignatures by a key in GOALENGINE_AUDIT_WITNESS_KEYS are taken."""
    body = await request.body()
    if len(body) > MAX_NOTE_BYTES:
        raise Problem(413, "note_too_large", f"a checkpoint note is at most {MAX_NOTE_BYTES} bytes")
    try:
        note = body.decode("utf-8")
        await run_in_threadpool(accept_cosignatures, goals, note)
        served = await run_in_threadpool(with_cosignatures, goals, note)
    except UnicodeDecodeError:
        raise Problem(422, "cosignature_refused", "the body is not UTF-8 text") from None
    except CheckpointError as error:
        raise Problem(422, "cosignature_refused", f"not a checkpoint: {error}") from None
    except ApplicationError as error:
        status = 422 if isinstance(error, CosignatureRefusedError) else PROOF_ERRORS.get(type(error), 409)
        raise Problem(status, error.code, error.message, **error.context) from None
    return Response(content=served, status_code=201, media_type="text/plain; charset=utf-8")


@router.get("/audit/proof", responses=PROOF_PROBLEMS)
def proof(goals: GoalsDep, _actor: Auditor, event: EventId, tree_size: TreeSize = None) -> EventProofResponse:
    """An event's inclusion proof in the tree of `tree_size` (default: the whole log), with that tree's checkpoint."""
    goal_text, _, version = event.partition(":")
    try:
        goal_id = UUID(goal_text)
    except ValueError:
        raise Problem(422, "invalid_request", f"{goal_text!r} is not a goal id", field="query.event") from None
    try:
        found = audit_log(goals).proof(goal_id, int(version), tree_size)
    except PROOF_FAILURES as error:
        raise _problem(error) from None
    return EventProofResponse(
        event=found.event, leaf_index=found.leaf_index, tree_size=found.tree_size, leaf_input=_b64(found.leaf_input),
        leaf_hash=_b64(found.leaf_hash), inclusion=[_b64(h) for h in found.inclusion], checkpoint=found.checkpoint)


@router.get("/audit/consistency", responses=PROOF_PROBLEMS, response_model_by_alias=True)
def consistency(
    goals: GoalsDep,
    from_size: Annotated[int, Query(alias="from", ge=0, le=MAX_POSITION, description="The earlier tree size.")],
    to: Annotated[int, Query(ge=0, le=MAX_POSITION, description="The later tree size.")],
) -> ConsistencyResponse:
    """A consistency proof: the tree of size `to` contains the tree of size `from` unchanged (RFC 9162 2.1.4); no
    token needed (sizes and hashes only)."""
    try:
        hashes = audit_log(goals).consistency(from_size, to)
    except PROOF_FAILURES as error:
        raise _problem(error) from None
    return ConsistencyResponse(from_size=from_size, to=to, proof=[_b64(h) for h in hashes])


@router.get("/fairness/recalibrations", response_model=FairnessReportResponse,
            responses=problem_responses(401, 403, 422))
def fairness_report(
    goals: GoalsDep, _actor: Auditor, cycle: Cycle, group_by: GroupBy = GroupBy.MANAGER, position: Position = None
) -> Response:
    """Recalibrations per manager or org unit: eased or tightened, four-eyes check, disparity test, at a position."""
    try:
        report = recalibration_fairness(goals, cycle, group_by, position=position)
    except LogPositionError as error:
        raise Problem(422, error.code, error.message, **error.context) from None
    return Response(content=report.canonical(), media_type="application/json")
