"""`goalengine serve --workers 2` on PostgreSQL: two uvicorn worker processes behind one port, driven at once.

Neither worker serves a goal or a review staler than the position a client asks for (each has its own goal cache;
the one background worker serve starts beside them projects, ADR 0048), idempotency keys hold across them, and
exactly one projector leads. SQLite refuses
more than one worker.
"""

from __future__ import annotations

import os
import subprocess
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from api.auth import issue_token
from domain.values import Role
from tests.conftest import POSTGRES_URL, drop_schema, postgres_url_with_schema, require_postgres
from tests.e2e.test_http_lifecycle import (
    GOALENGINE, Server, customer_service_goal, launched, open_cycle_of, serving,
)

pytestmark = pytest.mark.e2e

SECRET = "e2e-secret-of-at-least-32-bytes-long"
OWNERS = 4
ROUNDS = 2


@contextmanager
def two_workers(tmp_path: Path, schema: str) -> Iterator[Server]:
    with serving(launched(tmp_path, postgres_url_with_schema(schema), "--workers", "2"), stop_within=20) as server:
        yield server


def bearer(sub: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, sub, role)}"}


def advisory_leases(schema: str) -> int:
    """How many sessions hold the projector lease of this schema (the key of projections/coordination.py)."""
    key = zlib.crc32(schema.encode()) - (1 << 31)
    url = make_url(POSTGRES_URL)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password or "",
                         dbname=url.database, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s AND objid = %s",
            [(key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF],
        ).fetchone()
    assert row is not None
    return int(row[0])


def agreed_goal(base: str, owner: str) -> str:
    """Drafted by the manager, signed by both; each request on a new connection, so the workers share them out."""
    terms = {**customer_service_goal(date.today()), "owner_id": owner}
    drafted = httpx.post(f"{base}/goals", json=terms, headers=bearer("mgr-1", Role.MANAGER), timeout=30)
    assert drafted.status_code == 201, drafted.text
    goal_id = str(drafted.json()["id"])
    for sub, role in ((owner, Role.EMPLOYEE), ("mgr-1", Role.MANAGER)):
        signed = httpx.post(f"{base}/goals/{goal_id}/signatures", headers=bearer(sub, role), timeout=30)
        assert signed.status_code == 201, signed.text
    return goal_id


def record_then_read_elsewhere(base: str, owner: str, goal_id: str) -> list[str]:
    """Each reading, then the goal and the review read on fresh connections at the position the write returned."""
    problems = []
    cycle = f"{date.today().year}-e2e"
    for value in range(15, 15 + ROUNDS):
        reading = {"kpi": "tickets", "value": value, "observed_at": date.today().isoformat()}
        written = httpx.post(f"{base}/goals/{goal_id}/measurements", json=reading,
                             headers=bearer(owner, Role.EMPLOYEE), timeout=30)
        assert written.status_code == 201, written.text
        position, version = written.headers["Goalengine-Position"], written.json()["version"]
        token = {**bearer("mgr-1", Role.MANAGER), "Goalengine-Min-Position": position}
        goal = httpx.get(f"{base}/goals/{goal_id}", headers=token, timeout=30)
        review = httpx.get(f"{base}/reviews/{owner}?cycle={cycle}", headers=token, timeout=30)
        if goal.json()["version"] != version:
            problems.append(f"goal {goal_id} read at version {goal.json()['version']} after writing {version}")
        if review.status_code != 200 or review.json()["goals"][0]["kpis"][0]["latest"] != str(value):
            problems.append(f"review of {owner} after position {position}: {review.status_code} {review.text[:200]}")
        if int(review.headers.get("Goalengine-Position", 0)) < int(position):
            problems.append(f"review of {owner} reflects {review.headers.get('Goalengine-Position')} < {position}")
    return problems


@pytest.mark.postgres
def test_two_workers_never_serve_staler_than_asked_share_keys_and_elect_one_leader(tmp_path: Path) -> None:
    require_postgres()
    schema = f"t_{uuid4().hex[:16]}"
    try:
        with two_workers(tmp_path, schema) as server:
            owners = [f"emp-{n}" for n in range(OWNERS)]
            open_cycle_of(customer_service_goal(date.today()), server.url, bearer("hr-7", Role.HR))
            with ThreadPoolExecutor(OWNERS) as pool:
                goal_ids = list(pool.map(lambda owner: agreed_goal(server.url, owner), owners))
                problems = [p for found in pool.map(lambda pair: record_then_read_elsewhere(server.url, *pair),
                                                    zip(owners, goal_ids, strict=True)) for p in found]
            assert problems == []

            reading = {"kpi": "csat", "value": 88, "observed_at": date.today().isoformat()}
            keyed = {**bearer(owners[0], Role.EMPLOYEE), "Idempotency-Key": "two-workers-1"}
            with ThreadPoolExecutor(4) as pool:
                answers = list(pool.map(lambda _n: httpx.post(f"{server.url}/goals/{goal_ids[0]}/measurements",
                                                              json=reading, headers=keyed, timeout=30), range(4)))
            created = [a for a in answers if a.status_code == 201]
            assert created and all(a.status_code in (201, 409) for a in answers)  # 409: the first still running
            assert {a.json()["version"] for a in created} == {created[0].json()["version"]}
            again = httpx.post(f"{server.url}/goals/{goal_ids[0]}/measurements", json=reading, headers=keyed,
                               timeout=30)
            assert again.json()["version"] == created[0].json()["version"]
            assert again.headers["Goalengine-Position"] == created[0].headers["Goalengine-Position"]
            assert advisory_leases(schema) == 1
    finally:
        drop_schema(schema)


def test_sqlite_refuses_more_than_one_worker(tmp_path: Path) -> None:
    env = {**os.environ, "GOALENGINE_DATABASE_URL": f"sqlite:///{tmp_path}/goals.db", "GOALENGINE_SECRET": SECRET,
           "GOALENGINE_AUDIT_KEY": "e2e-audit-key"}
    refused = subprocess.run([str(GOALENGINE), "serve", "--workers", "2"], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2
    assert "--workers 2 needs PostgreSQL" in refused.stderr and "sqlite" in refused.stderr
