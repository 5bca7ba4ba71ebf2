"""Issue #7's targets, each a ratio of two medians from the same run, with why a miss happens and what would move it."""

from __future__ import annotations

from collections.abc import Sequence

from bench.stats import Ratio, Row, at_least, at_most, checked, ratio
import itertools

WHY = {
    "fastest": "the library's fastest set-up shares cached aggregates without copying them and, on PostgreSQL, "
    "inserts without the table lock; goalengine copies the cached goal for every command (safe under the API's "
    "threads) and keeps ids in order for projections (ADR 0001, ADR 0011)",
    "raw": "each command also loads the goal, runs its rules, maps and chains the event and, on PostgreSQL, takes "
    "the table lock: a Python round trip the raw INSERT does not make",
    "rebuild": "the rebuild decodes every event exactly as the replay does, then turns it into JSON-ready records, "
    "folds it into the review state and writes rows; batching bounds the SQL, the per-event Python work remains",
    "p99": "the server cannot sustain this rate: every GET review first catches the review projection up in a "
    "write transaction, which serialises reads with writes (on SQLite the whole database); requests queue, and on "
    "SQLite some fail. Compare the 'goal reads only' row; catching up in the background would move this",
    "load": "a snapshot holds every reading (the review needs them all), so decoding it grows with the readings; "
    "snapshots cut the replay of 1,000 events to the decoding of one state, not to a constant",
    "signing": "each event's Ed25519 signature (tens of microseconds) is a larger share of a command when the store "
    "itself is fast; batching signatures per save or signing a checkpoint instead of each event would move it",
    "memory": "the rebuild streams the log page by page; a growing peak would mean some state kept per event",
}


def _row(rows: Sequence[Row], store: str, name: str) -> Row | None:
    return next((r for r in rows if r.store == store and r.name == name), None)


def _rows_starting(rows: Sequence[Row], store: str, prefix: str, section: str | None = None) -> list[Row]:
    return [r for r in rows if r.store == store and r.name.startswith(prefix) and section in (None, r.section)]


def command_ratios(rows: Sequence[Row], store: str) -> list[Ratio]:
    engine, raw = _row(rows, store, "goalengine"), _row(rows, store, "raw")
    bare = _rows_starting(rows, store, "bare library", section="commands")
    if engine is None or raw is None or not bare:
        return []
    fastest = max(bare, key=lambda r: r.median)
    defaults = _row(rows, store, "bare library (defaults)")
    found = [
        checked(store, f"commands: goalengine / {fastest.name}", ratio(engine, fastest), ">= 1.0",
                lambda v: at_least(v, 1.0), WHY["fastest"]),
        checked(store, "commands: goalengine / raw single-row transactions", ratio(engine, raw), ">= 0.3",
                lambda v: at_least(v, 0.3), WHY["raw"]),
    ]
    if defaults is not None:
        found.append(Ratio(store, "commands: goalengine / bare library (defaults)", ratio(engine, defaults)))
    return found


def load_ratio(rows: Sequence[Row], store: str) -> list[Ratio]:
    cold = sorted(_rows_starting(rows, store, "cold: "), key=lambda r: int(r.name.split()[1]))
    if len(cold) < 2:
        return []
    small, large = cold[0], cold[-1]
    return [checked(store, f"goal load: {large.name} / {small.name}", ratio(large, small), "<= 2.0",
                    lambda v: at_most(v, 2.0), WHY["load"])]


def rebuild_ratios(rows: Sequence[Row], store: str) -> list[Ratio]:
    found = []
    for rebuild in _rows_starting(rows, store, "goalengine rebuild ("):
        size = rebuild.name.rsplit(", ", 1)[1]
        replay = _row(rows, store, f"bare library replay, {size}")
        if replay is not None:
            found.append(checked(store, f"rebuild / bare replay, {size}", ratio(rebuild, replay), ">= 0.5",
                                 lambda v: at_least(v, 0.5), WHY["rebuild"]))
    return found


def memory_ratios(rows: Sequence[Row], store: str) -> list[Ratio]:
    peaks = sorted(_rows_starting(rows, store, "peak RSS, goalengine rebuild"), key=lambda r: _events(r.name))
    found = []
    for smaller, larger in itertools.pairwise(peaks):
        found.append(checked(store, f"rebuild peak RSS: {_size(larger.name)} / {_size(smaller.name)}",
                             ratio(larger, smaller), "<= 1.5", lambda v: at_most(v, 1.5), WHY["memory"]))
    return found


def api_ratios(rows: Sequence[Row], store: str, application_rate: Row | None) -> list[Ratio]:
    found = []
    for p99 in (r for r in rows if r.store == store and r.section == "http" and r.name.endswith("/s: p99")
                and "goal reads only" not in r.name):
        if store == "sqlite":
            found.append(checked(store, f"API {p99.name} (ms)", p99.median, "<= 25 ms",
                                 lambda v: at_most(v, 25.0), WHY["p99"]))
        else:
            found.append(Ratio(store, f"API {p99.name} (ms)", p99.median, "(SQLite only)"))
    writes = _row(rows, store, "writes only at max: throughput")
    if writes is not None and application_rate is not None:
        found.append(Ratio(store, "API writes/s / application commands/s", ratio(writes, application_rate)))
    return found


def audit_ratios(rows: Sequence[Row], store: str) -> list[Ratio]:
    on, off = _row(rows, store, "commands, signing on"), _row(rows, store, "commands, signing off")
    if on is None or off is None:
        return []
    return [checked(store, "commands: signing on / signing off", ratio(on, off), ">= 0.8",
                    lambda v: at_least(v, 0.8), WHY["signing"])]


def all_ratios(rows: Sequence[Row], stores: Sequence[str]) -> list[Ratio]:
    found: list[Ratio] = []
    for store in stores:
        found += command_ratios(rows, store)
        found += load_ratio(rows, store)
        found += rebuild_ratios(rows, store)
        found += memory_ratios(rows, store)
        found += api_ratios(rows, store, _row(rows, store, "goalengine"))
        found += audit_ratios(rows, store)
    return found


def _size(name: str) -> str:
    return name.rsplit(", ", 1)[1]


def _events(name: str) -> float:
    size = _size(name)
    return float(size[:-1]) * (1_000_000 if size.endswith("M") else 1000)
