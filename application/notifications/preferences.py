"""Each person's mail opt-outs by kind, and the days their digest went out (so one day sends one digest, whichever
server leads and however often it restarts)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Column, Date, Engine, String, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError

from application.store.database import metadata

mail_opt_outs = Table(
    "mail_opt_outs",
    metadata,
    Column("person_id", String(200), primary_key=True),
    Column("kind", String(50), primary_key=True),
)
mail_digests_sent = Table(
    "mail_digests_sent",
    metadata,
    Column("person_id", String(200), primary_key=True),
    Column("day", Date, primary_key=True),
)


class MailPreferences:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=[mail_opt_outs, mail_digests_sent])

    def opted_out(self, person_id: str) -> set[str]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(mail_opt_outs.c.kind).where(mail_opt_outs.c.person_id == person_id))
            return {row.kind for row in rows}

    def set_opted_out(self, person_id: str, kinds: Iterable[str]) -> None:
        """Replace the person's opt-outs with these kinds (the caller checked they are known kinds)."""
        with self.engine.begin() as connection:
            connection.execute(delete(mail_opt_outs).where(mail_opt_outs.c.person_id == person_id))
            for kind in sorted(set(kinds)):
                connection.execute(insert(mail_opt_outs).values(person_id=person_id, kind=kind))

    def claim_digest(self, person_id: str, day: date) -> bool:
        """Mark the person's digest of this day as sent; False if it was sent (or claimed) already."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(mail_digests_sent).values(person_id=person_id, day=day))
        except IntegrityError:
            return False
        return True

    def release_digest(self, person_id: str, day: date) -> None:
        """Forget a claim whose mail could not be sent, so a later round tries again."""
        with self.engine.begin() as connection:
            connection.execute(delete(mail_digests_sent).where(
                (mail_digests_sent.c.person_id == person_id) & (mail_digests_sent.c.day == day)))
