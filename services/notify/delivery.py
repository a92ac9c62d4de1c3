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
from urllib.parse import SplitResult, urlparse, urlsplit

import certifi
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3.exceptions import HTTPError, NewConnectionError

from shared import public_address, telemetry
from shared.config import Settings

from services.notify import domain

TIMEOUT_SECONDS = 10
TIMEOUT = Timeout(TIMEOUT_SECONDS)

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


class Webhooks:
    """Posts to councils' webhooks, only ever to a public address (shared.public_address; `allow_private` for tests
    and closed networks): the host is resolved at each attempt, every address it gives checked, and the connection
    made to the address checked, with the name still in the Host header and checked against the server's
    certificate. A redirect is not followed: it is a failed attempt."""

    def __init__(self, *, allow_private: bool = False):
        self.allow_private = allow_private

    def post(self, url: str, payload: bytes, headers: Mapping[str, str]) -> Attempt:
        """POST a signed payload; delivered when it answers as `domain.delivered` accepts. An address refused is
        marked `final`: trying again cannot help until the council's URL or its name's answers change."""
        attempt = {"url": url}
        target = urlsplit(url)
        port = target.port or (443 if target.scheme == "https" else 80)
        try:
            addresses = public_address.resolve(target.hostname or "", port, allow_private=self.allow_private)
        except public_address.Inward as exc:
            return False, {**attempt, "result": f"refused: {exc}", "final": True}
        except OSError as exc:
            return False, {**attempt, "result": f"no answer: {exc.__class__.__name__}"}
        sent = {**headers, **telemetry.current_headers(), "Host": target.netloc.rsplit("@", 1)[-1]}
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        failed: Exception | None = None
        for address in addresses:  # the next address only when this one took no connection: nothing was sent
            with self._pool(target, str(address), port) as pool:
                try:
                    answer = pool.urlopen("POST", path, body=payload, headers=sent, redirect=False,
                                          assert_same_host=False)
                except NewConnectionError as exc:
                    failed = exc
                    continue
                except HTTPError as exc:
                    return False, {**attempt, "result": f"no answer: {exc.__class__.__name__}"}
            return domain.delivered(answer.status), {**attempt, "result": "answered", "status_code": answer.status}
        return False, {**attempt, "result": f"no answer: {type(failed).__name__}"}

    @staticmethod
    def _pool(target: SplitResult, address: str, port: int) -> HTTPConnectionPool:
        """A connection to `address`, speaking TLS to it as the URL's host when the URL is https."""
        if target.scheme != "https":
            return HTTPConnectionPool(address, port, timeout=TIMEOUT, retries=False)
        return HTTPSConnectionPool(address, port, server_hostname=target.hostname,
                                   assert_hostname=target.hostname, cert_reqs="CERT_REQUIRED",
                                   ca_certs=certifi.where(), timeout=TIMEOUT, retries=False)


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
