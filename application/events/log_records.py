"""The event log as JSON-ready records, decoded straight from the stored JSON (issue #12, item 5).

Projections need each event as an `EventRecord` (application/events/serialization.py): decimals, dates and datetimes as
strings. Decoding a stored event into a domain event and then walking it back into that form did the work twice;
here the stored JSON is parsed once, with each transcoded leaf turned straight into its JSON-ready string. An event
the fast path cannot reproduce exactly (one stored before its class's current version, which must be upcast, or a
value of a type it does not know) goes the long way, through the mapper, so both paths give the same record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache, partial
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from application.audit.read_check import readable_page
from application.audit.chain import LEGACY_CHAIN_KEY
from application.audit.leaf import SIG_KEY
from application.goals.service import Goals
from application.privacy.keys import DataKeys
from application.privacy.sealing import PERSONAL_TEXT, open_text
from application.events.serialization import META_FIELDS, EventRecord, type_name

# Transcoded leaves and their JSON-ready form: exactly what jsonable() makes of the decoded value.
JSON_READY: dict[str, Callable[[Any], Any]] = {
    "decimal_str": str,  # str(Decimal(s)) == s for what str(Decimal) wrote
    "datetime_iso": str,  # datetime.fromisoformat(s).isoformat() == s for what isoformat() wrote
    "date_iso": str,
    "uuid_hex": lambda data: str(UUID(data)),
}
DROPPED = {*META_FIELDS, "class_version", SIG_KEY, LEGACY_CHAIN_KEY}


class _LongWay(Exception):  # noqa: N818 (a signal to take the slow path, not an error)
    """This event needs the mapper (an upcast, or a value type the fast path does not know)."""


def _leaf(ready: dict[str, Callable[[Any], Any]], obj: dict[str, Any]) -> Any:
    if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
        convert = ready.get(obj["_type_"])
        if convert is None:
            raise _LongWay
        return convert(obj["_data_"])
    return obj


_DECODERS: WeakKeyDictionary[DataKeys, json.JSONDecoder] = WeakKeyDictionary()


def _decoder(keys: DataKeys) -> json.JSONDecoder:
    """The decoder of one store: sealed personal text opens with its data keys, or reads as erased (ADR 0026)."""
    decoder = _DECODERS.get(keys)
    if decoder is None:
        ready: dict[str, Callable[[Any], Any]] = {**JSON_READY, PERSONAL_TEXT: partial(open_text, keys)}
        decoder = _DECODERS[keys] = json.JSONDecoder(object_hook=partial(_leaf, ready))
    return decoder



@cache
def _event_class(topic: str) -> tuple[str, int]:
    cls = resolve_topic(topic)
    return type_name(cls), int(getattr(cls, "class_version", 1))


def record_of(goals: Goals, notification: Notification) -> EventRecord:
    """The notification as a record; the same record EventRecord.of(decoded event) gives."""
    name, class_version = _event_class(notification.topic)
    check = getattr(goals.mapper, "read_check", None)
    if check is not None:
        check(notification)  # a record is served too: held to its signature chain first (ADR 0038)
    try:
        state = _decoder(goals.data_keys).decode(notification.state.decode("utf8"))
        if state.get("class_version", 1) != class_version:
            raise _LongWay
    except _LongWay:
        event = goals.mapper.to_domain_event(notification)
        return EventRecord.of(event, notification.id)  # type: ignore[arg-type]
    # Built as the library builds its events (fields straight into __dict__): a frozen dataclass's __init__ costs
    # a setattr per field, which at a rebuild's rate of events shows.
    envelope = {name: state.pop(name, None) for name in ("timestamp", "actor_id", "actor_role")}
    for dropped in DROPPED:
        state.pop(dropped, None)
    record = object.__new__(EventRecord)
    object.__setattr__(record, "__dict__", {
        "goal_id": str(notification.originator_id),
        "version": notification.originator_version,
        "type": name,
        "timestamp": envelope["timestamp"],
        "actor_id": envelope["actor_id"],
        "actor_role": envelope["actor_role"],
        "data": state,
        "position": notification.id,
    })
    return record


def log_records(goals: Goals, after: int = 0, until: int | None = None, page_size: int = 500) -> Iterator[EventRecord]:
    """Goal events in log order as records with their positions, after one position and up to another (inclusive)."""
    position = after
    while True:
        page = readable_page(goals.recorder, position, page_size, stop=until, inclusive_of_start=False)
        for notification in page:
            yield record_of(goals, notification)
        if len(page) < page_size:
            return
        position = page[-1].id

