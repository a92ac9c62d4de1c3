"""The one HTTP client for calls between services (the gateway to a service's internal API).

Requests carry the internal token and the trace context, each in a client span of its own. HTTP/1.1 over kept-alive
sockets, written for this one purpose: a call between services is the gateway's most frequent act, and the general
clients (requests, then urllib3 over http.client, whose header parsing goes through the email package) spent more of
a referral POST than the service answering it. The other end is always one of our own servers (gunicorn or
waitress), so the client reads what they send: a body by Content-Length, by chunks, or up to the connection's close.
"""

from __future__ import annotations

import json as jsonlib
import select
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote, urlencode, urlsplit

from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Status, StatusCode

from shared import telemetry
from shared.web import INTERNAL_TOKEN_HEADER

POOL_SIZE = 16
"""Idle connections kept open to each service: one for each of a server's request threads, with a few to spare.
More may be open at once; those beyond it close after their answer."""
MAX_LINE = 65_536
"""The longest status or header line read, as http.client allows."""
MAX_HEADERS = 100
"""The most header lines an answer may have, as http.client allows."""
NO_BODY = (204, 304)


def encoded(path: str) -> str:
    """A path's segments percent-encoded (RFC 3986), `/` kept as the separator. A segment of dots is encoded too
    (`%2E`), so nothing on the way resolves `/referrals/../allocate` to `/allocate`: the service's route reads the
    segment as the id `..` it is."""
    return "/".join(quote(segment, safe="") if segment.strip(".") else segment.replace(".", "%2E")
                    for segment in path.split("/"))


class ServiceUnavailable(Exception):
    """The service could not be reached or did not answer in time."""


class _BrokenAnswer(Exception):
    """The other end broke the HTTP exchange: closed early, or sent what is not HTTP/1.x."""


class _ClosedBeforeAnswer(_BrokenAnswer):
    """The connection closed before a byte of the answer came."""


class Headers(dict):
    """An answer's headers by their names in lower case; looked up in any case. A name sent twice keeps both values,
    joined by ", "."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


@dataclass(frozen=True)
class Answer:
    """A service's answer: its status, headers (case-insensitive) and body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return jsonlib.loads(self.content)


class _Connection:
    """One kept-alive socket to a service, with its buffered reader."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.reader = sock.makefile("rb")
        self.reused = False

    def still_open(self) -> bool:
        """Whether the other end has neither closed this idle connection nor sent anything unasked."""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return not poller.poll(0)  # readable while idle: closed by the other end, or holding bytes nobody asked for

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class ServiceClient:
    def __init__(self, service: str, base_url: str, *, internal_token: str = "", timeout: float = 10.0):
        self.service = service
        self.base_url = base_url.rstrip("/")
        where = urlsplit(self.base_url)
        if where.scheme not in ("http", "https") or not where.hostname:
            raise ValueError(f"{service}'s URL must be http:// or https:// with a host, not {base_url!r}")
        self._prefix = where.path
        self._address = where.hostname
        self._port = where.port or (443 if where.scheme == "https" else 80)
        self._tls = ssl.create_default_context() if where.scheme == "https" else None
        self._timeout = timeout
        self._fixed = (f"Host: {where.netloc}\r\n"
                       + (f"{INTERNAL_TOKEN_HEADER}: {internal_token}\r\n" if internal_token else "")
                       + "Accept-Encoding: identity\r\n")
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()

    def request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> Answer:
        """`path` as the callers write it, ids and all (`/referrals/{id}`): it is encoded here, once for every call,
        so an id holding `?`, `#`, `%` or `..` reaches the service as that id and nothing else."""
        target = f"{self._prefix}{encoded(path)}"
        if params:
            target += "?" + urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
        sent = dict(headers or {})
        body = b""
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent["Content-Type"] = "application/json"
        with telemetry.tracer().start_as_current_span(
                method, kind=SpanKind.CLIENT,
                attributes={"http.request.method": method, "server.address": self._address,
                            "llais.service": self.service, "url.path": path}) as span:
            propagate.inject(sent)
            message = self._message(method, target, sent, body)
            try:
                answer = self._exchange(method, message)
            except (OSError, _BrokenAnswer) as exc:
                span.set_status(Status(StatusCode.ERROR))
                raise ServiceUnavailable(f"{self.service} did not answer: {exc.__class__.__name__}") from exc
            span.set_attribute("http.response.status_code", answer.status_code)
            if answer.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
        return answer

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _message(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> bytes:
        lines = [f"{method} {target} HTTP/1.1\r\n", self._fixed]
        for name, value in headers.items():
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
                raise ValueError(f"header {name!r}: a line break in its name or value, or a colon in its name")
            lines.append(f"{name}: {value}\r\n")
        if body or method not in ("GET", "HEAD", "DELETE"):
            lines.append(f"Content-Length: {len(body)}\r\n")
        lines.append("\r\n")
        return "".join(lines).encode("latin-1") + body

    def _exchange(self, method: str, message: bytes) -> Answer:
        connection = self._idle_connection() or self._new_connection()
        try:
            try:
                answer, keep = self._ask(connection, method, message)
            except _ClosedBeforeAnswer:
                if not (connection.reused and method in ("GET", "HEAD")):
                    raise
                # a kept connection the server closed as this read went out: a read is safe to ask again, afresh
                connection.close()
                connection = self._new_connection()
                answer, keep = self._ask(connection, method, message)
        except BaseException:
            connection.close()
            raise
        if keep:
            self._release(connection)
        else:
            connection.close()
        return answer

    def _ask(self, connection: _Connection, method: str, message: bytes) -> tuple[Answer, bool]:
        connection.sock.sendall(message)
        return self._read(connection, method)

    def _idle_connection(self) -> _Connection | None:
        """A kept connection the service has not closed meanwhile, if there is one; closed ones are thrown away."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                connection = self._idle.pop()
            if connection.still_open():
                connection.reused = True
                return connection
            connection.close()

    def _new_connection(self) -> _Connection:
        sock = socket.create_connection((self._address, self._port), timeout=self._timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls is not None:
            sock = self._tls.wrap_socket(sock, server_hostname=self._address)
        return _Connection(sock)

    def _release(self, connection: _Connection) -> None:
        with self._lock:
            if len(self._idle) < POOL_SIZE:
                self._idle.append(connection)
                return
        connection.close()

    @staticmethod
    def _read(connection: _Connection, method: str) -> tuple[Answer, bool]:
        """The answer, and whether the connection may carry another request."""
        reader = connection.reader
        status_line = reader.readline(MAX_LINE + 1)
        if not status_line:
            raise _ClosedBeforeAnswer()
        version, _, rest = status_line.decode("latin-1").rstrip("\r\n").partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit() or len(status_line) > MAX_LINE:
            raise _BrokenAnswer("not an HTTP/1.x status line")
        status = int(code)
        if status < 200:  # an interim answer, to an Expect nothing here sends
            raise _BrokenAnswer("an interim (1xx) answer")
        headers = Headers()
        for lines in range(MAX_HEADERS + 1):
            line = reader.readline(MAX_LINE + 1)
            if line in (b"\r\n", b"\n"):
                break
            if not line or len(line) > MAX_LINE or lines == MAX_HEADERS:
                raise _BrokenAnswer("headers cut short or too long")
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon:
                raise _BrokenAnswer("a header line without a colon")
            name, value = name.strip().lower(), value.strip()
            headers[name] = f"{dict.get(headers, name)}, {value}" if name in headers else value
        keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        if method == "HEAD" or status in NO_BODY:
            return Answer(status, headers, b""), keep
        if "chunked" in headers.get("transfer-encoding", "").lower():
            content = _chunks(reader)
        elif "content-length" in headers:
            given = headers["content-length"]
            if not given.isdigit():
                raise _BrokenAnswer("a Content-Length that is not a whole number")
            length = int(given)
            content = reader.read(length)
            if len(content) != length:
                raise _BrokenAnswer("the body ended before its Content-Length")
        else:
            content, keep = reader.read(), False
        return Answer(status, headers, content), keep


def _chunks(reader) -> bytes:
    parts = []
    while True:
        line = reader.readline(MAX_LINE + 1)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _BrokenAnswer("a chunk without its size") from None
        if size == 0:
            break
        chunk = reader.read(size + 2)
        if len(chunk) != size + 2:
            raise _BrokenAnswer("a chunk cut short")
        parts.append(chunk[:size])
    while (trailer := reader.readline(MAX_LINE + 1)) not in (b"\r\n", b"\n"):  # trailers, which nothing here sends
        if not trailer:
            raise _BrokenAnswer("the chunks' trailer cut short")
    return b"".join(parts)
