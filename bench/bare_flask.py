"""A bare Flask endpoint under the same gunicorn settings as the services: the baseline of the gateway figures."""

from __future__ import annotations

import sys

from flask import Flask, request

from services.platform import gunicorn


def create_app() -> Flask:
    app = Flask("bare")

    @app.post("/api/v1/referrals")
    def referrals():
        body = request.get_json()
        return {"id": "bare", "kind": body.get("kind"), "status": "received"}, 201

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


if __name__ == "__main__":
    gunicorn(create_app, name="bare-flask", host="127.0.0.1", port=int(sys.argv[1]), processes=int(sys.argv[2]))
