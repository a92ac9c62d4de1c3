"""The read-ahead AMQP transport cuts the same frames out of the socket as py-amqp, however the bytes arrive, and
sends a gathered batch in one write."""

from __future__ import annotations

import socket
import struct

import pytest
from amqp.exceptions import UnexpectedFrame
from amqp.transport import TCPTransport
from hypothesis import given, settings, strategies as st

from shared.bus.amqp_transport import ReadAheadTCPTransport


def frame(frame_type: int, channel: int, payload: bytes, end: int = 0xCE) -> bytes:
    return struct.pack(">BHI", frame_type, channel, len(payload)) + payload + bytes([end])


def transport_over(kind: type[TCPTransport]) -> tuple[TCPTransport, socket.socket]:
    """A transport of `kind` reading one end of a socket pair; the other end is the broker."""
    ours, broker = socket.socketpair()
    transport = kind.__new__(kind)
    transport.sock = ours
    transport.connected = True
    transport.raise_on_initial_eintr = True
    transport._setup_transport()
    ours.settimeout(0.005)
    return transport, broker


FRAMES = [frame(1, 1, b"\x00\x3c\x00\x3c" + b"m" * 30), frame(2, 1, b"h" * 14), frame(3, 1, b"b" * 900),
          frame(8, 0, b""), frame(3, 7, bytes(range(256)) * 40)]


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=sum(map(len, FRAMES)) - 1), max_size=12, unique=True))
def test_frames_come_out_whole_and_in_order_however_the_bytes_are_cut(cuts):
    wire = b"".join(FRAMES)
    transport, broker = transport_over(ReadAheadTCPTransport)
    try:
        read, at = [], 0
        for cut in [*sorted(cuts), len(wire)]:
            broker.sendall(wire[at:cut])
            at = cut
            while True:
                try:
                    read.append(transport.read_frame())
                except socket.timeout:
                    break
        expected = [struct.unpack(">BHI", f[:7])[:2] + (f[7:-1],) for f in FRAMES]
        assert read == expected
    finally:
        broker.close()
        transport.sock.close()


def test_a_timeout_in_the_middle_of_a_frame_keeps_what_was_read():
    transport, broker = transport_over(ReadAheadTCPTransport)
    whole = frame(3, 1, b"x" * 5000)
    broker.sendall(whole[:3000])
    with pytest.raises(socket.timeout):
        transport.read_frame()
    broker.sendall(whole[3000:] + frame(8, 0, b""))
    assert transport.read_frame() == (3, 1, b"x" * 5000)
    assert transport.read_frame() == (8, 0, b"")


def test_reads_many_frames_in_one_call_where_py_amqp_makes_three_a_frame():
    calls = {}
    for kind in (TCPTransport, ReadAheadTCPTransport):
        transport, broker = transport_over(kind)
        broker.sendall(b"".join(frame(3, 1, b"b" * 100) for _ in range(50)))
        counted = transport.sock

        class Counting:
            recvs = 0

            def __getattr__(self, name):
                return getattr(counted, name)

            def recv(self, n):
                Counting.recvs += 1
                return counted.recv(n)

        transport.sock = Counting()
        if kind is TCPTransport:
            transport._quick_recv = transport.sock.recv
        for _ in range(50):
            transport.read_frame()
        calls[kind.__name__] = Counting.recvs
    assert calls["TCPTransport"] == 150
    assert calls["ReadAheadTCPTransport"] <= 2


def test_a_frame_that_does_not_end_where_it_says_is_refused():
    transport, broker = transport_over(ReadAheadTCPTransport)
    broker.sendall(frame(1, 1, b"abc", end=0x00))
    with pytest.raises(UnexpectedFrame):
        transport.read_frame()
    assert transport.connected is False


def test_a_connection_the_broker_closes_says_so():
    transport, broker = transport_over(ReadAheadTCPTransport)
    broker.sendall(frame(1, 1, b"abc")[:5])
    broker.close()
    with pytest.raises(OSError, match="closed"):
        transport.read_frame()
    assert transport.connected is False


def counting_sends(transport: ReadAheadTCPTransport) -> list[bytes]:
    """What the transport hands the socket, a `sendall` an item."""
    sent: list[bytes] = []
    real = transport.sock

    class Counting:
        def __getattr__(self, name):
            return getattr(real, name)

        def sendall(self, data):
            sent.append(bytes(data))
            return real.sendall(data)

    transport.sock = Counting()
    transport._write = transport.sock.sendall  # as py-amqp's TCPTransport binds it
    return sent


def test_what_is_written_while_gathering_goes_in_one_write_in_order():
    transport, broker = transport_over(ReadAheadTCPTransport)
    sent = counting_sends(transport)
    with transport.gathering():
        for n in range(100):
            transport.write(frame(3, 1, b"%03d" % n))
        assert sent == [], "nothing leaves before the block ends"
    transport.write(frame(8, 0, b""))
    assert len(sent) == 2
    broker.settimeout(1)
    wire = b""
    while len(wire) < sum(map(len, sent)):
        wire += broker.recv(65536)
    assert wire == b"".join(frame(3, 1, b"%03d" % n) for n in range(100)) + frame(8, 0, b"")


def test_a_gathering_that_fails_sends_nothing_of_it():
    transport, broker = transport_over(ReadAheadTCPTransport)
    sent = counting_sends(transport)
    with pytest.raises(RuntimeError):
        with transport.gathering():
            transport.write(frame(3, 1, b"half a batch"))
            raise RuntimeError("the publisher failed in the middle")
    assert sent == []
    transport.write(frame(8, 0, b""))
    assert sent == [frame(8, 0, b"")], "writing goes straight out again afterwards"


def test_a_frame_read_ahead_is_taken_without_touching_the_sockets_timeout():
    transport, broker = transport_over(ReadAheadTCPTransport)
    broker.sendall(b"".join(frame(3, 1, b"b" * 100) for _ in range(3)))
    timeouts = []
    real = transport.sock

    class Watching:
        def __getattr__(self, name):
            return getattr(real, name)

        def settimeout(self, value):
            timeouts.append(value)
            return real.settimeout(value)

    transport.sock = Watching()
    for _ in range(3):
        with transport.having_timeout(1.0):
            assert transport.read_frame() == (3, 1, b"b" * 100)
    assert timeouts == [1.0, 0.005], "only the first frame's read went to the socket, its timeout set and put back"
    with pytest.raises(socket.timeout):
        with transport.having_timeout(0.01):
            transport.read_frame()
