"""Schemathesis fuzzes every operation of the OpenAPI document against the ASGI app.

Valid and invalid requests (a bounded, deterministic number per operation) with valid tokens must never get a 5xx,
and every answer must match the documented status codes, media types, headers and schemas. Path ids are steered to
goals that exist, in every state, so that the fuzzing reaches the domain instead of stopping at 404.
"""

from __future__ import annotations

import atexit
from collections import Counter
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
import schemathesis
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from api.auth import issue_token
from api.guards.config import GuardSettings
from application.goals.service import Goals
from tests.api.conftest import API_SECRET
from tests.conftest import AUDIT_KEY, Clock, store_settings
from tests.scenarios import (
    EMPLOYEE,
    H1,
    HR,
    MANAGER,
    agreed,
    customer_service_terms,
    draft,
    survey_terms,
)

MAX_EXAMPLES = 20
STATEFUL_SCENARIOS = 15
CONFIG = {
    "seed": 20260115,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                   "with-security-parameters": False},  # the auth checks below cover tokens
    # Stateful: only the document's own links (dependency analysis guesses owner_id and manager_id are ids of
    # resources nothing makes, and then never starts a scenario with POST /goals).
    "phases": {"coverage": {"enabled": False},
               "stateful": {"enabled": True, "inference": {"algorithms": ["location-headers"]}}},
    # Constants harvested from the application's modules would steer values by what this process happens to have
    # imported by then: the same seed drew differently from one run to the next (a FlakyStrategyDefinition).
    "analysis": {"constants": {"enabled": False}},
}
# Domain rules legitimately refuse well-formed requests (409), so "valid data is accepted" is not a property of
# this API; everything about the contract is checked.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
]
# Operations of other modules that are excluded here, with the reason.
EXCLUDED_PATHS: tuple[str, ...] = (
    # A Server-Sent Events stream never ends, and the ASGI client waits for the whole body; the stream is tested
    # against a real server in tests/api/test_event_stream.py.
    "/events/stream",
)


class Seeded:
    """Goals in every state for the fuzzer to aim at; only parties sign or propose, so those calls go as mgr-1."""

    def __init__(self, goals: Goals) -> None:
        self.draft = draft(goals, survey_terms())
        self.agreed = agreed(goals, customer_service_terms())
        self.proposed = agreed(goals, customer_service_terms(title="Support throughput, second goal"))
        goals.propose_recalibration(self.proposed, MANAGER, reason="external_factor",
                                    justification="The survey vendor changed.",
                                    targets={"csat": {"target": Decimal(88)}})
        self.ids = [self.draft, self.agreed, self.proposed]

    def goal_for(self, generated: str) -> str:
        """A seeded goal in place of a generated UUID, picked deterministically (now and then the unknown one stays).

        A generated value that is no UUID is left alone: it is meant to be refused.
        """
        try:
            UUID(generated)
        except ValueError:
            return generated
        choice = zlib.crc32(generated.encode()) % (len(self.ids) + 1)
        return str(self.ids[choice]) if choice < len(self.ids) else generated

    @staticmethod
    def recalibration_for(generated: str) -> str:
        """Mostly r1, the seeded proposal (once decided, a second decision is a 409)."""
        return "r1" if zlib.crc32(generated.encode()) % 4 else generated


# Schemathesis reads the schema when the module is imported, so the app (over a throwaway SQLite file) exists from
# then on; its lifespan runs from the first request to the end of the test.
STORE = Path(tempfile.mkdtemp(prefix="goalengine-schemathesis-")) / "goals.db"
atexit.register(shutil.rmtree, STORE.parent, ignore_errors=True)
GOALS = Goals(store_settings(database_url=f"sqlite:///{STORE}", audit_key=AUDIT_KEY, api_secret=API_SECRET),
              today=Clock(date(2026, 1, 15)))
# Writes come faster than any caller's rate limit allows: the limit is tested in tests/security, not here.
APP = create_app(GOALS.settings, GOALS, GuardSettings(writes_per_minute=1_000_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=SchemathesisConfig.from_dict(CONFIG))
for excluded in EXCLUDED_PATHS:
    schema = schema.exclude(path=excluded)


@pytest.fixture(scope="module")
def seeded() -> Iterator[Seeded]:
    yield Seeded(GOALS)
    GOALS.close()


def token_for(case: schemathesis.Case) -> str:
    parties_only = case.operation.path.endswith(("/signatures", "/recalibrations"))
    actor = MANAGER if parties_only else HR
    if case.operation.path == "/goals" and case.method == "POST":
        actor = EMPLOYEE  # drafts for themself; an hr draft must name both parties and mostly gets 422
    return issue_token(API_SECRET, actor.id, actor.role)


@schema.parametrize()
def test_no_request_gets_a_server_error_or_an_answer_outside_the_schema(
    case: schemathesis.Case, seeded: Seeded
) -> None:
    if "goal_id" in case.path_parameters:
        case.path_parameters["goal_id"] = seeded.goal_for(str(case.path_parameters["goal_id"]))
    if "recalibration_id" in case.path_parameters and len(str(case.path_parameters["recalibration_id"])) <= 100:
        recalibration_id = str(case.path_parameters["recalibration_id"])
        case.path_parameters["recalibration_id"] = seeded.recalibration_for(recalibration_id)
    steer_positions(case)
    headers = {"Authorization": f"Bearer {token_for(case)}"}
    case.call_and_validate(headers=headers, checks=CHECKS)


def steer_draft(case: schemathesis.Case) -> None:
    """A generated cycle id names no cycle HR opened (409 unknown_cycle), and a generated link no objective: three
    drafts in four are steered to the seeded cycle and to no link, so that scenarios have goals to follow."""
    body = case.body
    if case.method != "POST" or case.operation.path != "/goals" or not isinstance(body, dict):
        return
    if zlib.crc32(repr(sorted(body)).encode() + str(body.get("title")).encode()) % 4:
        body.update(cycle=H1.id, aligned_to=None, parent_goal_id=None)


def steer_positions(case: schemathesis.Case) -> None:
    """A valid min_position past the log's head is refused at once with 422 position_beyond_head (tested in
    tests/api/test_read_positions.py); here it is steered to one the log has reached, so the read itself runs."""
    if isinstance(case.query, dict) and isinstance(case.query.get("min_position"), int):
        case.query["min_position"] = min(case.query["min_position"], 1)
    for name in list(case.headers or {}):
        if name.lower() == "goalengine-min-position" and str(case.headers[name]).isdigit():
            # A header the case means to be wrong stays wrong (steered to 1 it would be rightly accepted).
            case.headers[name] = "not-a-position" if negative_headers(case) else "1"


def negative_headers(case: schemathesis.Case) -> bool:
    components = getattr(case.meta, "components", None) or {}
    return any(str(getattr(where, "value", where)) == "header" and str(info.mode) == "negative"
               for where, info in components.items())


# --- stateful: links lead from a new goal, proposal or subscription to the operations that take its id ----------

STATEFUL_CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
                   checks.response_schema_conformance]


# schemathesis' dependency analysis reads owner_id, manager_id and parent_goal_id in the draft as ids of resources
# no operation makes, and so never starts a scenario with POST /goals; they are people and an optional parent.
schema.analysis.dependency_graph.operations["POST /goals"].inputs.clear()


class ApiWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    """Draft a goal, then sign, measure, propose, decide and close it through the links (tokens as above)."""

    reached: ClassVar[Counter[str]] = Counter()

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        return {"headers": {"Authorization": f"Bearer {token_for(case)}"}}

    def before_call(self, case: schemathesis.Case) -> None:
        steer_draft(case)

    def after_call(self, response: Any, case: schemathesis.Case) -> None:
        super().after_call(response, case)
        if response.status_code < 300:
            self.reached[f"{case.method} {case.operation.path}"] += 1

    def validate_response(self, response: Any, case: schemathesis.Case, additional_checks: Any = None,
                          **kwargs: Any) -> None:
        case.validate_response(response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs or None)


ApiWorkflow.TestCase.settings = settings(max_examples=STATEFUL_SCENARIOS, stateful_step_count=8, deadline=None,
                                         derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def test_stateful_scenarios_following_the_links_get_no_server_error_and_match_the_schema(seeded: Seeded) -> None:
    assert seeded.ids  # the app's store is open
    document = APP.openapi()
    assert "ReadGoal" in document["paths"]["/goals"]["post"]["responses"]["201"]["links"]
    ApiWorkflow.run()
    assert ApiWorkflow.reached["POST /goals"] > 0  # scenarios start from new goals and follow their links


# --- the document itself ---------------------------------------------------------------------------------------

# Besides the docs: liveness, and the event-data JSON Schemas, which the feed publishes as documentation.
# The audit log's checkpoints, consistency proofs and cosignatures: sizes and hashes, for witnesses (ADR 0040).
PUBLIC_PATHS = {"/health", "/ready", "/events/schemas",
                "/audit/checkpoint", "/audit/consistency", "/audit/cosignatures"}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemModel"}}}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in APP.openapi()["paths"].items()
            for method, operation in item.items()]


def test_the_document_declares_the_bearer_scheme_and_every_protected_operation_uses_it() -> None:
    schemes = APP.openapi()["components"]["securitySchemes"]
    bearer = [name for name, scheme in schemes.items() if (scheme["type"], scheme.get("scheme")) == ("http", "bearer")]
    assert len(bearer) == 1
    for path, method, operation in operations():
        expected = [] if path in PUBLIC_PATHS else [{bearer[0]: []}]
        assert operation.get("security", []) == expected, f"{method.upper()} {path}"


def test_every_error_an_operation_can_answer_is_documented_as_a_problem() -> None:
    for path, method, operation in operations():
        responses = operation["responses"]
        errors = {status: response for status, response in responses.items() if status[0] in "45"}
        if path not in PUBLIC_PATHS:
            assert {"401", "422"} <= set(errors), f"{method.upper()} {path}"
        for status, response in errors.items():
            assert response["content"] == PROBLEM, f"{method.upper()} {path} {status}"


def test_every_goal_operation_names_its_request_and_response_models() -> None:
    for path, method, operation in operations():
        if not path.startswith("/goals/{goal_id}") and (path, method) != ("/goals", "post"):
            continue
        success = next(response for status, response in operation["responses"].items() if status.startswith("2"))
        assert "$ref" in success["content"]["application/json"]["schema"], f"{method.upper()} {path}"
        if method in ("post", "patch") and "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert "$ref" in body or any("$ref" in option for option in body.get("anyOf", [])), path
