"""The client for calls between services (shared.http), against the servers it meets: waitress as embedded mode
runs it, and a socket that answers as a server may when it is closing, slow or broken."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import pytest
from flask import Flask, Response, request

from services.platform import HttpServer
from shared import http
from shared.http import ServiceClient, ServiceUnavailable


def echo_app() -> Flask:
    app = Flask("echo")

    @app.route("/echo/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
    def echo(rest):
        return {"method": request.method, "path": request.path, "query": request.query_string.decode(),
                "body": request.get_json(silent=True), "peer": request.environ["REMOTE_PORT"],
                "actor": request.headers.get("X-Llais-Actor"), "token": request.headers.get("X-Llais-Internal-Token")}

    @app.get("/streamed")
    def streamed():
        return Response((f"part {n};" for n in range(500)), mimetype="text/plain")  # no length: sent in chunks

    @app.get("/nothing")
    def nothing():
        return "", 204, {"Retry-After": "7"}

    return app


@pytest.fixture(scope="module")
def served():
    server = HttpServer(echo_app(), host="127.0.0.1", port=0, threads=4, name="echo")
    yield f"http://127.0.0.1:{server.port}"
    server.stop()


def test_an_answer_comes_whole_with_headers_in_any_case_and_one_connection_carries_every_call(served):
    client = ServiceClient("echo", served, internal_token="internal")
    try:
        answers = [client.request("POST", f"/echo/referrals/{n}", json={"n": n, "name": "Siân"},
                                  params={"page": n, "none": None}, headers={"X-Llais-Actor": "a@example.org"})
                   for n in range(200)]
    finally:
        client.close()
    assert {a.status_code for a in answers} == {200}
    bodies = [a.json() for a in answers]
    assert [b["body"] for b in bodies] == [{"n": n, "name": "Siân"} for n in range(200)]
    assert bodies[7]["path"] == "/echo/referrals/7" and bodies[7]["query"] == "page=7"
    assert {b["actor"] for b in bodies} == {"a@example.org"} and {b["token"] for b in bodies} == {"internal"}
    assert len({b["peer"] for b in bodies}) == 1, "calls one after another share one kept-alive connection"
    assert answers[0].headers["content-type"] == answers[0].headers.get("Content-Type") == "application/json"
    assert "CONTENT-LENGTH" in answers[0].headers and answers[0].headers.get("X-Absent", "-") == "-"


def test_a_streamed_answer_is_read_by_its_chunks_and_an_answer_without_a_body_is_empty(served):
    client = ServiceClient("echo", served)
    try:
        streamed = client.request("GET", "/streamed")
        nothing = client.request("GET", "/nothing")
        after = client.request("GET", "/echo/after")
    finally:
        client.close()
    assert streamed.headers["Transfer-Encoding"] == "chunked"
    assert streamed.content.decode() == "".join(f"part {n};" for n in range(500))
    assert nothing.status_code == 204 and nothing.content == b"" and nothing.headers["Retry-After"] == "7"
    assert after.json()["path"] == "/echo/after", "the connection reads on cleanly after both"


def test_many_threads_at_once_are_answered_and_keep_no_more_than_the_pool_open(served):
    client = ServiceClient("echo", served)
    results: list[int] = []

    def caller(n: int) -> None:
        for m in range(10):
            results.append(client.request("GET", f"/echo/{n}/{m}").json()["path"] == f"/echo/{n}/{m}")

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 400 and all(results)
    assert len(client._idle) <= http.POOL_SIZE
    client.close()
    assert client._idle == []


@contextmanager
def raw_server(answer: Callable[[int, socket.socket, bytes], None]) -> Iterator[tuple[str, list[bytes]]]:
    """A socket server that reads each request and hands it to `answer(connection_number, conn, request)`."""
    listening = socket.create_server(("127.0.0.1", 0))
    heard: list[bytes] = []
    stop = threading.Event()

    def serve(number: int, conn: socket.socket) -> None:
        with conn:
            buffered = b""
            while not stop.is_set():
                while b"\r\n\r\n" not in buffered:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffered += chunk
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(buffered) < length:
                    buffered += conn.recv(65536)
                heard.append(head.split(b"\r\n")[0])
                buffered = buffered[length:]
                try:
                    answer(number, conn, head)
                except OSError:
                    return

    def accept() -> None:
        number = 0
        while not stop.is_set():
            try:
                conn, _ = listening.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(number, conn), daemon=True).start()
            number += 1

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}", heard
    finally:
        stop.set()
        listening.close()


OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"


def test_a_body_that_runs_to_the_close_is_read_whole_and_its_connection_not_kept():
    def answer(number, conn, head):
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 100_000)
        conn.shutdown(socket.SHUT_WR)

    with raw_server(answer) as (url, heard):
        client = ServiceClient("raw", url)
        assert [client.request("GET", "/a").content for _ in range(3)] == [b"x" * 100_000] * 3
        assert client._idle == []


def test_a_connection_the_service_closed_while_idle_is_not_used_again():
    def answer(number, conn, head):
        conn.sendall(OK)
        conn.shutdown(socket.SHUT_RDWR)  # a keep-alive timeout: answered, then closed

    with raw_server(answer) as (url, heard):
        client = ServiceClient("raw", url)
        first = client.request("POST", "/a", json={})
        time.sleep(0.05)
        second = client.request("POST", "/b", json={})
        assert first.json() == second.json() == {"ok": True}
        assert heard == [b"POST /a HTTP/1.1", b"POST /b HTTP/1.1"]


@pytest.mark.parametrize("method, asked_again", [("GET", True), ("POST", False)])
def test_a_kept_connection_closed_as_a_call_goes_out_asks_again_only_for_a_read(method, asked_again):
    def answer(number, conn, head):
        if number == 0 and head.startswith(b"%s /second" % method.encode()):
            conn.shutdown(socket.SHUT_RDWR)  # read the request, closed without a word
            return
        conn.sendall(OK)

    with raw_server(answer) as (url, heard):
        client = ServiceClient("raw", url)
        client.request(method, "/first", json={} if method == "POST" else None)
        if asked_again:
            assert client.request(method, "/second").json() == {"ok": True}
        else:
            with pytest.raises(ServiceUnavailable):
                client.request(method, "/second", json={})
        assert [line.split()[1] for line in heard] == [b"/first", b"/second"] + ([b"/second"] if asked_again else [])


@pytest.mark.parametrize("reply", [
    b"SSH-2.0-OpenSSH\r\n\r\n",
    b"HTTP/1.1 2x0 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"cut\":",
    b"HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"X-Many: a\r\n" * 101 + b"\r\n",
])
def test_an_answer_that_is_not_http_is_the_service_not_answering(reply):
    def answer(number, conn, head):
        conn.sendall(reply)
        conn.shutdown(socket.SHUT_RDWR)

    with raw_server(answer) as (url, heard):
        client = ServiceClient("raw", url)
        with pytest.raises(ServiceUnavailable):
            client.request("GET", "/a")
        assert client._idle == []


def test_a_service_that_is_down_or_silent_is_unavailable_within_the_timeout():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(ServiceUnavailable):
        ServiceClient("down", f"http://127.0.0.1:{port}").request("GET", "/a")
    with raw_server(lambda number, conn, head: None) as (url, heard):
        began = time.monotonic()
        with pytest.raises(ServiceUnavailable, match="silent did not answer"):
            ServiceClient("silent", url, timeout=0.3).request("GET", "/a")
        assert time.monotonic() - began < 3


@pytest.mark.parametrize("headers", [{"X-Llais-Actor": "a@example.org\r\nX-Llais-Role: admin"},
                                     {"X-Bad\nName": "v"}, {"X-Bad: name": "v"}])
def test_a_header_that_would_split_the_request_is_refused_before_anything_is_sent(headers):
    with raw_server(lambda number, conn, head: conn.sendall(OK)) as (url, heard):
        with pytest.raises(ValueError):
            ServiceClient("raw", url).request("GET", "/a", headers=headers)
        time.sleep(0.05)
        assert heard == []


def test_a_service_url_must_be_http_with_a_host():
    for url in ("ftp://referral", "referral:8000", "http://"):
        with pytest.raises(ValueError):
            ServiceClient("referral", url)
