"""RFC 9457 problem details: every error leaves the API as application/problem+json with a stable `code`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError as SqlOperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.schemas.common import PATTERN_CODES, PATTERN_MEANINGS
from application.audit.chain import SigningKeyMissingError
from application.audit.rollback import LogRolledBackError
from application.privacy.keys import DataKeyMissingError, DataMasterKeyMissingError
from application.errors import (
    ApplicationError,
    ConcurrentModificationError,
    GoalNotFoundError,
    IdempotencyKeyInProgressError,
    IdempotencyKeyReusedError,
    InvalidIdempotencyKeyError,
    StoreBusyError,
    VersionMismatchError,
)
from domain.errors import (
    GoalError, InvalidGoalInputError, PermissionDeniedError, ReviewCycleNotFoundError, UnknownDisputeError,
    UnknownRecalibrationError,
)

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/ProblemModel"}

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}

APPLICATION_STATUS: dict[type[ApplicationError], int] = {
    GoalNotFoundError: 404,
    VersionMismatchError: 412,
    ConcurrentModificationError: 409,
    IdempotencyKeyReusedError: 422,
    InvalidIdempotencyKeyError: 422,
    IdempotencyKeyInProgressError: 409,
    LogRolledBackError: 503,  # the log no longer holds the checkpoint kept outside the database (ADR 0039)
    SigningKeyMissingError: 503,  # the server holds no audit signing key: nothing can be stored (ADR 0013)
    DataMasterKeyMissingError: 503,  # no data master key: personal text can be neither sealed nor opened (ADR 0026)
    DataKeyMissingError: 503,  # a sealed field names a key this store never held: a broken store, not an erasure
    StoreBusyError: 503,  # a turn of the store stayed taken too long (ADR 0054): nothing was applied, retry
}


class FieldError(BaseModel):
    field: str = Field(description="Where the bad value is, e.g. `body.kpis.0.target` or `header.If-Match`.")
    message: str


class ProblemModel(BaseModel):
    """An RFC 9457 problem; `code` is stable and machine-readable, `detail` is for people."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = Field(None, description="On 422: each malformed field and what is wrong.")


class Problem(Exception):  # noqa: N818 (RFC 9457 calls it a problem; "ProblemError" would say it twice)
    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


class FastJSONResponse(JSONResponse):
    """JSON as Starlette writes it (compact UTF-8), written by orjson; by the standard library whatever orjson
    cannot write (an integer beyond 64 bits, a key that is not text)."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:
            return super().render(content)


def problem_response(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
            "code": code, **extra}
    # RFC 6750: a 401 names the scheme the client should authenticate with.
    headers = {"WWW-Authenticate": 'Bearer realm="goalengine"'} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "1"}
    return FastJSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problems a route can answer with."""
    return {
        status: {"model": ProblemModel, "description": TITLES.get(status, "Error"), "content": {PROBLEM_JSON: {}}}
        for status in statuses
    }


def domain_status(error: GoalError) -> int:
    if isinstance(error, InvalidGoalInputError):
        return 422
    if isinstance(error, PermissionDeniedError):
        return 403
    if isinstance(error, UnknownRecalibrationError | UnknownDisputeError | ReviewCycleNotFoundError):
        return 404  # a resource in the URL: /goals/{id}/recalibrations/{rid}, /reviews/{e}/disputes/{did}, ?cycle=
    return 409


def domain_extra(error: GoalError) -> dict[str, Any]:
    """Context for the problem body; a malformed field is also listed in `errors`, like a validation error."""
    extra = _plain(error.context)
    if isinstance(error, InvalidGoalInputError):
        field = error.field if error.field.startswith("body.") else f"body.{error.field}"
        extra["errors"] = [{"field": field, "message": error.message.removeprefix(f"{error.field}: ")}]
    return extra


def field_error(item: dict[str, Any]) -> dict[str, str]:
    """One validation error as {field, message}; broken JSON names the body and where the parser gave up."""
    location = [str(part) for part in item.get("loc", ())]
    if item.get("type") == "json_invalid":
        reason = item.get("ctx", {}).get("error", "")
        at = f" at character {location[1]}" if len(location) > 1 else ""
        return {"field": "body", "message": f"is not valid JSON{at}: {reason}".rstrip(": ")}
    message = PATTERN_MEANINGS.get(item.get("ctx", {}).get("pattern", ""), str(item.get("msg", "")))
    return {"field": ".".join(location), "message": message}


def validation_code(items: Sequence[Any]) -> str:
    """invalid_request, unless every error is a pattern that keeps a code of its own (and they agree)."""
    codes = {PATTERN_CODES.get(item.get("ctx", {}).get("pattern", "")) for item in items}
    (code,) = codes if len(codes) == 1 else (None,)
    return code or "invalid_request"


async def on_store_busy(_request: Request, error: Exception) -> JSONResponse:
    # Under load the store's connection pool or lock can time out: nothing was applied, so a retry is safe.
    return problem_response(503, "store_busy", f"the store is busy ({type(error).__name__}); nothing was "
                            "applied, retry shortly")


async def on_problem(_request: Request, error: Problem) -> JSONResponse:
    return problem_response(error.status, error.code, error.detail, **error.extra)


async def on_domain_error(_request: Request, error: GoalError) -> JSONResponse:
    return problem_response(domain_status(error), error.code, error.message, **domain_extra(error))


async def on_application_error(_request: Request, error: ApplicationError) -> JSONResponse:
    status = APPLICATION_STATUS.get(type(error), 409)
    return problem_response(status, error.code, error.message, **_plain(error.context))


async def on_unreadable_event(request: Request, error: MapperDeserialisationError) -> JSONResponse:
    # A stored event that cannot be opened because of the server's keys (none, or not the store's) says so:
    # 503 data_master_key_missing, not 500. Anything else that cannot be read is unexpected.
    if isinstance(error.__cause__, ApplicationError):
        return await on_application_error(request, error.__cause__)
    return await on_unexpected(request, error)


async def on_invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [field_error(item) for item in error.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "the request is malformed"
    return problem_response(422, validation_code(error.errors()), detail, errors=errors)


async def on_http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    if error.status_code == 400:  # FastAPI's "error parsing the body" (e.g. not UTF-8): malformed, like bad JSON
        message = f"could not be read: {error.detail}"
        return problem_response(422, "invalid_request", f"body: {message}",
                                errors=[{"field": "body", "message": message}])
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    answer = problem_response(error.status_code, code, str(error.detail))
    answer.headers.update(error.headers or {})
    if error.status_code == 405:  # every method the path takes (RFC 9110), not those of one route for it
        answer.headers["Allow"] = ", ".join(allowed_methods(request))
    return answer


async def on_unexpected(_request: Request, error: Exception) -> JSONResponse:
    detail = f"unexpected {type(error).__name__}; the request was not applied"
    return problem_response(500, "internal_error", detail)


HANDLERS: tuple[tuple[type[Exception], Any], ...] = (
    (Problem, on_problem), (GoalError, on_domain_error), (ApplicationError, on_application_error),
    (MapperDeserialisationError, on_unreadable_event), (StoreOperationalError, on_store_busy),
    (PersistenceError, on_store_busy), (SqlOperationalError, on_store_busy),
    (RequestValidationError, on_invalid_request), (StarletteHTTPException, on_http_error), (Exception, on_unexpected),
)


def install_problem_handlers(app: FastAPI) -> None:
    """Every error answers problem+json (RFC 9457) with a code; nothing answers a bare 500 page."""
    for error_type, handler in HANDLERS:
        app.add_exception_handler(error_type, handler)
    document_problems(app)


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """The methods some route takes at the request's path (asked of the router as if the request had used each)."""
    routes = request.app.router.routes
    return [method for method in HTTP_METHODS
            if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)]


def document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what the handlers do: every error is application/problem+json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI caches it, so this rewrite runs on the first call only
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                _problem_media_types(operation)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        if "ProblemModel" not in components:
            model_schema = ProblemModel.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(model_schema.pop("$defs", {}))
            components["ProblemModel"] = model_schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problem_media_types(operation: dict[str, Any]) -> None:
    responses = operation.get("responses", {})
    for status, response in responses.items():
        content = response.get("content", {})
        if status.startswith(("4", "5")) and "application/json" in content:
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
    if operation.get("security") and "401" not in responses:
        responses["401"] = {"description": TITLES[401], "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def _plain(context: dict[str, Any]) -> dict[str, Any]:
    reserved = {"type", "title", "status", "detail", "code"}
    return {k: (v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else str(v))
            for k, v in context.items() if k not in reserved}
