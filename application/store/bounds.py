"""The bound of every in-memory cache, in one place (ADR 0045)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from application.store.errors import SettingsError

MOST_GOAL_MEASUREMENTS = 10_000  # what GOALENGINE_GOAL_MEASUREMENTS may ask for: an answer stays a few MB at most


@dataclass(frozen=True)
class Bounds:
    """Every in-memory cache's bound, in one place (ADR 0045): each counts entries whose own size is bounded, so no
    cache grows with a goal's history or with the people met. tests/application/test_bounded_caches.py fills each
    past its bound. (Review and notifier states are rows, not caches: bounded by days per goal, ADR 0044.)"""

    goal_measurements: int = 100  # readings in a goal's answer (the latest); the rest is paged (ADR 0044)
    reading_series_goals: int = 1000  # goals whose bounded readings are cached (application/goals/readings.py)
    data_keys: int = 100_000  # opened data keys kept, 32 bytes each, and people's active key ids (privacy/keys.py)
    data_key_ciphers: int = 1024  # of those, opened as ciphers (each holds OpenSSL state)
    data_subjects: int = 100_000  # aggregates' people, for sealing their text (application/privacy/personal.py)
    goal_write_turns: int = 256  # locks writes to one goal take turns on, a goal's chosen by its id (goals/turns.py)
    chain_heads: int = 10_000  # aggregates' last signatures, and links pending in a save (application/audit/chain.py)
    # Stored events whose signature check is remembered (the SHA-256 of their bytes, application/audit/read_check.py):
    # about 450 bytes an entry with its key (measured with tracemalloc, issue 28 soak), so about 4.5 MiB when full. A
    # row missed here costs one read-seal MAC (ADR 0050), not an Ed25519 check; at 200,000 the memo grew by a
    # reading's worth every reading for hours, most of a soak's remaining slope (ADR 0053).
    checked_events: int = 10_000
    replay_heads: int = 10_000  # per thread: goals whose last checked signature a replay keeps (read_check.py)
    # Read seals (ADR 0050, application/audit/read_seals.py): per thread, the goals whose stored seals are kept after
    # one read (each at most seal_rows.FETCH_LIMIT seals of 32 bytes: a replay from a snapshot needs the interval);
    # seals of events signed here waiting for their save (left only by saves that failed); seals of events checked on
    # reading, queued for the next save and written on their own at this many.
    fetched_seal_goals: int = 100
    fresh_seals: int = 10_000
    queued_seals: int = 500
    # Pages each SQLite connection keeps (PRAGMA cache_size), in KiB: SQLite's default is 2,000; a process opens at
    # most 30 connections (the event store's pool and the engine's, 5 + 10 each), so at most 15 MiB (ADR 0053).
    sqlite_page_cache_kib: int = 512
    # glibc malloc arenas of a long-running process (serve, its request processes, its worker; ADR 0053): each arena
    # keeps what its threads freed, so without a cap a process with many threads holds a free heap per thread.
    malloc_arenas: int = 2
    # Local bearer tokens whose signature held, with their claims (api/auth.py VerifiedTokens): a caller sends the
    # same token with every request. An entry is the token and its claims: a few hundred bytes for the tokens
    # goalengine issues, at most 16 KiB (MAX_TOKEN_LENGTH) for one crafted with the secret, so 64 MiB at worst.
    verified_tokens: int = 4096


def bounds_from_env(env: Mapping[str, str]) -> Bounds:
    """The bounds, with GOALENGINE_GOAL_MEASUREMENTS (readings in a goal's answer) if the environment sets it."""
    text = env.get("GOALENGINE_GOAL_MEASUREMENTS")
    if not text:
        return Bounds()
    if not text.isdigit() or not 1 <= int(text) <= MOST_GOAL_MEASUREMENTS:
        raise SettingsError(f"GOALENGINE_GOAL_MEASUREMENTS must be a whole number of readings from 1 to "
                            f"{MOST_GOAL_MEASUREMENTS:,}, not {text!r}")
    return Bounds(goal_measurements=int(text))
