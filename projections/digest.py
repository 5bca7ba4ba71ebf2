"""The daily digest: once a day each person with something waiting gets one e-mail listing their inbox (the kinds they
opted out of left out). The background worker's leading projector sends it after a round (`duties`); `goalengine
mail digest --now` sends it at once. A day's digest is claimed in the store before it is sent, so two servers, or a
restart, never send it twice; a failed send gives the claim back for the next round."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from datetime import date

from sqlalchemy import distinct, select

from application.goals.service import Goals
from application.notifications.addresses import AddressBook
from application.notifications.mail import MailSettings, send_mail
from application.notifications.preferences import MailPreferences
from domain.cycle import Cycle as ReviewCycle
from domain.values import Actor, Role
from projections.tables import goal_index
from projections.inbox import Item, inbox

log = logging.getLogger("goalengine.mail")
People = Callable[[Goals], Iterator[Actor]]


def people_in_store(goals: Goals) -> Iterator[Actor]:
    """Everyone the store knows with a role: managers and owners of goals, and HR who opened cycles (until the
    directory lists people, issue 22)."""
    with goals.engine.connect() as connection:
        managers = set(connection.execute(select(distinct(goal_index.c.manager_id))).scalars())
        owners = set(connection.execute(select(distinct(goal_index.c.owner_id))).scalars())
    yield from (Actor(m, Role.MANAGER) for m in sorted(managers))
    yield from (Actor(o, Role.EMPLOYEE) for o in sorted(owners - managers))
    opened = goals.recorder.select_notifications(0, 10_000, topics=[ReviewCycle.Opened.TOPIC])
    hr = {getattr(goals.mapper.to_domain_event(n), "actor_id", "") for n in opened} - {""}
    yield from (Actor(h, Role.HR) for h in sorted(hr))


def digest_text(actor: Actor, items: list[Item], base_url: str) -> str:
    lines = [f"Hello {actor.id},", "", f"{len(items)} thing(s) wait for you in goalengine:", ""]
    lines += [f"- {i['title']} (since {i['since']})\n  {base_url.rstrip('/')}{i['link']}" for i in items]
    lines += ["", "To stop a kind of reminder, open your inbox in the workspace: " f"{base_url.rstrip('/')}"
              "/workspace/inbox"]
    return "\n".join(lines)


class DailyDigest:
    def __init__(self, goals: Goals, mail: MailSettings, addresses: AddressBook, base_url: str,
                 people: People = people_in_store) -> None:
        self.goals, self.mail, self.addresses, self.base_url, self.people = goals, mail, addresses, base_url, people
        self.preferences = MailPreferences(goals.engine)
        self.sent_on: date | None = None

    def step(self) -> int:
        """The leader's duty: the first round of each day sends that day's digests (later rounds cost nothing)."""
        today = self.goals.today()
        if self.sent_on == today:
            return 0
        sent = self.send(today)
        self.sent_on = today
        return sent

    def send(self, day: date) -> int:
        """Send the day's digest to each person with waiting items who has not had it; how many were sent."""
        sent = 0
        for actor in self.people(self.goals):
            to = self.addresses.email(actor.id)
            muted = self.preferences.opted_out(actor.id)
            items = [i for i in inbox(self.goals, actor) if i["kind"] not in muted] if to else []
            if not to or not items or not self.preferences.claim_digest(actor.id, day):
                continue
            try:
                send_mail(self.mail, to, f"goalengine: {len(items)} thing(s) wait for you",
                          digest_text(actor, items, self.base_url))
            except (OSError, smtplib.SMTPException) as error:
                self.preferences.release_digest(actor.id, day)
                log.warning("digest to %s not sent: %s", actor.id, error)
                continue
            sent += 1
        return sent
