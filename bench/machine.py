"""What the numbers were measured on: the machine and the versions of everything in the path."""

from __future__ import annotations

import os
import platform
from datetime import datetime, UTC
from importlib.metadata import version
from typing import Any

from bench.stores import postgres_connect, postgres_problem


def describe() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gib": round(_memory_kib() / 1024 / 1024, 1),
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "eventsourcing": version("eventsourcing"),
        "sqlalchemy": version("sqlalchemy"),
        "psycopg": version("psycopg"),
        "fastapi": version("fastapi"),
        "uvicorn": version("uvicorn"),
        "sqlite": _sqlite_version(),
        "postgresql": _postgres_version(),
    }


def _memory_kib() -> int:
    try:
        with open("/proc/meminfo") as meminfo:
            return int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
    except (OSError, StopIteration):
        return 0


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _postgres_version() -> str:
    problem = postgres_problem()
    if problem:
        return f"unreachable ({problem})"
    with postgres_connect() as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"
