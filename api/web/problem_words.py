"""Problems in the words a person reads: each field error as a sentence (never the validation library's "Input
should be…" or "Value error, …"), each refusal without the ids, role codes or address parts the API's detail carries.

The JSON API keeps its own messages and codes; only the pages say them this way (issue 25, item 7).
"""

from __future__ import annotations

import re
from typing import Any

from api.schemas.common import DECIMAL, FILLED_LINE, FILLED_TEXT, KPI_ID, MULTI_LINE, PATTERN_MEANINGS, SINGLE_LINE

NUMBER = "Give a number, such as 17 or 17.5."
FILL_IN = "Please fill this in."
PATTERN_SENTENCES = {  # the API's own patterns (api.schemas.common), said as what to do
    DECIMAL: NUMBER,
    SINGLE_LINE: "Keep this to one line, without tabs or other special characters.",
    MULTI_LINE: "Remove the special characters from this text: only letters, digits, punctuation, tabs and line "
                "breaks can be kept.",
    FILLED_LINE: FILL_IN,
    FILLED_TEXT: FILL_IN,
    KPI_ID: "Use only letters, digits and the characters . - and _ here.",
}
UNFORMED = "This does not have the form this field takes: check it against the hint beside it."
NUMBER_TYPES = ("decimal", "float", "int", "finite_number")
DATE_SENTENCE = "Give a date, such as 2026-11-03."
MOMENT_SENTENCE = "Give a date and a time, such as 2026-11-03 09:30."
# A query parameter the page's address lacks or cannot read: the person followed a broken or edited link.
QUERY_SENTENCES = {
    "cycle": "This page shows one review cycle, and its address names none. Open it from a link in the workspace.",
    "as_of": "The moment to show is not a date and a time, such as 2026-11-03T09:30.",
}
LABELS = {"kpis": "KPIs", "observed_at": "date", "kpi": "KPI", "owner_id": "owner", "manager_id": "manager",
          "cycle_id": "cycle", "aligned_to": "objective", "override_reason": "reason for another band",
          "org_unit": "organisational unit", "id": "short name"}


def field_sentence(item: dict[str, Any]) -> str:
    """One validation error (pydantic's `type`, `loc`, `ctx`, `msg`) as a sentence saying what to give instead."""
    kind, ctx = str(item.get("type", "")), item.get("ctx") or {}
    location = [str(part) for part in item.get("loc", ())]
    if location[:1] == ["query"] and len(location) > 1 and location[1] in QUERY_SENTENCES:
        return QUERY_SENTENCES[location[1]]
    if kind == "missing":
        return FILL_IN if location[:1] != ["query"] else f"The address of this page lacks its {label(location)}."
    if kind == "value_error":
        return message_sentence(str(ctx.get("error", item.get("msg", ""))).removeprefix("Value error, "))
    if kind == "string_pattern_mismatch":
        return pattern_sentence(str(ctx.get("pattern", "")))
    return _by_kind(kind, ctx) or UNFORMED  # never the library's own words: they name its types and classes


UNION_MEMBER = re.compile(r".*[\[(].*|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|str|int|float|decimal|bool|none|list|dict"
                          r"|constrained-\w+|lax-or-strict|json-or-python|nullable|tagged-union")


def error_path(location: tuple[Any, ...] | list[Any]) -> str:
    """Where a validation error is, without the union members pydantic tried ("RangeTarget", "function-after[…]",
    "CycleBody"), so that targets.csat finds its field whichever member refused it."""
    parts = [str(part) for part in location]
    return ".".join(parts[:1] + [part for part in parts[1:] if not UNION_MEMBER.fullmatch(part)])


def message_for(path: str, message: str) -> str:
    """An error the API words itself (path: message) as the page says it."""
    parts = path.split(".")
    if parts[0] == "query" and len(parts) > 1 and parts[1] in QUERY_SENTENCES:
        return QUERY_SENTENCES[parts[1]]
    return message_sentence(message)


def _by_kind(kind: str, ctx: dict[str, Any]) -> str | None:
    if kind == "string_too_short":
        least = int(ctx.get("min_length", 1))
        return FILL_IN if least <= 1 else f"Write at least {least} characters."
    if kind == "string_too_long":
        return f"Keep this to at most {ctx.get('max_length')} characters."
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        return f"Give {'at least' if kind == 'too_short' else 'at most'} {bound} of these."
    if kind in ("enum", "literal_error"):
        return f"Choose {choices(str(ctx.get('expected', '')))}."
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        relation = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than",
                    "less_than_equal": "at most"}[kind]
        bound = next(iter(v for k, v in ctx.items() if k in ("gt", "ge", "lt", "le")), "")
        return f"Give a number {relation} {bound}."
    if kind.startswith(NUMBER_TYPES):
        return NUMBER
    if kind == "date_from_datetime_inexact":
        return "Give a date without a time of day, such as 2026-11-03."
    if kind.startswith("datetime"):
        return MOMENT_SENTENCE
    if kind.startswith("date"):
        return DATE_SENTENCE
    if kind.startswith("uuid"):
        return "Choose one of the entries the page offers."
    if kind.startswith("bool"):
        return "Choose yes or no."
    return None


def choices(expected: str) -> str:
    """pydantic's "'increase', 'decrease' or 'range'" as "increase, decrease or range"."""
    return re.sub(r"'([^']*)'", lambda found: found.group(1).replace("_", " "), expected)


def pattern_sentence(pattern: str) -> str:
    if pattern in PATTERN_SENTENCES:
        return PATTERN_SENTENCES[pattern]
    return message_sentence(PATTERN_MEANINGS.get(pattern, "does not have the form this field takes"))


def message_sentence(message: str) -> str:
    """A message of the API or the domain as a sentence: "must be …" becomes "This must be …."."""
    if message == PATTERN_MEANINGS[DECIMAL]:
        return NUMBER
    least = re.match(r"must hold at least (\d+) characters besides white space", message)
    if least:
        return f"Write at least {least.group(1)} characters."
    return sentence(message)


SUBJECTLESS = re.compile(r"^(must|may|is|are|takes|cannot|should|has|needs|does)\b")


def sentence(text: str) -> str:
    """Capitalised, ending with a full stop; a message that starts with its verb gets "This" as its subject."""
    text = text.strip()
    if not text:
        return ""
    if SUBJECTLESS.match(text):
        text = f"This {text}"
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "”", "…", '"')) else f"{text}."


def label(location: list[str] | str) -> str:
    """Where a field error is, as the person knows the field: body.kpis.0.baseline -> KPI 1, baseline."""
    parts = location.split(".") if isinstance(location, str) else list(location)
    parts = [p for p in parts if p not in ("body", "query", "path")]
    if parts[:1] == ["targets"]:  # targets.<kpi>: the proposal's one new target
        return "new target"
    said: list[str] = []
    for index, part in enumerate(parts):
        if part.isdigit() and index and parts[index - 1] == "kpis":
            said[-1] = f"KPI {int(part) + 1},"
        else:
            said.append(LABELS.get(part, part.replace("_", " ")))
    return " ".join(said).rstrip(",") or "the form"


def fields_detail(sentences: dict[str, str]) -> str:
    """The problem box above a form: each field's sentence after its name."""
    return " ".join(said if path.startswith("query.") else f"{label(path)[:1].upper()}{label(path)[1:]}: {said}"
                    for path, said in sentences.items())


# Refusals whose API detail names ids (goals, people, disputes) or speaks of tokens: what the page says instead.
CODE_SENTENCES = {
    "goal_not_found": "This goal does not exist or is not yours to see.",
    "review_not_allowed": "You may not see this person's review.",
    "review_not_found": "There is no review of this person in this cycle that you may see.",
    "goal_closed": "This goal is closed: it takes no further change.",
    "goal_not_draft": "This goal is no longer a draft, so this can no longer be done.",
    "goal_not_agreed": "This goal is not agreed, so this cannot be done now.",
    "already_signed": "You have signed these terms already.",
    "stale_version": "The terms changed since you opened the page. Read them again, then sign.",
    "version_mismatch": "Someone changed this goal since you opened the page. Reload it, check the change, then try "
                        "again.",
    "four_eyes_violation": "A second person must decide this: nobody decides on their own goal or review, nor on a "
                           "change they proposed or a decision they made.",
    "csrf_failed": "This form has expired or did not come from this page. Reload the page and try again.",
    "dispute_open": "A dispute of this review waits for HR's resolution.",
    "review_settled": "This review is settled: it takes no further step.",
    "review_not_decided": "No band has been decided for this review yet.",
    "not_released": "HR has not released the ratings of this cycle yet: the decision can be answered once they are.",
}
UUID_TEXT = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
QUOTED = re.compile(r"(?<![A-Za-z])'[^']+'")  # 'emp-dev', not the apostrophe of "cycle's"
NOT_WHO = re.compile(r",? not (?:an? )?[a-z_]+ '[^']*'$")  # "…, not employee 'emp-dev'": the refused person is you


def refusal_sentence(code: str, detail: str) -> str:
    """What a page says for a refusal: a sentence of its own for the codes whose detail names ids, else the detail
    as a sentence (any goal id in it said as "this goal")."""
    if code == "goal_not_found" and "drafted later" in detail:
        return "This goal had not been drafted yet at that moment."
    if code in CODE_SENTENCES:
        return CODE_SENTENCES[code]
    if code == "not_a_party":
        doing = re.search(r"only they (.+)$", detail)
        return sentence(f"only the goal's owner and manager {doing.group(1) if doing else 'take this step'}")
    if code in ("permission_denied", "role_not_allowed"):
        detail = NOT_WHO.sub("", detail)
        if QUOTED.search(detail) or detail.startswith("role "):  # still naming a person or a role code
            return "This is not open to you."
    return sentence(UUID_TEXT.sub("this goal", detail))
