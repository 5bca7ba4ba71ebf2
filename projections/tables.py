"""Read-model tables, in the same database as the events, and each projection's tracking position."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from application.store.database import metadata

# One row per projection: the log position of the last event its read model includes.
projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

goal_index = Table(
    "goal_index",
    metadata,
    Column("goal_id", String(36), primary_key=True),
    Column("drafted_position", BigInteger, nullable=False, unique=True),  # orders the paged list
    Column("owner_id", String(200), nullable=False),
    Column("manager_id", String(200), nullable=False),
    Column("org_unit", String(200)),
    Column("cycle_id", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", String(40), nullable=False),  # ISO 8601, as the event's timestamp
    Index("goal_index_owner", "owner_id", "drafted_position"),
    Index("goal_index_manager", "manager_id", "drafted_position"),
    Index("goal_index_cycle", "cycle_id", "drafted_position"),
)

# One row per goal: the JSON review state its events fold into (projections/review_state.py).
goal_reviews = Table(
    "goal_reviews",
    metadata,
    Column("goal_id", String(36), primary_key=True),
    Column("owner_id", String(200), nullable=False),
    Column("manager_id", String(200), nullable=False),
    Column("cycle_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Index("goal_reviews_owner_cycle", "owner_id", "cycle_id"),
)

# One row per goal: what it aligns to, in which cycle, and the weight its progress rolls up by (alignment.py).
goal_alignment = Table(
    "goal_alignment",
    metadata,
    Column("goal_id", String(36), primary_key=True),
    Column("cycle_id", String(200), nullable=False),
    Column("aligned_to", String(200)),
    Column("title", Text, nullable=False),
    Column("owner_id", String(200), nullable=False),
    Column("manager_id", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("outcome", String(40)),
    Column("weight", String(40), nullable=False),  # a decimal string, exact
    Column("drafted_position", BigInteger, nullable=False),
    Index("goal_alignment_cycle", "cycle_id", "drafted_position"),
)

# One row per objective (projections/alignment.py).
objectives = Table(
    "objectives",
    metadata,
    Column("objective_id", String(36), primary_key=True),
    Column("cycle_id", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("org_unit", String(200), nullable=False),
    Column("owner_id", String(200), nullable=False),
    Column("set_position", BigInteger, nullable=False),
    Index("objectives_cycle", "cycle_id", "set_position"),
)
