"""The webhook tables, and the in-place upgrade of a store made before ADR 0018 (new columns, sealed secrets)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
    update,
)

from application.store.database import metadata
from application.webhooks.sealing import SecretBox, is_sealed

ACTIVE, PAUSED = "active", "paused"
PAUSE, PARK = "pause", "park"
POLICIES = (PAUSE, PARK)
MAX_ERROR_LENGTH = 2000

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("url", Text, nullable=False),
    Column("types", Text, nullable=False),  # a JSON list of CloudEvents types; empty means every type
    Column("secret", Text, nullable=False),  # sealed (AES-GCM, application/webhooks/sealing.py)
    Column("status", String(10), nullable=False),
    Column("position", BigInteger, nullable=False),  # the last log position delivered (or passed over)
    Column("failures", Integer, nullable=False),  # consecutive failed tries of the next event
    Column("delivered", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("last_attempt_at", Float, nullable=True),  # unix seconds
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", Float, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    # Added by ADR 0018; the upgrade below adds them to an older table.
    Column("subjects", Text, nullable=True),  # a JSON list of goal ids; empty means every goal
    Column("cycle", String(200), nullable=True),
    Column("org_unit", String(200), nullable=True),
    Column("on_failure", String(10), nullable=True),  # pause (the default) or park
    Column("previous_secret", Text, nullable=True),  # sealed; signs beside the new one until previous_secret_until
    Column("previous_secret_until", Float, nullable=True),
    Column("secret_rotated_at", Float, nullable=True),
)

webhook_parked = Table(
    "webhook_parked",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("event_id", String(80), nullable=False),  # the CloudEvent id, which is also the webhook-id
    Column("event_type", String(100), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("parked_at", Float, nullable=False),
    Column("redelivery_requested_at", Float, nullable=True),  # set by a redelivery request, cleared by the try
)

ADDED_COLUMNS = ("subjects", "cycle", "org_unit", "on_failure", "previous_secret", "previous_secret_until",
                 "secret_rotated_at")


def create_tables(engine: Engine, box: SecretBox) -> None:
    """Create the tables, or bring an older subscriptions table up to date and seal its plain-text secrets."""
    metadata.create_all(engine, tables=[webhook_subscriptions, webhook_parked])
    present = {column["name"]: column["type"] for column in inspect(engine).get_columns("webhook_subscriptions")}
    with engine.begin() as connection:
        for name in ADDED_COLUMNS:
            if name not in present:
                column = webhook_subscriptions.c[name]
                kind = column.type.compile(engine.dialect)
                connection.execute(text(f"ALTER TABLE webhook_subscriptions ADD COLUMN {name} {kind}"))
        if engine.dialect.name == "postgresql" and getattr(present["secret"], "length", None):  # was varchar(100)
            connection.execute(text("ALTER TABLE webhook_subscriptions ALTER COLUMN secret TYPE text"))
        _seal_plain_secrets(connection, box)


def _seal_plain_secrets(connection: Connection, box: SecretBox) -> None:
    table = webhook_subscriptions
    for subscription_id, secret in list(connection.execute(select(table.c.id, table.c.secret))):
        if not is_sealed(secret):
            connection.execute(
                update(table).where(table.c.id == subscription_id).values(secret=box.seal(secret, subscription_id))
            )
