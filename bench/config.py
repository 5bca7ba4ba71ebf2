"""What a benchmark run measures and how big: the defaults, the quick mode for `make test`, and the 1 M scale point."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Sizes:
    goals: int = 40  # goals per command-throughput run
    readings: int = 22  # KPI readings per goal in that run: 25 commands and 26 events per goal
    small_goal: int = 10  # readings of the small goal in the load benchmark
    large_goal: int = 1000  # readings of the large one
    loads: int = 200  # cold loads timed per sample
    rebuild: int = 100_000  # events in the log a rebuild replays
    memory_low: int = 10_000  # the smaller log of the memory comparison (the larger is `rebuild`)
    requests: int = 3000  # HTTP requests per load-generator run (bounded also by `duration`)
    rate: int = 200  # offered requests per second at the fixed rate
    duration: int = 20  # seconds a load-generator run may last at most
    scale: int = 1_000_000  # events of the --scale-1m point (PostgreSQL)
    lag_rate: int = 50  # KPI readings per second written while `projections run` follows the log
    lag_seconds: int = 10  # how long that steady write load lasts
    big_goal: int = 100_000  # readings of the big goal in the bounded-answers comparison (`--only bounded`)
    soak_minutes: int = 60  # how long the soak lasts (`--only soak`; the hour is for a quiet machine)
    soak_rate: int = 40  # requests per second offered during the soak
    soak_goals: int = 20  # goals the soak's load spreads over
    soak_readings: int = 110  # readings each is seeded with: past the goal answer's bound (100), so it is full

    def with_overrides(self, pairs: list[str]) -> Sizes:
        """Sizes with `name=value` overrides; an unknown name or a bad value is an error naming it."""
        known = {f.name for f in fields(self)}
        changes: dict[str, int] = {}
        for pair in pairs:
            name, _, value = pair.partition("=")
            if name not in known:
                raise ValueError(f"--sizes: unknown size {name!r}; known sizes: {', '.join(sorted(known))}")
            if not value.isdigit() or int(value) <= 0:
                raise ValueError(f"--sizes: {name} must be a positive whole number, not {value!r}")
            changes[name] = int(value)
        return replace(self, **changes)


DEFAULT = Sizes()
QUICK = Sizes(
    goals=3, readings=3, small_goal=10, large_goal=120, loads=10, rebuild=2000, memory_low=500,
    requests=60, rate=100, duration=5, scale=20_000, lag_rate=20, lag_seconds=2, big_goal=1500, soak_minutes=1,
    soak_goals=5,
)
