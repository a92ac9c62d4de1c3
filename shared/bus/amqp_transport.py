"""kombu's py-amqp transport, reading the socket ahead.

py-amqp reads each frame as it needs it: its header, then its payload, then its end octet, each a `recv` of its
own. A delivery is three frames, so a consumer made nine system calls a message, and on a quick queue that was a
third of its time. This transport reads what the socket holds (up to `READ_AHEAD` bytes) in one call and cuts
frames out of it; what is left waits for the next frame. Nothing else changes: frames, timeouts, heartbeats and
errors are py-amqp's. TLS connections keep py-amqp's own reading.

Writing, it can gather: while a batch is published (`gathering`), the frames of every message are held and sent in
one `sendall` at the end, where py-amqp would make a system call a message, which was most of a relay's time.
"""

from __future__ import annotations

import errno
import socket
from contextlib import contextmanager, nullcontext
from struct import unpack_from
from typing import Iterator

from amqp.exceptions import UnexpectedFrame
from amqp.transport import TCPTransport
from kombu.transport import pyamqp

READ_AHEAD = 256 * 1024
HEADER = 7
FRAME_END = 0xCE


class ReadAheadTCPTransport(TCPTransport):
    def _setup_transport(self) -> None:
        super()._setup_transport()
        self._unread = bytearray()
        self._at = 0
        self._held: bytearray | None = None

    @contextmanager
    def gathering(self) -> Iterator[None]:
        """Hold what is written meanwhile and send it in one go when the block ends; if the block raises, what it
        wrote is dropped (the caller throws the connection away, and nothing of it was sent)."""
        self._held = bytearray()
        try:
            yield
            held = self._held
        finally:
            self._held = None
        if held:
            self.write(bytes(held))

    def write(self, s) -> None:
        if self._held is not None:
            self._held += s
        else:
            super().write(s)

    def having_timeout(self, timeout):
        """py-amqp sets the socket's timeout around every frame it reads; a frame already read ahead needs no
        socket, so that is skipped for it (three frames a delivery, a timeout set and put back for each)."""
        if self._holds_a_frame():
            return nullcontext(self.sock)
        return super().having_timeout(timeout)

    def _holds_a_frame(self) -> bool:
        return self._frame_end() is not None

    def _frame_end(self) -> int | None:
        """Where the next frame's end octet is, if everything up to it has been read."""
        unread, at = self._unread, self._at
        if len(unread) - at < HEADER:
            return None
        end = at + HEADER + unpack_from(">I", unread, at + 3)[0]
        return end if len(unread) > end else None

    def read_frame(self, unpack=None):
        """The next whole frame, from what was read before where it holds one. On a timeout nothing is used up."""
        while True:
            frame = self._cut_frame()
            if frame is not None:
                return frame
            self._fill()

    def _cut_frame(self):
        end = self._frame_end()
        if end is None:
            return None
        unread, at = self._unread, self._at
        frame_type, channel = unpack_from(">BH", unread, at)
        if unread[end] != FRAME_END:
            self.connected = False
            raise UnexpectedFrame(f"Received frame_end {unread[end]:#04x} while expecting 0xce")
        payload = bytes(unread[at + HEADER:end])
        self._at = end + 1
        if self._at == len(unread):
            unread.clear()
            self._at = 0
        return frame_type, channel, payload

    def _fill(self) -> None:
        if self._at and self._at * 2 >= len(self._unread):
            del self._unread[:self._at]
            self._at = 0
        try:
            received = self.sock.recv(READ_AHEAD)
        except (socket.timeout, TimeoutError):
            raise
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EINTR):
                raise socket.timeout() from exc
            self.connected = False
            raise
        if not received:
            self.connected = False
            raise OSError("Server unexpectedly closed connection")
        self._unread += received


class ReadAheadConnection(pyamqp.Connection):
    def Transport(self, host, connect_timeout, ssl=False, read_timeout=None, write_timeout=None,  # noqa: N802
                  socket_settings=None, **kwargs):
        if ssl:
            return super().Transport(host, connect_timeout, ssl, read_timeout, write_timeout, socket_settings,
                                     **kwargs)
        return ReadAheadTCPTransport(host, connect_timeout=connect_timeout, read_timeout=read_timeout,
                                     write_timeout=write_timeout, socket_settings=socket_settings, **kwargs)


class ReadAheadTransport(pyamqp.Transport):
    """Give kombu this class as `transport` for an `amqp://` URL."""

    Connection = ReadAheadConnection


__all__ = ["READ_AHEAD", "ReadAheadTransport"]
