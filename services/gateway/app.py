"""The composition root of the gateway."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from shared import erasure
from shared.config import INTERNAL_SERVICES, Settings
from shared.councils import CouncilRegister
from shared.http import ServiceClient
from shared.settling import Settler
from shared.store import Store, open_store
from shared.web import create_service_app

from services.gateway import (access, api, cases_api, complaints_api, holds_api, idempotency, messages_api,
                              reports_api, retention, transitions_api, web)
from services.gateway.openapi import build_spec
from services.gateway.store import INDEXES, GatewayStore

NAME = "gateway"
PATIENCE = {"reporting": 120.0}
"""How long the gateway waits for a service's answer, where it is longer than the usual 10 seconds: a provider's
annual report counts every fact of two years."""


def create_app(settings: Settings | None = None, *, store: Store | None = None,
               readiness: Iterable[Callable[[], None]] = (),
               health: Callable[[], Mapping[str, Any]] | None = None) -> Flask:
    settings = settings or Settings.from_env()
    store = erasure.stamping(store or open_store(NAME, settings), retention.RETAINED, settings.retention)
    store.ensure_indexes((*INDEXES, *erasure.indexes(retention.RETAINED)), strict=settings.strict_queries)
    app = create_service_app(NAME, settings, store, readiness=readiness, internal=False, health=health)
    app.extensions["llais.gateway_store"] = GatewayStore(store)
    idempotency.release_abandoned_reservations(app.extensions["llais.gateway_store"])  # left by a process that died
    app.extensions["llais.councils"] = CouncilRegister.load(settings.councils_file)
    app.extensions["llais.clients"] = {
        name: ServiceClient(name, url, internal_token=settings.internal_token, timeout=PATIENCE.get(name, 10.0))
        for name, url in settings.service_urls.items() if name in INTERNAL_SERVICES
    }
    app.extensions["llais.settler"] = Settler(app.extensions["llais.clients"], settings.settle_seconds)
    app.url_value_preprocessor(access.refuse_malformed_ids)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(cases_api.blueprint)
    app.register_blueprint(complaints_api.blueprint)
    app.register_blueprint(reports_api.blueprint)
    app.register_blueprint(messages_api.blueprint)
    app.register_blueprint(transitions_api.blueprint)
    app.register_blueprint(holds_api.blueprint)
    if settings.trusted_proxies:  # the client's address and scheme as the proxies in front say, for limits and cookies
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    web.install(app, settings, app.extensions["llais.gateway_store"])
    web.csrf.exempt(api.blueprint)
    web.csrf.exempt(cases_api.blueprint)
    web.csrf.exempt(complaints_api.blueprint)
    web.csrf.exempt(reports_api.blueprint)
    web.csrf.exempt(messages_api.blueprint)
    web.csrf.exempt(transitions_api.blueprint)
    web.csrf.exempt(holds_api.blueprint)
    spec = build_spec(council.code for council in app.extensions["llais.councils"].all())

    @app.get("/api/v1/openapi.json")
    def openapi():
        return spec

    @app.before_request
    def _erase_what_is_due():
        retention.sweep.if_due(store, lambda: retention.held_referrals(app.extensions["llais.clients"]))

    @app.after_request
    def _challenge(response):
        if response.status_code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="llais"'
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not request.path.startswith("/assets/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
