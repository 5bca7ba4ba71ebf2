"""Sending mail over SMTP: `GOALENGINE_SMTP_URL` (smtp://host:port, optionally smtp://user:password@host:port;
smtps:// for TLS from the start) and `GOALENGINE_MAIL_FROM` (default goalengine@localhost)."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT_SECONDS = 10


class MailSettingsError(ValueError):
    """The SMTP URL or the sender cannot be used; the message names the setting."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    tls: bool
    sender: str
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str, sender: str = "goalengine@localhost") -> MailSettings:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise MailSettingsError(f"GOALENGINE_SMTP_URL {url!r} is not a URL: {error}") from None
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise MailSettingsError(f"GOALENGINE_SMTP_URL {url!r}: use smtp://host:port or smtps://host:port")
        if "\n" in sender or "\r" in sender or "@" not in sender:
            raise MailSettingsError(f"GOALENGINE_MAIL_FROM {sender!r} is not an e-mail address")
        return cls(parts.hostname, port or DEFAULT_PORTS[parts.scheme], parts.scheme == "smtps", sender,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MailSettings | None:
        """The settings, or None when GOALENGINE_SMTP_URL is not set (no mail is sent)."""
        env = os.environ if environ is None else environ
        url = env.get("GOALENGINE_SMTP_URL")
        return cls.parse(url, env.get("GOALENGINE_MAIL_FROM") or "goalengine@localhost") if url else None


def send_mail(settings: MailSettings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if settings.tls else smtplib.SMTP
    with smtp_class(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.user is not None:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)
