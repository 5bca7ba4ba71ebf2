"""Provisioning tokens: the bearer tokens an identity provider sends to /scim/v2, printed once and stored hashed.

A token is 32 random bytes; only its SHA-256 is stored, so a copy of the store lets nobody provision. A token
names its holder (`okta`, `entra`), which the trail records as the actor of every change it makes (ADR 0034).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from application.errors import ApplicationError
from application.store.database import metadata, schema_creation

PREFIX = "scim_"
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")

scim_tokens = Table(
    "scim_tokens", metadata,
    Column("name", String(63), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)


class ProvisioningTokenError(ApplicationError):
    code = "provisioning_token"


@dataclass(frozen=True)
class ProvisioningToken:
    name: str
    created_at: datetime
    revoked_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ProvisioningTokens:
    """Makes, lists, revokes and checks the provisioning tokens of the store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with schema_creation(engine):
            metadata.create_all(engine, tables=[scim_tokens])

    def create(self, name: str) -> str:
        """A new token for `name`, returned once (only its hash is kept)."""
        if not NAME.match(name):
            raise ProvisioningTokenError(f"--name {name!r}: use 1-63 lower-case letters, digits, '.', '_' or '-'")
        token = PREFIX + secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(scim_tokens).values(
                    name=name, token_hash=_hash(token), created_at=datetime.now(UTC)))
        except IntegrityError:
            raise ProvisioningTokenError(f"a token named {name!r} exists already; revoke it first") from None
        return token

    def list(self) -> list[ProvisioningToken]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(scim_tokens.c.name, scim_tokens.c.created_at, scim_tokens.c.revoked_at)
                                      .order_by(scim_tokens.c.name))
            return [ProvisioningToken(*row) for row in rows]

    def revoke(self, name: str) -> bool:
        """Revoke the token `name` (True), or False if there is no live token by that name. A revoked token's
        name is freed: its row is renamed so that a new token may take the name."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(scim_tokens).where(scim_tokens.c.name == name, scim_tokens.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC), name=f"{name}~{secrets.token_hex(4)}"))
            return result.rowcount == 1

    def holder(self, token: str) -> str | None:
        """The name of the live token this is, or None."""
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        digest = _hash(token)
        with self.engine.connect() as connection:
            row = connection.execute(select(scim_tokens.c.name, scim_tokens.c.token_hash).where(
                scim_tokens.c.token_hash == digest, scim_tokens.c.revoked_at.is_(None))).first()
        return row[0] if row is not None and hmac.compare_digest(row[1], digest) else None
