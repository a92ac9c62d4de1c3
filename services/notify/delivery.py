"""Notify's delivery adapters: how a message leaves Llais, over HTTP to a council's webhook, and email over SMTP
or, where a provider sets a GOV.UK Notify key, through GOV.UK Notify's official client.

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
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from shared.config import Settings

from services.notify import domain

TIMEOUT_SECONDS = 10

Mailer = Callable[..., str]
"""Sends one email: (to, subject, body, reference=the delivery's id); returns who accepted it, or raises
`MailRefused` (an OSError, as the mail server's own failures are)."""


class MailRefused(OSError):
    """The email service refused the email or could not be reached."""

Attempt = tuple[bool, dict]
"""Whether a message was delivered, and the attempt as its history keeps it."""


def smtp_mailer(settings: Settings) -> Mailer | None:
    """Email over SMTP to the server of LLAIS_SMTP_URL (smtp://host:port, or smtps:// for TLS); None without one."""
    if not settings.smtp_url:
        return None
    server = urlparse(settings.smtp_url)
    secure = server.scheme == "smtps"

    def send(to: str, subject: str, body: str, reference: str | None = None) -> str:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.mail_from, to, subject
        message.set_content(body)
        connect = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with connect(server.hostname or "localhost", server.port or (465 if secure else 25),
                     timeout=TIMEOUT_SECONDS) as smtp:
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)
        return "accepted by the mail server"

    return send


def govuk_notify_mailer(settings: Settings) -> Mailer | None:
    """Email through GOV.UK Notify where LLAIS_GOVUK_NOTIFY_API_KEY is set: every email with the one template of
    LLAIS_GOVUK_NOTIFY_TEMPLATE_ID, its subject and body given as the personalisation `subject` and `body` (Notify's
    usual pattern for messages written by the service), the delivery's id as Notify's `reference`."""
    if not settings.govuk_notify_api_key:
        return None
    client = NotificationsAPIClient(settings.govuk_notify_api_key, base_url=settings.govuk_notify_url,
                                    timeout=TIMEOUT_SECONDS)
    template = settings.govuk_notify_template_id

    def send(to: str, subject: str, body: str, reference: str | None = None) -> str:
        try:
            answer = client.send_email_notification(email_address=to, template_id=template,
                                                    personalisation={"subject": subject, "body": body},
                                                    reference=reference)
        except APIError as exc:
            raise MailRefused(f"GOV.UK Notify answered {exc.status_code}") from None
        return f"accepted by GOV.UK Notify ({answer.get('id')})"

    return send


def mailer(settings: Settings) -> Mailer | None:
    """GOV.UK Notify where its key is set, else SMTP where a server is set, else none."""
    return govuk_notify_mailer(settings) or smtp_mailer(settings)


def post_webhook(session: requests.Session, url: str, payload: bytes, headers: Mapping[str, str]) -> Attempt:
    """POST a signed payload to a council's webhook; delivered when it answers as `domain.delivered` accepts."""
    attempt = {"url": url}
    try:
        answer = session.post(url, data=payload, headers=dict(headers), timeout=TIMEOUT_SECONDS,
                              allow_redirects=False)
    except requests.RequestException as exc:
        return False, {**attempt, "result": f"no answer: {exc.__class__.__name__}"}
    return domain.delivered(answer.status_code), {**attempt, "result": "answered", "status_code": answer.status_code}


def send_email(mailer: Mailer | None, to: str, subject: str, body: str, reference: str | None = None) -> Attempt:
    """Hand one email to the mail server or GOV.UK Notify; not delivered when none is configured or it refuses."""
    if mailer is None:
        return False, {"to": to, "result": "no mail server configured (LLAIS_SMTP_URL or LLAIS_GOVUK_NOTIFY_API_KEY)"}
    try:
        accepted = mailer(to, subject, body, reference=reference)
    except MailRefused as exc:
        return False, {"to": to, "result": str(exc)}
    except OSError as exc:
        return False, {"to": to, "result": f"mail server refused or did not answer: {exc.__class__.__name__}"}
    return True, {"to": to, "result": accepted or "accepted by the mail server"}
