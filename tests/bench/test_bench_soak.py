"""The soak and the bounded-answers comparison run end to end in quick mode (a one-minute soak on SQLite) and report
every row; no time is asserted, only what is counted: the soak's 8 kept-alive clients see no connection error."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
SOAK_ROWS = ("RSS at start", "RSS at end", "RSS slope over the last half", "requests answered", "errors",
             "connection errors", "read p99, first 5 minutes", "read p99, worst segment after")
BOUNDED_ROWS = tuple(f"{kind} {metric}: big / {other}" for other in ("small", "at-bound")
                     for kind in ("goal", "review") for metric in ("GET time", "answer size"))


def test_the_quick_soak_and_bounded_comparison_report_every_row_and_no_connection_error(tmp_path: Path) -> None:
    output = tmp_path / "soak.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "soak", "bounded", "--store", "sqlite", "--quick", "--no-write",
         "--json", str(output)],
        cwd=ROOT, env={**os.environ, "GOALENGINE_BENCH_POSTGRES_URL": POSTGRES_URL}, capture_output=True, text=True,
        timeout=900, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = {(row["section"], row["name"]): row["median"] for row in json.loads(output.read_text())["rows"]}
    assert all(("soak", name) in rows for name in SOAK_ROWS), sorted(rows)
    assert all(("bounded", name) in rows and not math.isnan(rows[("bounded", name)]) for name in BOUNDED_ROWS)
    assert rows[("soak", "requests answered")] > 0 and rows[("soak", "connection errors")] == 0
