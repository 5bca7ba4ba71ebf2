"""Seeded permutation tests with the employee as the unit (ADR 0041): the same seed, the same p-value, anywhere.

Only `random.Random(seed).random()` is used, the one part of the random module whose sequence Python promises to
keep across versions; the shuffle is a plain Fisher-Yates written here, not `random.shuffle`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

ROUNDS = 1999  # p = (1 + as extreme) / (1 + ROUNDS): a resolution of 0.0005
EPSILON = 1e-12  # a permuted statistic this close to the observed one counts as equal (float sums differ in order)


def seeded(text: str) -> random.Random:
    """A generator seeded by the first 8 bytes of SHA-256 of `text` (the report names what it seeds with)."""
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def shuffle(values: list[float], rng: random.Random) -> None:
    """Fisher-Yates, drawing only rng.random()."""
    for i in range(len(values) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        values[i], values[j] = values[j], values[i]


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def group_versus_rest(group: Sequence[float], rest: Sequence[float], seed: str, rounds: int = ROUNDS) -> float | None:
    """Two-sided: how often a random split of the employees into groups of these sizes differs in mean by at least
    as much as the observed split. None when either side is empty."""
    if not group or not rest:
        return None
    observed = abs(mean(group) - mean(rest))
    pooled, size, rng = [*group, *rest], len(group), seeded(seed)
    extreme = 0
    for _ in range(rounds):
        shuffle(pooled, rng)
        if abs(mean(pooled[:size]) - mean(pooled[size:])) >= observed - EPSILON:
            extreme += 1
    return (1 + extreme) / (1 + rounds)


def between_groups(samples: Sequence[Sequence[float]], seed: str, rounds: int = ROUNDS) -> float | None:
    """Across all groups: the between-group sum of squares, employees shuffled among groups of the same sizes.
    None with fewer than two non-empty groups."""
    samples = [list(s) for s in samples if s]
    if len(samples) < 2:
        return None
    pooled = [v for s in samples for v in s]
    sizes = [len(s) for s in samples]
    observed, rng, extreme = spread(pooled, sizes), seeded(seed), 0
    for _ in range(rounds):
        shuffle(pooled, rng)
        if spread(pooled, sizes) >= observed - EPSILON:
            extreme += 1
    return (1 + extreme) / (1 + rounds)


def spread(pooled: Sequence[float], sizes: Sequence[int]) -> float:
    """Sum over groups of size x (group mean - grand mean)^2, the groups being consecutive slices of `pooled`."""
    grand, total, start = mean(pooled), 0.0, 0
    for size in sizes:
        total += size * (mean(pooled[start:start + size]) - grand) ** 2
        start += size
    return total
