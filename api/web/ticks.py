"""Round numbers for a chart's value axis (the "nice numbers" of Heckbert, Graphics Gems, 1990).

A step is 1, 2, 2.5 or 5 times a power of ten; the axis runs from a multiple of the step at or below the lowest value
to one at or above the highest, so the ticks cover the data and read 0, 5, 10, 15, 20, never 20.6, 18.8, -1.2. A KPI
counted in whole numbers gets whole steps; an axis of values that are never negative does not dip below zero.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

NICE_MULTIPLES = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
MAX_TICKS = 7


def nice_steps(raw: Decimal, whole: bool) -> Iterator[Decimal]:
    """Round steps of at least `raw`, smallest first (whole numbers of at least 1 when `whole`)."""
    power = Decimal(10) ** raw.adjusted()  # 10^floor(log10(raw)), exact for a Decimal
    while True:
        for multiple in NICE_MULTIPLES:
            step = _plain(multiple * power)
            if step >= raw and (not whole or (step >= 1 and step == step.to_integral_value())):
                yield step
        power *= 10


def nice_ticks(values: Sequence[Decimal], whole: bool = False, wanted: int = 5) -> list[Decimal]:
    """Round ticks from at or below min(values) to at or above max(values): 2 to MAX_TICKS + 1 of them."""
    low, high = min(values), max(values)
    if low == high:  # one value: room around it, not below zero for a value that is not negative
        pad = abs(low) / 10 if low else Decimal(1)
        low, high = (low - pad if low - pad >= 0 or low < 0 else Decimal(0)), high + pad
    for step in nice_steps((high - low) / wanted, whole):
        first = (low / step).to_integral_value(ROUND_FLOOR) * step
        last = (high / step).to_integral_value(ROUND_CEILING) * step
        count = int((last - first) / step)
        if count <= MAX_TICKS:
            return [_plain(first + step * i) for i in range(count + 1)]
    raise AssertionError("unreachable: steps grow without bound")


def is_whole(values: Sequence[Decimal]) -> bool:
    """Every value a whole number: a count (tickets, defects), whose axis shows no fractions."""
    return all(value == value.to_integral_value() for value in values)


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form (20, not 2E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
