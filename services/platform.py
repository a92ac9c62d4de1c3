"""Running the platform: one service role, every service in one process (embedded), or every role as a process.

This module and `services.cli` are the only places that know every service; they import each one by name, never
the other way round.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Callable, Sequence

from shared import telemetry
from shared.clock import new_secret
from shared.config import Settings
from shared.store import Store, StoreUnavailable, open_store
from shared.store.backup import DataFolderLock

from services import INTERNAL_SERVICES, SERVICES

log = logging.getLogger("llais.platform")


def hold_data_folder(settings: Settings) -> DataFolderLock | None:
    """A shared hold on the SQLite data folder for as long as this process serves from it, so that `llais restore`
    refuses to write under it (MongoDB's stores need none)."""
    return None if settings.mongo_url else DataFolderLock(settings.data_dir)


def service_app(name: str) -> ModuleType:
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; the services are: {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.app")


def retained(name: str) -> tuple:
    """How a service's records fall due and are erased (shared/erasure.py): the gateway's own, or its definition's."""
    if name == "gateway":
        from services.gateway.retention import RETAINED

        return RETAINED
    return tuple(service_app(name).SERVICE.retained)


def bindings() -> dict[str, list[str]]:
    """The event types each service's queue is bound to: the bus topology."""
    return {
        name: sorted(importlib.import_module(f"services.{name}.worker").HANDLERS)
        for name in INTERNAL_SERVICES
    }


# one role in this process


def gunicorn(factory: Callable[[], object], *, name: str, host: str, port: int, processes: int) -> None:
    """Serve the WSGI app `factory` builds under gunicorn: `processes` forked workers of 4 threads each.

    The app is built in each forked worker, so each has its own store connections and tracer export thread.
    """
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", processes)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("proc_name", name)

        def load(self):
            return factory()

    Server().run()


API_RELAY_POLL_SECONDS = 5.0
"""An API process's relay is woken by its own requests' commits; it looks again this often only for a lease that
ran out (the worker's relay catches anything else)."""


def serve_api(name: str, settings: Settings, host: str, port: int, processes: int) -> None:
    """The service's internal (or, for the gateway, public) API under gunicorn. Each process of a service that
    publishes events relays what its own requests commit as soon as they commit, on a thread of its own."""
    module = service_app(name)
    held = hold_data_folder(settings)  # the gunicorn master's, and its forked workers' with it

    def build():
        telemetry.configure(name, level=settings.log_level)
        app = module.create_app(settings)
        if name in INTERNAL_SERVICES:
            start_api_relay(name, app.extensions["llais.store"], settings)
        return app

    gunicorn(build, name=f"llais-{name}-api", host=host, port=port, processes=processes)
    if held is not None:
        held.release()


def start_api_relay(name: str, store: Store, settings: Settings) -> threading.Thread:
    from shared.bus import OutboxRelay

    relay = OutboxRelay(store, settings, service=name)
    thread = threading.Thread(target=relay.run, args=(threading.Event(), store.new_events, API_RELAY_POLL_SECONDS),
                              name=f"{name}-api-relay", daemon=True)
    thread.start()
    return thread


def serve_worker(name: str, settings: Settings, host: str = "127.0.0.1") -> None:
    """The service's event consumer, outbox relay and periodic tasks, until SIGTERM or SIGINT."""
    if name not in INTERNAL_SERVICES:
        raise ValueError(f"{name} has no worker role")
    telemetry.configure(name, level=settings.log_level)
    held = hold_data_folder(settings)
    worker = service_app(name).create_worker(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    health = worker_health(name, worker, settings, host) if settings.health_port else None
    log.info("worker started", extra={"llais_service": name})
    worker.run(stop)
    if health is not None:
        health.stop()
    worker.store.close()
    if held is not None:
        held.release()
    log.info("worker stopped", extra={"llais_service": name})


def failing_loops(workers: Sequence) -> dict:
    """What `/healthz` adds while loops of `workers` fail (each trying again after a growing wait): which, since
    when, and why. Nothing while every loop works."""
    failing = {loop: since for worker in workers for loop, since in worker.failing().items()}
    return {"status": "failing", "failing": failing} if failing else {}


def check_loops(workers: Sequence) -> None:
    """Raise unless every loop of `workers` works: a role whose consumer, relay or clock cannot use its store or
    the bus is not ready, though it keeps trying."""
    failing = failing_loops(workers).get("failing")
    if failing:
        raise RuntimeError("; ".join(f"{loop} failing since {since['since']}: {since['error']}"
                                     for loop, since in failing.items()))


def worker_health(name: str, worker, settings: Settings, host: str) -> "HttpServer":
    """`/healthz` (every loop of the worker is running, and which are failing) and `/readyz` (its store and the
    broker answer, and no loop is failing) on LLAIS_HEALTH_PORT, for an orchestrator's checks."""
    from flask import Flask

    from shared.bus import broker_check
    from shared.web import Problem, problem_response

    app = Flask(f"llais.{name}.worker")

    @app.get("/healthz")
    def healthz():
        loops = worker.loops()
        if not loops or not all(loops.values()):
            return problem_response(Problem(503, "A worker loop has stopped.", loops=loops))
        return {"status": "ok", "service": name, "role": "worker", "loops": loops, **failing_loops([worker])}

    @app.get("/readyz")
    def readyz():
        failures = {}
        for check, run in (("store", worker.store.ping), ("broker", lambda: broker_check(settings)),
                           ("loops", lambda: check_loops([worker]))):
            try:
                run()
            except Exception as exc:  # readiness reports each failing dependency rather than raising
                failures[check] = str(exc)
        if failures:
            return problem_response(Problem(503, "Not ready.", checks=failures))
        return {"status": "ready", "service": name, "role": "worker"}

    return HttpServer(app, host=host, port=settings.health_port, threads=HEALTH_THREADS, name=f"{name}-health")


# WSGI apps served on threads of this process (embedded mode, workers' health)

GATEWAY_THREADS = 8
"""The gateway's request threads: each spends most of a request waiting on an internal service, so more threads
than cores; no more than the gateway's pooled connections to one service (requests keeps 10 a host)."""
SERVICE_THREADS = 4
"""An internal API's request threads; its only caller is the gateway."""
HEALTH_THREADS = 2
"""A worker's health endpoint answers an orchestrator's probes, one or two at a time."""
MAX_CONNECTIONS = 100
"""Client connections one server holds open at once; more wait in the listen backlog. Idle ones close after two
minutes."""


class HttpServer:
    """A WSGI app served by waitress on a thread of this process.

    A fixed pool of request threads and a cap on open connections, so however many requests arrive the process
    holds a bounded number of threads and file handles (werkzeug's development server started a thread a request).
    No `Server` header names the software. Proxy headers reach the app untouched: the gateway decides whom to
    trust (LLAIS_TRUSTED_PROXIES).
    """

    def __init__(self, app: Callable, *, host: str, port: int, threads: int, name: str):
        from waitress import create_server

        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        listening = socket.create_server(address, family=family)  # one socket, even where a name has two addresses
        self.port: int = listening.getsockname()[1]
        self.name = name
        self._server = create_server(app, sockets=[listening], threads=threads, connection_limit=MAX_CONNECTIONS,
                                     ident="", clear_untrusted_proxy_headers=False, asyncore_use_poll=True)
        self._stopped = False
        self._thread = threading.Thread(target=self._server.run, name=f"{name}-http", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Take no more connections, let the requests under way finish (up to `timeout`), then close every
        connection and the listening socket, and end the server's thread."""
        from waitress import wasyncore

        if self._stopped:
            return
        self._stopped = True
        server = self._server
        # the server's loop changes its own state: the trigger runs each step in the server's thread
        self._in_loop(lambda: setattr(server, "accepting", False))
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout)
        self._in_loop(lambda: wasyncore.close_all(server._map))  # the loop ends with nothing left
        self._thread.join(timeout)

    def _in_loop(self, step: Callable[[], None]) -> None:
        """Run `step` in the server's own thread; if its loop has already closed the trigger, the loop is over and
        the step runs here."""
        try:
            self._server.trigger.pull_trigger(step)
        except OSError:
            step()


# embedded mode: every service in one process


class Unopened:
    """The store of a service that could not open it (a damaged file): it answers every use with why, and what to do.

    The service's API then answers 503 and its `/readyz` says this; the other services run on."""

    def __init__(self, reason: str):
        self.reason = reason

    def ping(self) -> None:
        raise StoreUnavailable(self.reason)

    def close(self) -> None:
        return None


def unavailable_app(name: str, settings: Settings, store: Unopened):
    """A service that cannot start: `/healthz` answers, `/readyz` says why, every other call is a 503."""
    from flask import request

    from shared.web import create_service_app

    app = create_service_app(name, settings, store, internal=name != "gateway")

    @app.before_request
    def _unavailable():
        if request.path not in ("/healthz", "/readyz"):
            store.ping()

    return app


class Embedded:
    """Every service and role in this process: internal APIs on loopback ports, workers as threads.

    The bus is a SQLite file (shared.bus.sqlite_transport) unless AMQP_URL names a broker; stores are SQLite files
    under LLAIS_DATA (or MongoDB when MONGO_URL is set). Each service's API and worker share one store, which `stop` closes.
    A service whose store cannot be opened starts unready, saying which file and what to do; the others run. The
    gateway is ready while every store and the bus can be used and no worker's loop is failing.
    """

    def __init__(self, settings: Settings, *, host: str = "127.0.0.1", port: int | None = None):
        if not settings.internal_token:
            settings = replace(settings, internal_token=new_secret())
        if not settings.secret_key:
            settings = replace(settings, secret_key=new_secret())  # sessions last as long as this run
        self.settings = settings
        self.host = host
        self.port = settings.port if port is None else port
        self._servers: list[HttpServer] = []
        self._workers: list = []
        self._stores: dict[str, Store] = {}
        self._clients: list = []
        self._held: DataFolderLock | None = None
        self.url = ""

    def start(self) -> str:
        from shared.bus import declare_topology

        self._held = hold_data_folder(self.settings)
        telemetry.configure("embedded", level=self.settings.log_level)
        declare_topology(self.settings, bindings())
        urls = {}
        workers: dict[str, list] = {name: [] for name in INTERNAL_SERVICES}
        for name in INTERNAL_SERVICES:
            own = workers[name]

            def worker_loops(own=own) -> None:
                check_loops(own)

            app = self._app(name, readiness=(worker_loops,), health=lambda own=own: failing_loops(own))
            server = self._serve(app, "127.0.0.1", 0, SERVICE_THREADS, name)
            urls[name] = f"http://127.0.0.1:{server.port}"
        self.settings = replace(self.settings, service_urls={**urls, **self.settings.service_urls})
        for name in INTERNAL_SERVICES:
            if isinstance(self._store(name), Unopened):
                continue
            worker = service_app(name).create_worker(self.settings, store=self._store(name))
            worker.start()
            workers[name].append(worker)
            self._workers.append(worker)
        gateway_app = self._app("gateway", readiness=(self.stores_reachable, self.broker_reachable, self.worker_loops),
                                health=lambda: failing_loops(self._workers))
        self._clients.extend(gateway_app.extensions.get("llais.clients", {}).values())
        gateway = self._serve(gateway_app, self.host, self.port, GATEWAY_THREADS, "gateway")
        self.url = f"http://{'localhost' if self.host in ('127.0.0.1', '0.0.0.0') else self.host}:{gateway.port}"
        return self.url

    def _store(self, name: str) -> Store | Unopened:
        if name not in self._stores:
            try:
                self._stores[name] = open_store(name, self.settings)
            except StoreUnavailable as exc:
                self._stores[name] = self._unopened(name, exc)
        return self._stores[name]

    def _app(self, name: str, **checks):
        """The service's API on its store, or, if the store cannot be used at start, one saying so."""
        store = self._store(name)
        if not isinstance(store, Unopened):
            try:
                return service_app(name).create_app(self.settings, store=store, **checks)
            except StoreUnavailable as exc:  # it opened, but making its indexes found it locked or damaged
                store.close()
                store = self._stores[name] = self._unopened(name, exc)
        return unavailable_app(name, self.settings, store)

    @staticmethod
    def _unopened(name: str, exc: StoreUnavailable) -> Unopened:
        reason = (f"The {name} service cannot start: {exc}. If another program holds the file, start Llais again "
                  "once it has let go; if the file is damaged, restore it from a backup, or move it aside for the "
                  "service to begin with an empty store, then start Llais again.")
        log.error("a service's store cannot be used; that service is not started",
                  extra={"llais_service": name, "llais_error": reason})
        return Unopened(reason)

    def stores_reachable(self) -> None:
        failures = []
        for store in self._stores.values():
            try:
                store.ping()
            except StoreUnavailable as exc:
                failures.append(str(exc))
        if failures:
            raise StoreUnavailable("; ".join(failures))

    def broker_reachable(self) -> None:
        from shared.bus import broker_check

        broker_check(self.settings)

    def worker_loops(self) -> None:
        check_loops(self._workers)

    def _serve(self, app, host: str, port: int, threads: int, name: str) -> HttpServer:
        server = HttpServer(app, host=host, port=port, threads=threads, name=f"{name}-api")
        self._servers.append(server)
        return server

    def stop(self) -> None:
        """Stop the servers (the gateway first), then the workers, then close the gateway's connections to the
        services and every store."""
        for server in reversed(self._servers):
            server.stop()
        for worker in self._workers:
            worker.stop()
        for client in self._clients:
            client.close()
        for store in self._stores.values():
            store.close()
        self._servers.clear()
        self._workers.clear()
        self._clients.clear()
        self._stores.clear()
        if self._held is not None:
            self._held.release()
            self._held = None


# multi-process mode: every role its own process


@dataclass
class Role:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0


def process_roles(settings: Settings, *, workers_per_service: int = 1,
                  api_processes: int = 1) -> tuple[list[Role], dict]:
    """The roles of `llais up` and the environment they share."""
    base_port = settings.port
    env = {
        **os.environ,
        "AMQP_URL": settings.amqp_url,
        "LLAIS_DATA": str(settings.data_dir),
        "LLAIS_INTERNAL_TOKEN": settings.internal_token or new_secret(),
        "LLAIS_SECRET_KEY": settings.secret_key or new_secret(),
        "WEB_CONCURRENCY": str(api_processes),
        "PYTHONUNBUFFERED": "1",
    }
    roles = []
    for offset, name in enumerate(SERVICES):
        port = base_port + offset
        if name != "gateway":
            env[f"LLAIS_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
        roles.append(Role(f"{name}-api", [sys.executable, "-m", "services.cli", "serve", name, "--role", "api",
                                          "--port", str(port)]))
    for name in INTERNAL_SERVICES:
        for index in range(workers_per_service):
            roles.append(Role(f"{name}-worker-{index + 1}",
                              [sys.executable, "-m", "services.cli", "serve", name, "--role", "worker"]))
    return roles, env


def run_processes(roles: Sequence[Role], env: dict, stop: threading.Event) -> None:
    """Start every role, restart one that dies (with back-off), and stop them all when `stop` is set."""
    try:
        while not stop.is_set():
            for role in roles:
                if role.process is not None and role.process.poll() is None:
                    continue
                if role.process is not None:
                    log.warning("role exited; restarting", extra={"llais_role": role.name,
                                                                 "llais_code": role.process.returncode})
                    role.restarts += 1
                    role.next_start = time.monotonic() + min(30.0, 0.5 * 2 ** min(role.restarts, 6))
                    role.process = None
                if time.monotonic() >= role.next_start:
                    role.process = subprocess.Popen(role.argv, env=env)
            stop.wait(0.5)
    finally:
        for role in roles:
            if role.process is not None and role.process.poll() is None:
                role.process.terminate()
        deadline = time.monotonic() + 15
        for role in roles:
            if role.process is not None:
                try:
                    role.process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    role.process.kill()
