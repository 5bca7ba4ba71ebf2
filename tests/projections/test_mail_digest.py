"""The daily digest over real SMTP: an aiosmtpd server on loopback receives one e-mail per person with something
waiting, once a day however often the leader (or a restarted one) looks, without the kinds a person opted out of;
`goalengine mail digest --now` sends it at once."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session, SMTP

from api.cli import main
from application.goals.service import Goals
from application.notifications.addresses import DomainAddresses
from application.notifications.mail import MailSettings, MailSettingsError
from application.notifications.preferences import MailPreferences
from projections.digest import DailyDigest
from projections.service import build_runner
from tests.conftest import AUDIT_KEY, Clock
from tests.scenarios import MANAGER, agreed, customer_service_terms, draft, survey_terms


@dataclass
class Mailbox:
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[str]:
        return [str(m.get_content()) for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def digest(goals: Goals, port: int) -> DailyDigest:
    build_runner(goals).catch_up()  # the goal index, as the leader's projector keeps it before its duties
    return DailyDigest(goals, MailSettings.parse(f"smtp://127.0.0.1:{port}"), DomainAddresses("example.org"),
                       "https://goals.example.org")


def test_each_person_gets_one_digest_a_day_without_the_kinds_they_opted_out_of(
    goals: Goals, clock: Clock, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    drafted = draft(goals, survey_terms(), MANAGER)
    goal_id = agreed(goals, customer_service_terms())
    leader = digest(goals, port)
    assert leader.step() >= 1
    (body,) = mailbox.to("emp-1@example.org")
    assert "Sign the draft" in body and f"https://goals.example.org/workspace/goals/{drafted}#signatures" in body
    assert f"https://goals.example.org/workspace/goals/{goal_id}#kpis" in body and "Record a reading" in body
    received = len(mailbox.messages)
    assert leader.step() == 0 and digest(goals, port).step() == 0  # the same day, even after a restart
    assert len(mailbox.messages) == received

    MailPreferences(goals.engine).set_opted_out("emp-1", ["reading_due"])
    clock.current = date(2026, 1, 16)
    assert leader.step() >= 1
    latest = mailbox.to("emp-1@example.org")[-1]
    assert "Sign the draft" in latest and "Record a reading" not in latest
    MailPreferences(goals.engine).set_opted_out("emp-1", ["sign_draft", "reading_due"])
    clock.current = date(2026, 1, 17)
    leader.step()
    assert len(mailbox.to("emp-1@example.org")) == 2  # nothing left to tell emp-1: no mail at all


def test_a_failed_send_is_tried_again_by_a_later_round(goals: Goals) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens here once the probe closes
    draft(goals, survey_terms(), MANAGER)
    assert digest(goals, closed).send(goals.today()) == 0
    assert MailPreferences(goals.engine).claim_digest("emp-1", goals.today())  # the failed claim was given back


def test_the_command_sends_the_digest_at_once(goals: Goals, smtp: tuple[Mailbox, int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox, port = smtp
    draft(goals, survey_terms(), MANAGER)
    for name, value in {"GOALENGINE_DATABASE_URL": goals.settings.database_url,
                        "GOALENGINE_AUDIT_KEY": AUDIT_KEY.decode(), "GOALENGINE_SECRET": "unused-in-this-test",
                        "GOALENGINE_SMTP_URL": f"smtp://127.0.0.1:{port}", "GOALENGINE_MAIL_DOMAIN": "example.org",
                        "GOALENGINE_MAIL_FROM": "goals@example.org"}.items():
        monkeypatch.setenv(name, value)
    build_runner(goals).catch_up()
    assert main(["mail", "digest", "--now"]) == 0
    (_rcpt, message), *_ = [m for m in mailbox.messages if "emp-1@example.org" in m[0]]
    assert (message["From"], message["Subject"].startswith("goalengine: ")) == ("goals@example.org", True)
    monkeypatch.delenv("GOALENGINE_SMTP_URL")
    assert main(["mail", "digest", "--now"]) == 2  # names the missing setting


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://host:99999", "not a url"])
def test_an_unusable_smtp_url_is_refused_naming_the_setting(url: str) -> None:
    with pytest.raises(MailSettingsError, match="GOALENGINE_SMTP_URL"):
        MailSettings.parse(url)
