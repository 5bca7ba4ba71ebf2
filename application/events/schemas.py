"""JSON Schemas (draft 2020-12) for the `data` of each CloudEvents type (ADR 0009).

Scalar fields are derived from the event classes' annotations, so a new field cannot go unnoticed; the nested
shapes (a KPI, a cycle, a recalibration's before/after) are written out here, and a dict or list field without a
written shape is refused when this module loads.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from application.events.cloudevents import EVENT_TYPES
from application.events.catalogue import aggregate_name
from application.events.serialization import META_FIELDS
from domain.goal_warnings import PACES
from domain.review_values import OverrideDirection, ResolutionOutcome
from domain.check_ins import HIGHEST_CONFIDENCE, LOWEST_CONFIDENCE, CheckInStatus
from domain.values import Cadence, Direction, Outcome, Party, ReasonCategory, Role

DIALECT = "https://json-schema.org/draft/2020-12/schema"
NOT_DATA = {*META_FIELDS, "originator_id_type"}


def _enum(values: type[StrEnum]) -> dict[str, Any]:
    return {"type": "string", "enum": [str(v) for v in values]}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


MILESTONE = {"id": {"type": "string"}, "kpi": {"type": "string"}, "due": _ref("date"), "target": _ref("decimal")}

DEFINITIONS: dict[str, Any] = {
    # Decimals travel as strings so that no digit is lost (str(Decimal), exponent form included).
    "decimal": {"type": "string", "pattern": r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$"},
    "date": {"type": "string", "format": "date"},
    "actor": _object({"id": {"type": "string"}, "role": _enum(Role)}),
    "cycle": _object({"id": {"type": "string"}, "start": _ref("date"), "end": _ref("date")}),
    "kpi": _object({
        "id": {"type": "string"},
        "name": {"type": "string"},
        "unit": {"type": "string"},
        "direction": _enum(Direction),
        "baseline": _ref("decimal"),
        "cadence": _enum(Cadence),
        "target": _nullable(_ref("decimal")),
        "low": _nullable(_ref("decimal")),
        "high": _nullable(_ref("decimal")),
    }),
    "milestone": _object(MILESTONE),
    "targets": {
        "type": "object",
        "description": "KPI id -> the goal values that change: `target`, or the range bounds `low`/`high`.",
        "additionalProperties": _object(
            {"target": _ref("decimal"), "low": _ref("decimal"), "high": _ref("decimal")}, required=[],
            minProperties=1,
        ),
    },
    "revision": _object(
        {
            "title": {"type": "string"},
            "statement": {"type": "string"},
            "kpis": {"type": "array", "items": _ref("kpi")},
            "deadline": _nullable(_ref("date")),
            "parent_goal_id": _nullable({"type": "string"}),
            "rationale": _nullable({"type": "string"}),
            "weight": _ref("decimal"),
            "org_unit": _nullable({"type": "string"}),
        },
        required=[],
        minProperties=1,
    ),
    "recalibration_changes": _object({
        "targets": _ref("targets"),
        "deadline": _nullable(_ref("date")),
        "milestones": {
            "type": "array",
            "items": _object({**MILESTONE, "replaces": _nullable({"type": "string"})}),
        },
        # Only on a proposal to cancel the agreed goal (ADR 0029); absent on every other proposal.
        "cancel": {"const": True},
    }, required=["targets", "deadline", "milestones"]),
    "goal_values_before": _object({
        "targets": _ref("targets"),
        "deadline": _nullable(_ref("date")),
        # A milestone that did not exist before the recalibration is null here.
        "milestones": {"type": "array", "items": _nullable(_ref("milestone"))},
    }),
    "goal_values_after": _object({
        "targets": _ref("targets"),
        "deadline": _nullable(_ref("date")),
        "milestones": {"type": "array", "items": _ref("milestone")},
    }),
}

# Fields whose annotation (a dict, a list, a str that is an enum) says too little; keyed by field, or by
# (event, field) where the same name means different things.
COMPOUND_FIELDS: dict[str | tuple[str, str], dict[str, Any]] = {
    "cycle": _ref("cycle"),
    "kpis": {"type": "array", "items": _ref("kpi"), "minItems": 1},
    "milestone": _ref("milestone"),
    "before": _ref("goal_values_before"),
    "after": _ref("goal_values_after"),
    ("Revised", "changes"): _ref("revision"),
    ("RecalibrationProposed", "changes"): _ref("recalibration_changes"),
    ("RecalibrationProposed", "reason"): _enum(ReasonCategory),  # SignatureVoided's is the system's sentence
    # A cycle's and an objective's `cycle` is the cycle's id; an objective may have no KPI of its own.
    **{(name, "cycle"): {"type": "string"}
       for name in ("Opened", "Activated", "ReviewStarted", "Released", "Locked", "Set")},
    ("Set", "kpis"): {"type": "array", "items": _ref("kpi")},
    ("Erased", "keys"): {"type": "array", "items": {"type": "string"}},  # the ids of the data keys deleted
    ("CheckedIn", "status"): _enum(CheckInStatus),
    # The Review aggregate (domain/review.py): a decision pins its scale, and the justification's hash and position.
    "bands": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    ("DecisionRecorded", "override_direction"): _nullable(_enum(OverrideDirection)),
    ("DecisionRecorded", "justification_hash"): {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
    ("DisputeResolved", "outcome"): _enum(ResolutionOutcome),
    # GoalWarnings (domain/goal_warnings.py): each names the events it was derived from, as CloudEvents ids.
    "evidence": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f-]{36}:[0-9]+$"}, "minItems": 1},
    "cadence": _enum(Cadence),
    "pace": {"type": "string", "enum": list(PACES)},
    "pace_before": {"type": "string", "enum": list(PACES)},
    ("CheckedIn", "confidence"): {"type": "integer", "minimum": LOWEST_CONFIDENCE, "maximum": HIGHEST_CONFIDENCE},
    # The directory (domain/directory.py): a person's details by name, and what changed from what to what.
    ("Provisioned", "details"): {"type": "object", "additionalProperties": {"type": "string"}},
    ("Provisioned", "active"): {"type": "boolean"},
    ("Deactivated", "removed"): {"type": "boolean"},
    ("Updated", "changes"): {"type": "object", "additionalProperties": _object(
        {"from": {"type": "string"}, "to": {"type": "string"}})},
    ("MembershipChanged", "added"): {"type": "array", "items": {"type": "string"}},
    ("MembershipChanged", "removed"): {"type": "array", "items": {"type": "string"}},
}
ENUM_FIELDS: dict[str, type[StrEnum]] = {"party": Party, "outcome": Outcome}
SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    Decimal: _ref("decimal"),
    date: _ref("date"),
}


def field_schema(event_name: str, field: str, annotation: Any) -> dict[str, Any]:
    """The schema of one field of an event's data, from its annotation."""
    for key in ((event_name, field), field):
        if key in COMPOUND_FIELDS:
            return COMPOUND_FIELDS[key]
    if field in ENUM_FIELDS:
        return _enum(ENUM_FIELDS[field])
    arguments = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) and type(None) in arguments:
        (inner,) = [a for a in arguments if a is not type(None)]
        return _nullable(field_schema(event_name, field, inner))
    if annotation in SCALARS:
        return SCALARS[annotation]
    raise TypeError(f"Goal.{event_name}.{field}: no JSON Schema for {annotation!r}; describe it in COMPOUND_FIELDS")


def data_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of the `data` of one CloudEvents type."""
    cls = EVENT_TYPES[event_type]
    hints = typing.get_type_hints(cls)
    properties = {
        name: field_schema(cls.__name__, name, annotation)
        for name, annotation in hints.items()
        if name not in NOT_DATA
    }
    properties["actor"] = _ref("actor")
    return {
        "$schema": DIALECT,
        "$id": f"urn:goalengine:schema:{event_type}",
        "title": f"{event_type} data",
        "description": f"The `data` of a `{event_type}` CloudEvent ({aggregate_name(cls.TOPIC)}.{cls.__name__}, "
                       f"stored topic {cls.TOPIC}).",
        **_object(properties),
        "$defs": DEFINITIONS,
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every event type's data schema, by CloudEvents type."""
    return {event_type: data_schema(event_type) for event_type in EVENT_TYPES}


SCHEMAS = all_schemas()  # built at import: an event field without a schema fails here, not in a consumer
