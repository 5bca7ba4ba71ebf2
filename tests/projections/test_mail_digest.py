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

from api.bootstrap import digest_for, projector_for
from api.cli import main
from application.directory.service import Directory
from application.goals.service import Goals
from application.notifications.addresses import DirectoryAddresses, DomainAddresses
from application.notifications.mail import MailSettings, MailSettingsError
from application.notifications.preferences import MailPreferences
from projections.digest import DailyDigest
from projections.service import build_runner
from tests.application.directory.support import PROVISIONER, details
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


def organisation(goals: Goals) -> Directory:
    """mgr-1 <- emp-1, with an e-mail at work, and emp-2, with none in the directory."""
    directory = Directory(goals)
    directory.provision(PROVISIONER, details("mgr-1"), person_id="mgr-1")
    directory.provision(PROVISIONER, details("emp-1", email="emma.one@corp.example"), person_id="emp-1",
                        manager_id="mgr-1")
    directory.provision(PROVISIONER, details("emp-2", email=""), person_id="emp-2", manager_id="mgr-1")
    return directory


def test_the_digest_goes_to_the_e_mail_the_directory_holds(goals: Goals, smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    directory = organisation(goals)
    draft(goals, survey_terms(), MANAGER)
    draft(goals, survey_terms(owner_id="emp-2"), MANAGER)  # a draft to sign waits for each of them
    build_runner(goals).catch_up()
    leader = digest_for(goals, directory, {"GOALENGINE_SMTP_URL": f"smtp://127.0.0.1:{port}",
                                           "GOALENGINE_MAIL_DOMAIN": "example.org"})
    assert leader is not None and leader.step() >= 1
    (body,) = mailbox.to("emma.one@corp.example")
    assert "Sign the draft" in body
    recipients = [address for rcpt, _ in mailbox.messages for address in rcpt]
    assert not [a for a in recipients if a.endswith("@example.org") or a.startswith("emp-2")], recipients
    addresses = DirectoryAddresses(directory, DomainAddresses("example.org"))
    assert (addresses.email("emp-1"), addresses.email("emp-2")) == ("emma.one@corp.example", None)
    assert addresses.email("emp-9") == "emp-9@example.org"  # someone the directory does not hold: the fallback


def test_the_leading_projector_sends_the_digest_once_smtp_is_set(
    goals: Goals, smtp: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox, port = smtp
    directory = organisation(goals)
    draft(goals, survey_terms(), MANAGER)
    for name in ("GOALENGINE_SMTP_URL", "GOALENGINE_MAIL_DOMAIN", "GOALENGINE_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    for smtp_url in (None, f"smtp://127.0.0.1:{port}"):
        if smtp_url:
            monkeypatch.setenv("GOALENGINE_SMTP_URL", smtp_url)
        projector = projector_for(goals, notices=True, people=directory)
        try:
            projector.round()  # leads (nobody else does), projects, then runs its duties: notifier, then digest
        finally:
            projector.coordination.close()
        assert len(mailbox.to("emma.one@corp.example")) == (1 if smtp_url else 0)
    assert "http://127.0.0.1:8000/workspace/goals/" in mailbox.to("emma.one@corp.example")[0]

