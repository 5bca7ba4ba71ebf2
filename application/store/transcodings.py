"""How event and snapshot values become JSON: dates, enums in value objects, and freezegun's fake types."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from domain import stored
from domain.readings import CountedReadings
from domain.recalibration import Changes, MilestoneMove, Recalibration, Side, TargetChange
from domain.terms import GoalTerms
from domain.values import Cycle, Kpi, Measurement, Milestone, ProposedMilestone, Signature


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ValueObjectAsDict(Transcoding):
    """A domain dataclass as a dict of its fields; enum fields are restored on the way back."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = f"goalengine.{cls.__name__}"

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        enums, tuples = _enum_fields(self.type), _tuple_fields(self.type)
        return self.type(**{k: _field_value(v, enums.get(k), k in tuples) for k, v in data.items()})


def _field_value(value: Any, enum: type[StrEnum] | None, is_tuple: bool) -> Any:
    # Enum strings in snapshots are read through the stored vocabulary, never today's enum values.
    if enum is not None and value is not None:
        return stored.read(enum, value)
    if is_tuple and isinstance(value, list):
        return tuple(value)
    return value


@cache
def _enum_fields(cls: type[Any]) -> dict[str, type[StrEnum]]:
    hints = typing.get_type_hints(cls)
    found = {}
    for name, hint in hints.items():
        candidates = typing.get_args(hint) or (hint,)
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, StrEnum):
                found[name] = candidate
    return found


@cache
def _tuple_fields(cls: type[Any]) -> set[str]:
    return {name for name, hint in typing.get_type_hints(cls).items() if typing.get_origin(hint) is tuple}


class GoalTranscoder(JSONTranscoder):
    """Matches a value to a transcoding by its class or the nearest registered base class.

    The library matches exact types only, so freezegun's FakeDatetime (a datetime subclass) would fail to save.
    """

    def _encode_obj(self, o: Any) -> dict[str, Any]:
        for cls in type(o).__mro__:
            transcoding = self.types.get(cls)
            if transcoding is not None:
                return {"_type_": transcoding.name, "_data_": transcoding.encode(o)}
        raise TranscodingNotRegisteredError(f"Object of type {type(o)} is not serializable")


class CountedReadingsAsDict(Transcoding):
    """A goal's counted readings: plain JSON per KPI and day, and the latest reading of each KPI."""

    type = CountedReadings
    name = "goalengine.CountedReadings"

    def encode(self, obj: CountedReadings) -> dict[str, Any]:
        return obj.to_stored()

    def decode(self, data: dict[str, Any]) -> CountedReadings:
        return CountedReadings.from_stored(data)


def goal_transcoder() -> GoalTranscoder:
    transcoder = GoalTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO(), CountedReadingsAsDict()):
        transcoder.register(transcoding)
    value_classes = (Cycle, Kpi, Milestone, Measurement, Signature, ProposedMilestone, GoalTerms, TargetChange,
                     MilestoneMove, Changes, Side,
                     Recalibration)
    for value_class in value_classes:
        transcoder.register(ValueObjectAsDict(value_class))
    return transcoder
