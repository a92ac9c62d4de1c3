"""What notify's integration tests (and the end-to-end tests reading mail) share: an SMTP inbox for aiosmtpd, and a
real HTTP server for a far end (a council's webhook, GOV.UK Notify's stand-in)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from email import message_from_string, policy

from werkzeug.serving import make_server


class Inbox:
    """Every message the server accepted, as (recipients, raw text)."""

    def __init__(self):
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def read(self, n: int = -1) -> tuple[list[str], str, str]:
        """A message as its reader sees it: (recipients, subject, body), headers and transfer encoding undone."""
        to, raw = self.messages[n]
        message = message_from_string(raw, policy=policy.default)
        return to, str(message["Subject"]), message.get_content()


@contextmanager
def serving(app):
    """`app` (a WSGI callable) answering on a free local port, its address as `app.url`, until the block ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()
