"""Notify's delivery adapters: how a message leaves Llais, over HTTP to a council's webhook or over SMTP.

Each attempt returns whether it was delivered and a record of the attempt (where to, what came back) for the
delivery's history; it never raises for the far end's failures, which the dispatcher retries. Nothing here decides
what may be sent: that is the domain's, and was decided before a message was made.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Callable, Mapping
from urllib.parse import urlparse

import requests

from shared.config import Settings

from services.notify import domain

TIMEOUT_SECONDS = 10

Mailer = Callable[[str, str, str], None]
"""Sends one email: (to, subject, body)."""

Attempt = tuple[bool, dict]
"""Whether a message was delivered, and the attempt as its history keeps it."""


def smtp_mailer(settings: Settings) -> Mailer | None:
    """Email over SMTP to the server of LLAIS_SMTP_URL (smtp://host:port, or smtps:// for TLS); None without one."""
    if not settings.smtp_url:
        return None
    server = urlparse(settings.smtp_url)
    secure = server.scheme == "smtps"

    def send(to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.mail_from, to, subject
        message.set_content(body)
        connect = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with connect(server.hostname or "localhost", server.port or (465 if secure else 25),
                     timeout=TIMEOUT_SECONDS) as smtp:
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)

    return send


def post_webhook(session: requests.Session, url: str, payload: bytes, headers: Mapping[str, str]) -> Attempt:
    """POST a signed payload to a council's webhook; delivered when it answers as `domain.delivered` accepts."""
    attempt = {"url": url}
    try:
        answer = session.post(url, data=payload, headers=dict(headers), timeout=TIMEOUT_SECONDS,
                              allow_redirects=False)
    except requests.RequestException as exc:
        return False, {**attempt, "result": f"no answer: {exc.__class__.__name__}"}
    return domain.delivered(answer.status_code), {**attempt, "result": "answered", "status_code": answer.status_code}


def send_email(mailer: Mailer | None, to: str, subject: str, body: str) -> Attempt:
    """Hand one email to the mail server; not delivered when none is configured or it refuses."""
    if mailer is None:
        return False, {"to": to, "result": "no mail server configured (LLAIS_SMTP_URL)"}
    try:
        mailer(to, subject, body)
    except OSError as exc:
        return False, {"to": to, "result": f"mail server refused or did not answer: {exc.__class__.__name__}"}
    return True, {"to": to, "result": "accepted by the mail server"}
