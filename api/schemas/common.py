"""What every request and response model shares: text and number patterns, and strict bodies with examples."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any

import re

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

# No control characters: they are never meant, and PostgreSQL text columns (read models) refuse NUL outright.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# Required text holds something besides white space (the domain strips it before it checks), still without controls.
ANY_TEXT_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
VISIBLE_CHAR = r"[^\s\x00-\x1f\x7f]"
FILLED_LINE = r"^[^\x00-\x1f\x7f]*" + VISIBLE_CHAR + r"[^\x00-\x1f\x7f]*$"
FILLED_TEXT = f"^{ANY_TEXT_CHAR}*{VISIBLE_CHAR}{ANY_TEXT_CHAR}*$"
UUID_TEXT = r"([0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
KPI_ID = r"^[A-Za-z0-9_.-]+$"
DECIMAL = r"^[+-]?[0-9]{1,16}(\.[0-9]{1,8})?$"
ETAG = r'^(\*|(W/)?"?[0-9]{1,18}"?)$'
IDEMPOTENCY_KEY = r"^[!-~]{1,200}$"
EIGHT_PLACES = Decimal("1e-8")
MAX_POSITION = 2**63 - 1  # the stores' integer range: a log position beyond it cannot exist
PATTERN_MEANINGS = {  # what to tell a caller instead of a regular expression
    SINGLE_LINE: "must be a single line without control characters",
    MULTI_LINE: "must not contain control characters other than line breaks and tabs",
    FILLED_LINE: "must not be empty or only white space, and be a single line without control characters",
    FILLED_TEXT: ("must not be empty or only white space, nor contain control characters other than line breaks "
                  "and tabs"),
    KPI_ID: "may contain only letters, digits, '_', '.' and '-'",
    DECIMAL: "must be a decimal number with at most 16 digits before the point and 8 after",
    ETAG: 'must be the ETag of the version you read, such as "3" (or *)',
    IDEMPOTENCY_KEY: "must be 1 to 200 visible ASCII characters, e.g. a UUID",
}

PATTERN_CODES: dict[str, str] = {}  # a refusal by one of these patterns keeps the problem code the rule had


def described(pattern: str, meaning: str, code: str | None = None) -> str:
    """A pattern whose refusal tells the caller `meaning` rather than the regular expression (and `code`, if given,
    rather than invalid_request: the code the same rule had when it was only checked after validation)."""
    PATTERN_MEANINGS[pattern] = meaning
    if code is not None:
        PATTERN_CODES[pattern] = code
    return pattern


def ascii_decimal(value: Any) -> Any:
    """A decimal string must match DECIMAL exactly: no other digits, no `_`, no spaces, no exponent.

    A JSON number with a fraction is binary and approximate anyway: it reads as the nearest decimal with at most 8
    places (ADR 0020), so that every number the document allows is taken; a string is exact or refused.
    """
    if isinstance(value, str) and not re.fullmatch(DECIMAL, value, flags=re.ASCII):
        raise ValueError(PATTERN_MEANINGS[DECIMAL])
    if isinstance(value, float) and math.isfinite(value) and abs(value) < 1e16:
        return Decimal(repr(value)).quantize(EIGHT_PLACES, rounding=ROUND_HALF_EVEN).normalize() + 0
    return value


# Documented as what is accepted: a JSON number or a decimal string, at most 16 digits before the point and 8 after.
Amount = Annotated[
    Decimal,
    BeforeValidator(ascii_decimal),
    Field(allow_inf_nan=False, max_digits=24, decimal_places=8),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": -1e16, "exclusiveMaximum": 1e16},
                              {"type": "string", "pattern": DECIMAL}]}),
]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)]
Line = Annotated[str, Field(max_length=200, pattern=SINGLE_LINE)]
Text = Annotated[str, Field(max_length=5000, pattern=MULTI_LINE)]
FilledName = Annotated[str, Field(min_length=1, max_length=200, pattern=FILLED_LINE)]
FilledText = Annotated[str, Field(min_length=1, max_length=5000, pattern=FILLED_TEXT)]


def text_of_at_least(characters: int) -> str:
    """Text whose first and last visible characters are at least `characters` apart, counting both: a rule the
    domain words as "at least so many characters once white space is stripped"."""
    pattern = f"^{ANY_TEXT_CHAR}*{VISIBLE_CHAR}{ANY_TEXT_CHAR}{{{characters - 2},}}{VISIBLE_CHAR}{ANY_TEXT_CHAR}*$"
    return described(pattern, f"must hold at least {characters} characters besides white space around them, "
                              "without control characters other than line breaks and tabs")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def example(body: dict[str, Any]) -> ConfigDict:
    """Unknown fields are refused; the example shows in the docs and seeds the API fuzz tests."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [body]})
