"""The HTTP anchor: a minimal FastAPI + SQLAlchemy app doing the same work per request with no events.

Same store, same uvicorn settings (uvloop, httptools, the number of worker processes), same request-thread limit
and the same bearer-token check as `goalengine serve`; a write inserts one row, a read selects one (a goal) or a few
(a review). goalengine's HTTP capacity is compared with it. Run as its own process:
`python -m bench.anchor --url URL --port N --secret S --targets goal|owner|cycle,... [--workers N]`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, UTC
from typing import Annotated, Any

import anyio.to_thread
import jwt
import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, insert, select

from api.app import REQUEST_THREADS
from api.guards.server import SERVER_LOOP, WORKER_HEALTHCHECK
from application.store.database import create_sql_engine, schema_creation
from application.store.settings import Settings

metadata = MetaData()
rows = Table(
    "anchor_readings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("goal_id", String(36), nullable=False, index=True),
    Column("owner_id", String(200), nullable=False, index=True),
    Column("kpi", String(100), nullable=False),
    Column("value", String(40), nullable=False),
    Column("observed_at", String(10), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


def caller(request: Request, authorization: Annotated[str, Header()]) -> str:
    """The same bearer-token check as goalengine's: an HS256 JWT."""
    try:
        claims = jwt.decode(authorization.removeprefix("Bearer "), request.app.state.secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise HTTPException(401) from None
    return str(claims["sub"])


Caller = Annotated[str, Depends(caller)]


def owners_of(targets: Sequence[str]) -> dict[str, str]:
    """Goal id to owner id, from the "goal|owner|cycle" targets the load generator is given."""
    return {goal_id: owner_id for goal_id, owner_id, _cycle in (target.split("|") for target in targets)}


def create_anchor(engine: Engine, secret: str, targets: Sequence[str]) -> FastAPI:
    owners = owners_of(targets)
    with schema_creation(engine):  # two worker processes start at once
        metadata.create_all(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        yield

    app = FastAPI(lifespan=lifespan)
    app.state.secret = secret

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/goals/{goal_id}")
    def read_goal(goal_id: str, _caller: Caller) -> dict[str, Any]:
        with engine.connect() as connection:
            row = connection.execute(select(rows).where(rows.c.goal_id == goal_id).limit(1)).first()
        return {"goal_id": goal_id, "latest": row.value if row else None}

    @app.get("/reviews/{owner_id}")
    def read_review(owner_id: str, cycle: str, _caller: Caller) -> dict[str, Any]:
        query = select(rows).where(rows.c.owner_id == owner_id).order_by(rows.c.id.desc()).limit(10)
        with engine.connect() as connection:
            found = [dict(r._mapping) for r in connection.execute(query)]
        return {"owner_id": owner_id, "cycle": cycle, "readings": [r["value"] for r in found]}

    @app.post("/goals/{goal_id}/measurements", status_code=201)
    def record(goal_id: str, body: dict[str, Any], _caller: Caller) -> dict[str, Any]:
        values = {"goal_id": goal_id, "owner_id": owners.get(goal_id, ""), "kpi": str(body["kpi"]),
                  "value": str(body["value"]), "observed_at": str(body["observed_at"]),
                  "recorded_at": datetime.now(UTC)}
        with engine.begin() as connection:
            connection.execute(insert(rows).values(**values))
        return values

    return app


HTTP = "httptools"  # as `goalengine serve` (api/guards/server.py), whose protocol subclasses httptools'
ENVIRONMENT = ("BENCH_ANCHOR_URL", "BENCH_ANCHOR_SECRET", "BENCH_ANCHOR_TARGETS")


def app_from_env() -> FastAPI:
    """The anchor in each worker process (uvicorn imports it by name): its arguments come through the environment."""
    url, secret, targets = (os.environ[name] for name in ENVIRONMENT)
    return create_anchor(create_sql_engine(Settings(database_url=url)), secret, targets.split(","))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.anchor")
    parser.add_argument("--url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--targets", required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.update(zip(ENVIRONMENT, (args.url, args.secret, args.targets), strict=True))
    uvicorn.run("bench.anchor:app_from_env", factory=True, host="127.0.0.1", port=args.port, workers=args.workers,
                loop=SERVER_LOOP, http=HTTP, timeout_worker_healthcheck=WORKER_HEALTHCHECK, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
