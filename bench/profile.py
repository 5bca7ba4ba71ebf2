"""Where a served request's time goes (`python -m bench --only http --profile`): py-spy samples `goalengine serve`
while an extra 80/20 load runs (not counted in the measurements), and the summary names the functions that held the
interpreter lock most: inclusive (the function or anything it called) and self (the function's own code).

`--gil` keeps only samples where a thread held the lock, i.e. where the one core a Python process can use went.
py-spy is a test extra (pyproject.toml); without it, or without the right to trace (ptrace), the profile is skipped
with a note. Reproduce by hand: `py-spy record --gil --pid <serve pid> --format raw -o FILE`.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TOP = 12


@dataclass(frozen=True)
class Profile:
    samples: int
    inclusive: list[tuple[str, float]]  # function, share of samples in which it is on the stack
    own: list[tuple[str, float]]  # function, share of samples in which it is the innermost frame

    def lines(self) -> list[str]:
        rows = [f"{self.samples} samples holding the interpreter lock"]
        rows += [f"inclusive {share:5.1%}  {name}" for name, share in self.inclusive]
        rows += [f"self      {share:5.1%}  {name}" for name, share in self.own]
        return rows


def py_spy() -> str | None:
    return shutil.which("py-spy") or (str(Path(sys.executable).with_name("py-spy"))
                                      if Path(sys.executable).with_name("py-spy").exists() else None)


@contextmanager
def sampling(pid: int, into: Path) -> Iterator[None]:
    """py-spy records `pid` while the block runs (nothing if py-spy is missing)."""
    program = py_spy()
    if program is None:
        yield
        return
    recorder = subprocess.Popen([program, "record", "--pid", str(pid), "--gil", "--nonblocking", "--format", "raw",
                                 "-o", str(into)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes what it sampled when interrupted
        try:
            recorder.wait(timeout=60)
        except subprocess.TimeoutExpired:
            recorder.kill()
            recorder.wait()


def summary(raw: Path) -> Profile | None:
    """The shares of the functions in a py-spy raw (collapsed stacks) file; None if there is none."""
    if not raw.exists():
        return None
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_function(frame) for frame in stack.split(";")[1:]]  # the first frame names the thread
        total += int(count)
        for name in set(frames):
            inclusive[name] += int(count)
        if frames:
            own[frames[-1]] += int(count)
    if not total:
        return None
    return Profile(total, [(n, c / total) for n, c in inclusive.most_common(TOP * 4) if not _trivial(n)][:TOP],
                   [(n, c / total) for n, c in own.most_common(TOP)])


def _function(frame: str) -> str:
    """`name (path/to/module.py:12)` as `name (module.py)`: lines differ between samples of one function."""
    name, _, where = frame.partition(" (")
    return f"{name} ({Path(where.split(':')[0]).name})" if where else name


def _trivial(name: str) -> bool:
    """Frames on every request's stack (the thread's and the loop's own) say nothing about where time goes."""
    return any(part in name for part in ("_bootstrap", "run (", "run_forever", "_run_once", "_run (", "worker ("))
