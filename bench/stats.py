"""Medians, spreads and ratios of repeated measurements."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    """One measured quantity on one store: the median of its runs and their spread (min to max)."""

    section: str
    store: str
    name: str
    unit: str
    samples: tuple[float, ...]
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "samples": list(self.samples), "median": self.median, "min": self.low, "max": self.high}


@dataclass(frozen=True)
class Ratio:
    """A ratio of two medians from the same run, optionally checked against a target."""

    store: str
    name: str
    value: float
    target: str = ""
    passed: bool | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def ratio(numerator: Row, denominator: Row) -> float:
    return numerator.median / denominator.median if denominator.median else float("nan")


def at_least(value: float, bound: float) -> bool:
    return value >= bound


def at_most(value: float, bound: float) -> bool:
    return value <= bound


def checked(store: str, name: str, value: float, target: str, check: Callable[[float], bool], why: str) -> Ratio:
    """A ratio against its target; the note says why it was missed (or is empty when it passed)."""
    passed = check(value)
    return Ratio(store, name, value, target, passed, "" if passed else why)


def rate(count: int, seconds: Sequence[float]) -> tuple[float, ...]:
    """Per-second rates of `count` operations for each run's duration."""
    return tuple(count / s for s in seconds)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (no interpolation: a p99 of 1,000 samples is the 990th)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]
