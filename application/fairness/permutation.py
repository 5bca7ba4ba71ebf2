"""Seeded permutation tests with the employee as the unit (ADR 0041): the same seed, the same p-value, anywhere.

Only `random.Random(seed).random()` is used, the one part of the random module whose sequence Python promises to
keep across versions; the draws are a partial Fisher-Yates written here, not `random.shuffle` or `random.sample`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

ROUNDS = 1999  # a group against the rest: p = (1 + as extreme) / (1 + ROUNDS), down to 0.0005 (Holm over 50 groups)
OVERALL_ROUNDS = 999  # across all groups (not adjusted): down to 0.001; each round shuffles every employee
EPSILON = 1e-12  # a permuted statistic this close to the observed one counts as equal (float sums differ in order)


def seeded(text: str) -> random.Random:
    """A generator seeded by the first 8 bytes of SHA-256 of `text` (the report names what it seeds with)."""
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def group_versus_rest(group: Sequence[float], rest: Sequence[float], seed: str, rounds: int = ROUNDS) -> float | None:
    """Two-sided: how often a random split of the employees into groups of these sizes differs in mean by at least
    as much as the observed split. Each round draws the group's members by a partial Fisher-Yates over the pooled
    list (the first `size` swaps), the rest being everyone else. None when either side is empty."""
    if not group or not rest:
        return None
    observed = abs(mean(group) - mean(rest))
    pooled, size, draw = [*group, *rest], len(group), seeded(seed).random
    count, total, extreme = len(pooled), sum(pooled), 0
    for _ in range(rounds):
        chosen = 0.0
        for i in range(size):
            j = i + int(draw() * (count - i))
            pooled[i], pooled[j] = pooled[j], pooled[i]
            chosen += pooled[i]
        if abs(chosen / size - (total - chosen) / (count - size)) >= observed - EPSILON:
            extreme += 1
    return (1 + extreme) / (1 + rounds)


def between_groups(samples: Sequence[Sequence[float]], seed: str, rounds: int = OVERALL_ROUNDS) -> float | None:
    """Across all groups: the between-group sum of squares, employees shuffled among groups of the same sizes.
    Only the employees whose value is not 0 need a place: each round draws their places by a partial Fisher-Yates
    over all places, so a round costs the number of such employees, not of all. None with fewer than two groups."""
    samples = [list(s) for s in samples if s]
    if len(samples) < 2:
        return None
    sizes = [len(s) for s in samples]
    group_of = [g for g, size in enumerate(sizes) for _ in range(size)]
    values = [v for s in samples for v in s if v]
    observed = spread([sum(s) for s in samples], sizes)
    places, draw, count, extreme = list(range(len(group_of))), seeded(seed).random, len(group_of), 0
    for _ in range(rounds):
        sums = [0.0] * len(sizes)
        for i, value in enumerate(values):
            j = i + int(draw() * (count - i))
            places[i], places[j] = places[j], places[i]
            sums[group_of[places[i]]] += value
        if spread(sums, sizes) >= observed - EPSILON:
            extreme += 1
    return (1 + extreme) / (1 + rounds)


def spread(sums: Sequence[float], sizes: Sequence[int]) -> float:
    """The between-group sum of squares from each group's sum and size: sum of S_g^2 / n_g, minus T^2 / N."""
    total, count = sum(sums), sum(sizes)
    return sum(s * s / n for s, n in zip(sums, sizes, strict=True)) - total * total / count
