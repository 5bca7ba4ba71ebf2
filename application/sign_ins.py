"""Spent sign-in tokens: a one-time sign-in link works once, and a web session ended by signing out stays ended.

Tokens themselves are stateless (signed JWTs); what must be remembered is which ones may not be used again. Each
spent token's id is kept until the token would have expired anyway, then pruned.
"""

from __future__ import annotations

from datetime import datetime, UTC

from sqlalchemy import Column, DateTime, Engine, String, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError

from application.store.database import metadata

spent_tokens = Table(
    "web_spent_tokens",
    metadata,
    Column("token_id", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),  # "sign_in_link" or "session"
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


class SpentTokens:
    """The ids of sign-in links already used and of sessions already ended."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=[spent_tokens])

    def spend(self, token_id: str, kind: str, expires_at: datetime, now: datetime | None = None) -> bool:
        """Mark the token used; False if it was used before (the caller must then refuse it)."""
        now = now or datetime.now(UTC)
        with self.engine.begin() as connection:
            connection.execute(delete(spent_tokens).where(spent_tokens.c.expires_at < now))
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(spent_tokens).values(token_id=token_id, kind=kind, expires_at=expires_at))
        except IntegrityError:
            return False
        return True

    def is_spent(self, token_id: str) -> bool:
        with self.engine.connect() as connection:
            row = connection.execute(select(spent_tokens.c.token_id).where(spent_tokens.c.token_id == token_id))
            return row.first() is not None
