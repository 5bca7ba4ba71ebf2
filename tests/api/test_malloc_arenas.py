"""serve and its worker cap glibc's malloc arenas (Bounds.malloc_arenas, ADR 0053): more threads than the bound
allocate at once, and glibc's own report (malloc_info) counts at most the bound's heaps; without the cap it counts
one per thread. An operator's MALLOC_ARENA_MAX stays."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli.malloc_arenas import is_glibc

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8

pytestmark = pytest.mark.skipif(not is_glibc(), reason="malloc arenas are glibc's")

# Each thread allocates (outside Python's own allocator, which does not use malloc's arenas) and waits until all
# have, so that none hands its arena back; then glibc reports its heaps, one <heap nr="..."> per arena.
HEAPS_AFTER_THREADS = f"""
import ctypes, os, sys, tempfile, threading
from api.cli.malloc_arenas import bound_malloc_arenas
cap = bound_malloc_arenas(int(sys.argv[1])) if len(sys.argv) > 1 else None
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
all_allocated = threading.Barrier({THREADS} + 1)
done = threading.Event()
def allocate():
    libc.malloc(4096)
    all_allocated.wait()
    done.wait()
threads = [threading.Thread(target=allocate) for _ in range({THREADS})]
for thread in threads:
    thread.start()
all_allocated.wait()
path = os.path.join(tempfile.mkdtemp(), "malloc_info.xml")
stream = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, stream)
libc.fclose(stream)
done.set()
print(cap, os.environ.get("MALLOC_ARENA_MAX"), open(path).read().count("<heap nr="))
"""


def heaps(*args: str, environment: dict[str, str] | None = None) -> tuple[str, str, int]:
    """(the cap in force, MALLOC_ARENA_MAX as children would inherit it, heaps) in a fresh interpreter."""
    env = {name: value for name, value in os.environ.items() if name != "MALLOC_ARENA_MAX"}
    completed = subprocess.run([sys.executable, "-c", HEAPS_AFTER_THREADS, *args], cwd=ROOT, capture_output=True,
                               text=True, timeout=60, check=True, env={**env, **(environment or {})})
    cap, inherited, count = completed.stdout.split()
    return cap, inherited, int(count)


def test_more_threads_than_the_bound_share_at_most_the_bound_s_arenas() -> None:
    assert heaps()[2] > 2  # the control: without a cap, glibc gives the threads arenas of their own
    assert heaps("2") == ("2", "2", 2)


def test_an_operator_s_malloc_arena_max_stays() -> None:
    assert heaps("2", environment={"MALLOC_ARENA_MAX": "3"}) == ("3", "3", 3)
