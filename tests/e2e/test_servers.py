"""The servers of the embedded mode and of a worker's health endpoint: a production WSGI server that names no
software in its answers, and a shutdown that leaves no server thread, listening socket or store file open."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import replace
from pathlib import Path

import requests

from services.platform import GATEWAY_THREADS, Embedded, worker_health
from tests.e2e.conftest import free_port_block


def files_open_under(folder: Path) -> list[str]:
    """This process's open files inside `folder` (the stores' databases, their WAL and shared memory)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(f"{folder.resolve()}/"):
            found.append(target)
    return found


def server_threads(before: set[threading.Thread]) -> list[str]:
    return [t.name for t in threading.enumerate()
            if t not in before and (t.name.startswith("waitress") or t.name.endswith("-http"))]


def refuses(url: str) -> bool:
    host, port = url.split("//")[1].split(":")
    try:
        with socket.create_connection((host.replace("localhost", "127.0.0.1"), int(port)), timeout=2):
            return False
    except OSError:
        return True


def test_every_server_of_the_embedded_mode_names_no_software_and_stops_clean(settings):
    before = set(threading.enumerate())
    platform = Embedded(settings, port=0)
    gateway = platform.start()
    try:
        urls = {"gateway": gateway, **platform.settings.service_urls}
        assert set(urls) == {"gateway", "referral", "scheduling", "casework", "complaints", "notify", "reporting"}
        for name, url in urls.items():
            for path in ("/healthz", "/no-such-page"):
                answer = requests.get(f"{url}{path}", timeout=10)
                assert answer.status_code in (200, 401, 404), (name, path, answer.status_code)
                assert "Server" not in answer.headers, (name, path, answer.headers["Server"])
        assert server_threads(before), "no waitress server thread is running"
        assert files_open_under(settings.data_dir), "the stores are not open"
    finally:
        platform.stop()
    assert server_threads(before) == []
    assert all(refuses(url) for url in urls.values())
    assert files_open_under(settings.data_dir) == []


class _Worker:
    """What the health endpoint asks of a worker: its loops, and its store's ping."""

    class store:
        @staticmethod
        def ping() -> None:
            return None

    @staticmethod
    def loops() -> dict[str, bool]:
        return {"referral-relay": True, "referral-consumer": True}

    @staticmethod
    def failing() -> dict[str, dict]:
        return {}


def test_a_workers_health_endpoint_names_no_software_and_stops_clean(settings):
    before = set(threading.enumerate())
    port = free_port_block(1)
    health = worker_health("referral", _Worker(), replace(settings, health_port=port), "127.0.0.1")
    try:
        answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert answer.status_code == 200 and answer.json()["loops"] == _Worker.loops()
        assert "Server" not in answer.headers, answer.headers["Server"]
    finally:
        health.stop()
    assert server_threads(before) == []
    assert refuses(f"http://127.0.0.1:{port}")


def test_the_gateway_answers_more_clients_at_once_than_it_has_threads(settings):
    clients = GATEWAY_THREADS * 3
    platform = Embedded(settings, port=0)
    gateway = platform.start()
    statuses: list[int] = []
    start = threading.Barrier(clients)

    def client() -> None:
        start.wait()
        with requests.Session() as http:
            statuses.extend(http.get(f"{gateway}/api/v1/openapi.json", timeout=30).status_code for _ in range(5))

    try:
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        platform.stop()
    assert statuses == [200] * clients * 5


def test_proxy_headers_reach_the_app_which_decides_whom_to_trust():
    """waitress would clear X-Forwarded-* itself; the gateway's LLAIS_TRUSTED_PROXIES must see them to decide."""
    from services.platform import HttpServer

    def echo(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ.get("HTTP_X_FORWARDED_FOR", "").encode()]

    server = HttpServer(echo, host="127.0.0.1", port=0, threads=1, name="echo")
    try:
        answer = requests.get(f"http://127.0.0.1:{server.port}/", headers={"X-Forwarded-For": "192.0.2.1"}, timeout=10)
    finally:
        server.stop()
    assert answer.text == "192.0.2.1"
