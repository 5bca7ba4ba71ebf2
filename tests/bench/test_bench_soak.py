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
             "connection errors", "read p99, first 5 minutes", "read p99, worst 5-minute window after",
             "read p99, median segment in the first 5 minutes", "read p99, worst segment after")
COMPARED = (("goal", "small, bound 100"), ("goal", "at-bound, bound 100"), ("goal", "small, bound 10"),
            ("review", "small"), ("review", "at-bound"), ("goal as_of", "small"), ("review as_of", "small"))
BOUNDED_RATIOS = tuple(f"bounded: {kind} {metric}, big / {other}" for kind, other in COMPARED
                       for metric in ("GET time", "answer size"))
SOAK_RATIOS = ("soak: RSS slope over the last half (MiB per 10 min)", "soak: errors (requests)",
               "soak: read p99, median segment after / first 5 minutes",
               "soak: read p99, worst 5-minute window after / first 5 minutes")


def test_the_quick_soak_and_bounded_comparison_report_every_row_and_no_connection_error(tmp_path: Path) -> None:
    output = tmp_path / "soak.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "soak", "bounded", "--store", "sqlite", "--quick", "--no-write",
         "--json", str(output)],
        cwd=ROOT, env={**os.environ, "GOALENGINE_BENCH_POSTGRES_URL": POSTGRES_URL}, capture_output=True, text=True,
        timeout=900, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    document = json.loads(output.read_text())
    rows = {(row["section"], row["name"]): row["median"] for row in document["rows"]}
    ratios = {ratio["name"]: ratio for ratio in document["ratios"] if ratio["store"] == "sqlite"}
    assert all(("soak", name) in rows for name in SOAK_ROWS), sorted(rows)
    assert all(name in ratios and not math.isnan(ratios[name]["value"]) for name in BOUNDED_RATIOS), sorted(ratios)
    assert all(name in ratios and ratios[name]["passed"] is not None for name in SOAK_RATIOS), sorted(ratios)
    # With the bound set to 10 both goals answer 10 readings: the same bytes, whatever the history.
    assert ratios["bounded: goal answer size, big / small, bound 10"]["passed"]
    assert rows[("soak", "requests answered")] > 0 and rows[("soak", "connection errors")] == 0
