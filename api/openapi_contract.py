"""The OpenAPI document as a contract (ADR 0020): every constraint the API enforces is in it, and links lead from the
operations that make a goal, a recalibration or a subscription to those that take its id (for stateful clients and
fuzzers). Applied to the generated document once, after the problem rewrite.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.schemas.common import SINGLE_LINE

# Optional fields a PATCH may leave out but not clear (the model refuses null for them).
NOT_NULLABLE = {"ReviseGoalRequest": ("title", "statement", "kpis", "weight")}
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@]+([/?#][^\s]*)?$"
GOAL_OPERATIONS = {
    "ReadGoal": ("get", "/goals/{goal_id}"), "ReviseGoal": ("patch", "/goals/{goal_id}"),
    "SmartFindings": ("get", "/goals/{goal_id}/smart"), "SignGoal": ("post", "/goals/{goal_id}/signatures"),
    "SetMilestone": ("post", "/goals/{goal_id}/milestones"),
    "RecordMeasurement": ("post", "/goals/{goal_id}/measurements"),
    "ProposeRecalibration": ("post", "/goals/{goal_id}/recalibrations"),
    "CloseGoal": ("post", "/goals/{goal_id}/closure"),
    "GoalHistory": ("get", "/goals/{goal_id}/history"),
}
RECALIBRATION_OPERATIONS = {
    "ApproveRecalibration": ("post", "/goals/{goal_id}/recalibrations/{recalibration_id}/approval"),
    "RejectRecalibration": ("post", "/goals/{goal_id}/recalibrations/{recalibration_id}/rejection"),
}
SUBSCRIPTION_OPERATIONS = {
    "ReadSubscription": ("get", "/subscriptions/{subscription_id}"),
    "ResumeSubscription": ("post", "/subscriptions/{subscription_id}/resume"),
    "DeleteSubscription": ("delete", "/subscriptions/{subscription_id}"),
}


def install_contract(app: FastAPI) -> None:
    generate = app.openapi
    done: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = generate()
        if not done:
            tighten(schema)
            done.append(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def tighten(schema: dict[str, Any]) -> None:
    paths = schema.get("paths", {})
    for item in paths.values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _without_null(parameter.get("schema", {}))
                if parameter.get("in") in ("path", "query"):
                    _single_line(parameter["schema"])
    components = schema.get("components", {}).get("schemas", {})
    for name, fields in NOT_NULLABLE.items():
        properties = components.get(name, {}).get("properties", {})
        for field in fields:
            if field in properties:
                properties[field] = _without_null(properties[field])
        if name in components:
            components[name]["minProperties"] = 1
    for name in ("DraftGoalRequest", "ReviseGoalRequest"):  # the domain's weight rule: more than 0, at most 100
        weight = components.get(name, {}).get("properties", {}).get("weight", {})
        for option in weight.get("anyOf", []):
            if option.get("type") == "number":
                option.update(exclusiveMinimum=0, maximum=100)
    if "url" in components.get("SubscriptionRequest", {}).get("properties", {}):
        components["SubscriptionRequest"]["properties"]["url"]["pattern"] = URL_PATTERN
    for item in paths.values():
        for method, operation in item.items():
            if method in ("post", "put", "patch", "delete"):
                _problems(operation, {"413": "Content too large", "429": "Too many requests"})
    _walk(schema, _key_pattern_to_property_names)
    _position_refusals(paths)
    _links(paths)


POSITION_PARAMETERS = {"min_position", "after", "Goalengine-Min-Position", "Last-Event-ID"}
BEYOND_HEAD = ("Unprocessable content; `position_beyond_head` when a position named (`min_position`, `after`, "
               "`Goalengine-Min-Position`, `Last-Event-ID`) lies beyond the head of the log: answered at once, with "
               "the head in the body's `head` (a position the log has reached but a read model has not is 503 "
               "`projection_behind`)")


def _position_refusals(paths: dict[str, Any]) -> None:
    """Every operation that takes a log position refuses one beyond the head with 422 (api/positions.py)."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemModel"}}}
    for item in paths.values():
        for operation in item.values():
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            body = str(operation.get("requestBody", {}))
            if names & POSITION_PARAMETERS or "SubscriptionRequest" in body:
                answer = operation.setdefault("responses", {}).setdefault("422", {"content": problem})
                answer["description"] = BEYOND_HEAD


def _problems(operation: dict[str, Any], statuses: dict[str, str]) -> None:
    """The guards' refusals (ADR 0020) are answers of every write, documented like the others."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemModel"}}}
    for status, title in statuses.items():
        operation.setdefault("responses", {}).setdefault(status, {"description": title, "content": problem})


def _single_line(schema: dict[str, Any]) -> None:
    """The guards refuse a control character anywhere in a path or a query (api/guards/text.py): so says the
    document, for every text parameter that has no pattern of its own."""
    for option in [schema, *schema.get("anyOf", []), schema.get("items", {})]:
        if option.get("type") == "string" and "pattern" not in option and "format" not in option:
            option["pattern"] = SINGLE_LINE


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter or field that may be left out, but never be null: its absence is how "none" is said."""
    options = schema.get("anyOf")
    if not options or {"type": "null"} not in options:
        return schema
    kept = [option for option in options if option != {"type": "null"}]
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**rest, **kept[0]} if len(kept) == 1 else {**rest, "anyOf": kept}


def _key_pattern_to_property_names(node: dict[str, Any]) -> None:
    """pydantic writes a dict's key pattern as patternProperties; the key rule belongs in propertyNames."""
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1 and "additionalProperties" not in node:
        (pattern, value), = patterns.items()
        node.pop("patternProperties")
        node.setdefault("propertyNames", {})["pattern"] = pattern
        node["additionalProperties"] = value


def _walk(node: Any, visit: Any) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in list(node.values()):
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _links(paths: dict[str, Any]) -> None:
    _link(paths, ("post", "/goals"), "201", GOAL_OPERATIONS, {"goal_id": "$response.body#/id"})
    _link(paths, ("post", "/goals/{goal_id}/recalibrations"), "201", RECALIBRATION_OPERATIONS,
          {"goal_id": "$request.path.goal_id", "recalibration_id": "$response.body#/id"})
    _link(paths, ("post", "/subscriptions"), "201", SUBSCRIPTION_OPERATIONS, {"subscription_id": "$response.body#/id"})


def _link(paths: dict[str, Any], source: tuple[str, str], status: str, targets: dict[str, tuple[str, str]],
          parameters: dict[str, str]) -> None:
    method, path = source
    response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
    if response is None:
        return
    links = response.setdefault("links", {})
    for name, (target_method, target_path) in targets.items():
        target = paths.get(target_path, {}).get(target_method)
        if target is None:
            continue
        wanted = {p["name"] for p in target.get("parameters", []) if p.get("in") == "path"}
        links[name] = {"operationRef": f"#/paths/{_escape(target_path)}/{target_method}",
                       "parameters": {k: v for k, v in parameters.items() if k in wanted}}


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")
