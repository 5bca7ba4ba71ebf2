"""The registry of personal text is complete: every text field named like free text is sealed or says why not.

When this fails for a new event, add its topic and field to PERSONAL_FIELDS in application/privacy/registry.py (or,
if the text is not personal, to EXEMPT with the reason).
"""

from __future__ import annotations

import re
import typing
from typing import Any

from application.events.catalogue import EVENT_CLASSES
from application.privacy.registry import EXEMPT, PERSONAL_FIELDS, SUBJECT_FIELDS

FREE_TEXT = re.compile(r"note|summary|reason|text|justification|rationale|description|blockers|next_steps|comment")
TOPICS = {cls.TOPIC for cls in EVENT_CLASSES}


def holds_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    return any(holds_text(argument) for argument in typing.get_args(annotation))


def test_every_text_field_named_like_free_text_is_registered_or_exempt() -> None:
    missing = [
        f"{cls.TOPIC}.{name}"
        for cls in EVENT_CLASSES
        for name, annotation in typing.get_type_hints(cls).items()
        if FREE_TEXT.search(name) and holds_text(annotation)
        and name not in {p.split(".")[0] for p in PERSONAL_FIELDS.get(cls.TOPIC, ())}
        and (cls.TOPIC, name) not in EXEMPT
    ]
    assert missing == [], "personal free text neither sealed nor exempt: register it in application/privacy/registry.py"


def test_the_registry_names_only_events_and_fields_that_exist() -> None:
    assert set(PERSONAL_FIELDS) | set(SUBJECT_FIELDS) | {topic for topic, _ in EXEMPT} <= TOPICS
    by_topic = {cls.TOPIC: typing.get_type_hints(cls) for cls in EVENT_CLASSES}
    unknown = [f"{t}.{p}" for t, paths in PERSONAL_FIELDS.items() for p in paths if p.split(".")[0] not in by_topic[t]]
    assert unknown == []
    assert [f"{t}.{f}" for t, f in SUBJECT_FIELDS.items() if f not in by_topic[t]] == []
