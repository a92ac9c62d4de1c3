"""What notify's integration tests share: a real SMTP server (aiosmtpd) on a free port, and what it received."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from aiosmtpd.controller import Controller

from shared.config import Settings
from services.notify.delivery import smtp_mailer
from tests.integration.notify.support import Inbox


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}"
    inbox.mailer = smtp_mailer(replace(Settings(), smtp_url=inbox.url))
    yield inbox
    controller.stop()
