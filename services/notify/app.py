"""The composition root of notify."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import urlparse

from shared.bus import Periodic
from shared.config import Settings
from shared.service import ServiceDefinition
from shared.store import Store

from services.notify import api, handlers, worker
from services.notify.store import INDEXES, NotifyStore


def smtp_mailer(settings: Settings) -> handlers.Mailer | None:
    """Email over SMTP to the server of LLAIS_SMTP_URL (smtp://host:port, or smtps:// for TLS)."""
    if not settings.smtp_url:
        return None
    server = urlparse(settings.smtp_url)
    secure = server.scheme == "smtps"

    def send(to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.mail_from, to, subject
        message.set_content(body)
        connect = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with connect(server.hostname or "localhost", server.port or (465 if secure else 25), timeout=10) as smtp:
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)

    return send


def periodic(store: Store, settings: Settings) -> list[Periodic]:
    import requests

    session, mailer = requests.Session(), smtp_mailer(settings)
    return [Periodic("dispatch", 0.5, lambda: handlers.dispatch(NotifyStore(store), session, mailer),
                     woken_by_events=True)]  # a handler that queued a delivery wakes it


SERVICE = ServiceDefinition(name="notify", blueprints=(api.blueprint,), handlers=worker.HANDLERS, periodic=periodic,
                            indexes=INDEXES)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker
