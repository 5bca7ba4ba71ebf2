"""A copy of a cached goal for one command: every mutable container fresh, every immutable value shared.

The library deep-copies a cached aggregate for each caller, so a command that fails halfway cannot corrupt the
cache. A goal is mostly frozen value objects (readings, KPIs, signatures) that a deep copy rebuilds one by one;
sharing them is safe because nothing can change them, and it makes the copy several times cheaper (ADR 0011).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import decimal
import enum
import functools
import uuid
from typing import Any, TypeVar

T = TypeVar("T")

IMMUTABLE_TYPES = (
    str, int, float, bool, bytes, type(None), decimal.Decimal, datetime.date, datetime.time, datetime.timedelta,
    uuid.UUID, enum.Enum, frozenset,
)


def fresh_copy(aggregate: T) -> T:
    """Equal to copy.deepcopy(aggregate) for every purpose but identity of values that cannot change."""
    duplicate = object.__new__(type(aggregate))
    duplicate.__dict__.update({name: _fresh(value) for name, value in vars(aggregate).items()})
    return duplicate


def _fresh(value: Any) -> Any:
    if isinstance(value, IMMUTABLE_TYPES):
        return value
    kind = type(value)
    if kind is list:
        return [_fresh(item) for item in value]
    if kind is dict:
        return {key: _fresh(item) for key, item in value.items()}
    if kind is tuple:
        return tuple(_fresh(item) for item in value)
    if _is_frozen_value(value):
        return value
    return copy.deepcopy(value)


def _is_frozen_value(value: Any) -> bool:
    """A frozen dataclass whose fields are all immutable (a frozen dataclass may still hold a list)."""
    kind: type = type(value)
    names = _frozen_field_names(kind)
    return names is not None and all(_is_immutable(getattr(value, name)) for name in names)


@functools.cache
def _frozen_field_names(kind: type) -> tuple[str, ...] | None:
    params = getattr(kind, "__dataclass_params__", None)
    if params is None or not params.frozen:
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


def _is_immutable(value: Any) -> bool:
    if isinstance(value, IMMUTABLE_TYPES):
        return True
    if type(value) is tuple:
        return all(_is_immutable(item) for item in value)
    return _is_frozen_value(value)
