"""glibc's malloc arenas in the long-running processes: bounded (Bounds.malloc_arenas, ADR 0053).

glibc gives each thread that allocates an arena of its own, up to 8 per core, and memory freed in an arena is kept
for that arena's later requests. `goalengine serve` runs a dozen request threads, and on SQLite each of them fills
and empties the page caches of the connections it takes: in an 8-minute soak at 40 req/s serve's arenas held
about 72 MiB free against 50 MiB in use, and its RSS was still rising. Capped at two arenas, 12 to 19 MiB free.
"""

from __future__ import annotations

import ctypes
import os

ENVIRONMENT = "MALLOC_ARENA_MAX"  # glibc reads it as a process starts: the children serve starts inherit it
M_ARENA_MAX = -8  # mallopt's parameter (glibc's malloc.h)


def is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return False


def bound_malloc_arenas(arenas: int) -> int | None:
    """Caps this process's malloc arenas at `arenas`, and those of the processes it starts after this (they inherit
    MALLOC_ARENA_MAX). An operator's own MALLOC_ARENA_MAX, applied by glibc at start, stays. Called first thing in
    a process, before its threads allocate. The cap in force, or None where malloc is not glibc's."""
    if not is_glibc():
        return None
    chosen = os.environ.get(ENVIRONMENT, "")
    if chosen:
        return int(chosen) if chosen.isdigit() else None
    os.environ[ENVIRONMENT] = str(arenas)
    ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas)
    return arenas
