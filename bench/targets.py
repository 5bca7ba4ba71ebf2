"""Issue #7's and #12's targets, each a ratio of two medians from the same run,
with why a miss happens and what would move it."""

from __future__ import annotations

from collections.abc import Sequence

from bench import bounded, soak
from bench.stats import Ratio, Row, at_least, at_most, checked, ratio
import itertools

WHY = {
    "fastest": "the library's fastest set-up shares cached aggregates without copying them and, on PostgreSQL, "
    "inserts without the table lock; goalengine copies the cached goal for every command (safe under the API's "
    "threads) and keeps ids in order for projections (ADR 0001, ADR 0011)",
    "raw": "each command also loads the goal, runs its rules, maps and chains the event and, on PostgreSQL, takes "
    "the table lock: a Python round trip the raw INSERT does not make",
    "rebuild": "the rebuild reads and decodes every event as the replay does (straight into JSON-ready records), "
    "then folds each into its goal's review state and writes the states of each batch; the fold and the row "
    "writes are the remaining per-event work",
    "p99": "a default read waits for the background projector to pass the head it saw on arrival (a round after the "
    "last write); the 12 request threads and the projector share one interpreter lock, and on SQLite the writes "
    "queue for the one writer; readers that pass their own token, or a second core per process, would move it",
    "cpu": "what is left per request: routing, dependency solving, pydantic validation and serialisation, the "
    "command or the read, the log line; `python -m bench --only http --profile` says where it goes",
    "failed": "under the offered rate some requests timed out or found the store busy (503, nothing applied)",
    "anchor": "each goalengine request does more than the anchor's single row: a write loads the goal (cache, one "
    "fast-forward query), runs its rules, chains and stores the event, then answers with the goal; a read checks "
    "visibility on the loaded goal; a review read waits for the projector",
    "writes": "an API write is one command (one goal load) plus the HTTP work (the anchor app's whole request costs "
    "about 1 ms of server CPU), the answer with the goal's readings and the projector round it wakes (the goal's "
    "review state folded and written again), on 12 threads sharing one interpreter lock and, on SQLite, one "
    "writer; the application's commands run alone in one thread",
    "lag": "on SQLite the projector sees another process's writes at its next look at the head (every 50 ms); on "
    "PostgreSQL each commit wakes it; then a round applies what it finds in one transaction",
    "load": "the snapshot holds per KPI the counted version of each day with a reading (ADR 0028): bounded by the "
    "cycle's days, not the readings, but 1,000 readings over a year still fill most of its days",
    "signing": "each event's Ed25519 signature (tens of microseconds) is a larger share of a command when the store "
    "itself is fast; batching signatures per save or signing a checkpoint instead of each event would move it",
    "privacy": "each text field costs an AES-GCM seal on write and an open on read (microseconds), and the first "
    "use of a person's key a lookup and an unwrap; the share grows as the store itself gets faster",
    "reads": "a first read checks each event's read seal (a keyed BLAKE2b of its bytes, ADR 0050) read with the "
    "events in one query; an event without one costs an Ed25519 check (hundreds of microseconds under load)",
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


HALF = "80/20 mix at half capacity"


LOADS = ("80/20 mix at max", HALF, "writes only at max")
CPU_PER_REQUEST = 2.0  # ms of server CPU per request (issue 26; the anchor's is about 1)


def api_ratios(rows: Sequence[Row], store: str, application_rate: Row | None) -> list[Ratio]:
    found = _latency_and_failures(rows, store)
    capacity, anchor = _row(rows, store, "80/20 mix at max: throughput"), _anchor(rows, store)
    if capacity is not None and anchor is not None:
        found.append(checked(store, "API 80/20 capacity / anchor app's", ratio(capacity, anchor), ">= 0.6",
                             lambda v: at_least(v, 0.6), WHY["anchor"]))
    writes = _row(rows, store, "writes only at max: throughput")
    if writes is not None and application_rate is not None:
        found.append(checked(store, "API writes/s / application commands/s", ratio(writes, application_rate),
                             ">= 0.3", lambda v: at_least(v, 0.3), WHY["writes"]))
    cpu = _row(rows, store, "80/20 mix at max: server CPU")
    if cpu is not None:
        found.append(checked(store, "API server CPU per request, 80/20 at max (ms)", cpu.median,
                             f"<= {CPU_PER_REQUEST:g} ms", lambda v: at_most(v, CPU_PER_REQUEST), WHY["cpu"]))
    workers = _row(rows, store, "2 workers: 80/20 mix at max: throughput")
    if workers is not None and capacity is not None:
        found.append(Ratio(store, "API 80/20 capacity: 2 workers / 1", ratio(workers, capacity)))
    anchor_workers = _row(rows, store, "anchor app, 2 workers: 80/20 mix at max: throughput")
    if workers is not None and anchor_workers is not None:
        found.append(Ratio(store, "API 80/20 capacity, 2 workers / anchor app's, 2 workers",
                           ratio(workers, anchor_workers)))
    return found


def _latency_and_failures(rows: Sequence[Row], store: str) -> list[Ratio]:
    """p99 of reads and of writes at half capacity (on both stores), and no failed request in any load."""
    found = []
    for kind, bound in (("reads", 25.0), ("writes", 50.0)):
        p99 = _row(rows, store, f"{HALF}: p99 {kind}")
        if p99 is not None:
            found.append(checked(store, f"API {HALF}: p99 of {kind} (ms)", p99.median, f"<= {bound:g} ms",
                                 lambda v, b=bound: at_most(v, b), WHY["p99"]))
    failures = [max(row.samples) for load in LOADS if (row := _row(rows, store, f"{load}: failed")) is not None]
    if failures:
        found.append(checked(store, "API failed requests (worst run of any load)", max(failures), "== 0",
                             lambda v: v == 0, WHY["failed"]))
    return found


def audit_ratios(rows: Sequence[Row], store: str) -> list[Ratio]:
    on, off = _row(rows, store, "commands, signing on"), _row(rows, store, "commands, signing off")
    if on is None or off is None:
        return []
    return [checked(store, "commands: signing on / signing off", ratio(on, off), ">= 0.8",
                    lambda v: at_least(v, 0.8), WHY["signing"])]


def read_check_ratios(rows: Sequence[Row], store: str) -> list[Ratio]:
    """Issue 23: commands and reads with read checks on stay at or above 0.8x the same with them off."""
    found = []
    for what in ("commands", "first reads", "cold reads", "warm reads"):
        on, off = _row(rows, store, f"{what}, read checks on"), _row(rows, store, f"{what}, read checks off")
        if on is not None and off is not None:
            found.append(checked(store, f"{what}: read checks on / off", ratio(on, off), ">= 0.8",
                                 lambda v: at_least(v, 0.8), WHY["reads"]))
    return found


def privacy_ratios(rows: Sequence[Row], store: str) -> list[Ratio]:
    """What sealing personal text costs (ADR 0026): informative, no target of the issues'."""
    found = []
    for what in ("commands", "rebuild"):
        sealed, clear = _row(rows, store, f"{what}, text sealed"), _row(rows, store, f"{what}, text in the clear")
        if sealed is not None and clear is not None:
            found.append(Ratio(store, f"{what}: text sealed / in the clear", ratio(sealed, clear),
                               note=WHY["privacy"]))
    return found


def _anchor(rows: Sequence[Row], store: str) -> Row | None:
    return next((r for r in rows if r.store == store and r.name.startswith("anchor app")
                 and "2 workers" not in r.name and r.name.endswith(": throughput")), None)


def lag_ratios(rows: Sequence[Row], store: str) -> list[Ratio]:
    p95 = _row(rows, store, "review view lag: p95")
    if p95 is None:
        return []
    return [checked(store, "review view lag behind 50 writes/s: p95 (ms)", p95.median, "<= 100 ms",
                    lambda v: at_most(v, 100.0), WHY["lag"])]


def all_ratios(rows: Sequence[Row], stores: Sequence[str]) -> list[Ratio]:
    found: list[Ratio] = []
    for store in stores:
        found += command_ratios(rows, store)
        found += load_ratio(rows, store)
        found += rebuild_ratios(rows, store)
        found += memory_ratios(rows, store)
        found += api_ratios(rows, store, _row(rows, store, "goalengine"))
        found += audit_ratios(rows, store)
        found += lag_ratios(rows, store)
        found += privacy_ratios(rows, store)
        found += read_check_ratios(rows, store)
        found += bounded.ratios(list(rows), store) + soak.ratios(list(rows), store)
    return found


def _size(name: str) -> str:
    return name.rsplit(", ", 1)[1]


def _events(name: str) -> float:
    size = _size(name)
    return float(size[:-1]) * (1_000_000 if size.endswith("M") else 1000)
