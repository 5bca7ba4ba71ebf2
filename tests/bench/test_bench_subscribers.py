"""bench/subscribers.py never rots: a tiny run reports the relay's ratio and both idle-stream CPU figures.

Times are never asserted (the machine is noisy); only that each measurement is there and is a number.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_nats_relay import require_nats

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_a_tiny_subscribers_bench_reports_every_figure(tmp_path: Path) -> None:
    require_nats()
    output = tmp_path / "subscribers.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.subscribers", "--events", "40", "--streams", "20", "--window", "0.5",
         "--json", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(output.read_text())
    figures = [*results["relay, sqlite"].values(), *results["idle SSE streams"].values()]
    assert len(figures) == 6 and all(isinstance(f, float) and not math.isinf(f) for f in figures)
    assert results["relay, sqlite"]["relay events/s"] > 0 and results["machine"]["nproc"]
