"""Server-side web sessions: the browser holds only a random id; what a session holds stays in the gateway's store.

A referral half-way through its form holds a child's details, so none of it travels in a cookie. The stored record is
keyed by the SHA-256 of the id (a leaked store does not give working cookies) and ends after idleness or a fixed
length (domain.session_expired), at sign-out, or when a sign-in starts a fresh one. What an expired session held is
cleared by a sweep that any request may trigger, at most once every SWEEP_EVERY in each process, so a form abandoned
half-way does not keep a child's details.

A store that cannot be used just now (locked by another program) leaves a session as it was: a request that only
had its session touched is answered as it was; one whose session changed (a sign-in, a form's answers) is answered
with the 503 that any call meeting that store gets, since what it would have kept is not kept.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from datetime import datetime, timedelta

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from shared.clock import now
from shared.store import StoreUnavailable
from shared.web import store_problem

from services.gateway import domain
from services.gateway.store import GatewayStore

log = logging.getLogger(__name__)

COOKIE = "llais_session"
TOUCH_EVERY = timedelta(seconds=60)
SWEEP_EVERY = timedelta(minutes=5)


class WebSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None = None, key: str | None = None, record=None, created_at: str = ""):
        def changed(_):
            self.modified = True

        super().__init__(initial, changed)
        self.key = key
        self.record = record
        self.created_at = created_at
        self.modified = False
        self.renew = False
        self.ended = False

    def restart(self) -> None:
        """Start a fresh session (a new id) keeping nothing: on sign-in, so an id known before it is worthless."""
        self.clear()
        self.renew = True

    def end(self) -> None:
        self.clear()
        self.ended = True


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class StoreSessionInterface(SessionInterface):
    def __init__(self, store: GatewayStore):
        self.store = store
        self.swept_at: datetime | None = None
        self.sweeping = threading.Lock()

    def sweep(self, moment: datetime) -> int:
        """End every expired session that has not ended, clearing what it held; returns how many. Only sessions idle
        or begun long enough ago to have expired are read."""
        ended = 0
        for record in self.store.stale_web_sessions(moment - domain.SESSION_IDLE, moment - domain.SESSION_LONGEST):
            if domain.session_expired(record.body, moment):
                self.store.end_web_session(record.id)
                ended += 1
        return ended

    def _sweep_if_due(self) -> None:
        moment = now()
        if (self.swept_at and moment - self.swept_at < SWEEP_EVERY) or not self.sweeping.acquire(blocking=False):
            return
        try:
            self.swept_at = moment
            self.sweep(moment)
        except StoreUnavailable as exc:  # the next sweep due clears what this one could not
            log.warning("expired sessions not swept; the store cannot be used now", extra={"llais_error": str(exc)})
        finally:
            self.sweeping.release()

    def open_session(self, app: Flask, request: Request) -> WebSession:
        self._sweep_if_due()
        key = request.cookies.get(COOKIE, "")
        if not key or len(key) > 100:
            return WebSession()
        record = self.store.web_session(_digest(key))
        if record is None or record.body.get("ended_at") or domain.session_expired(record.body, now()):
            return WebSession()
        return WebSession(record.body["data"], key=key, record=record, created_at=record.body["created_at"])

    def save_session(self, app: Flask, session: WebSession, response: Response) -> None:
        try:
            self._save(app, session, response)
        except StoreUnavailable as exc:
            if session.modified or session.ended or session.renew:
                _refused(app, response, exc)
            else:  # only its last request went unnoted: the answer stands
                log.warning("a session's last request not noted; the store cannot be used now",
                            extra={"llais_error": str(exc)})

    def _save(self, app: Flask, session: WebSession, response: Response) -> None:
        cookie = {"domain": self.get_cookie_domain(app), "path": self.get_cookie_path(app),
                  "secure": self.get_cookie_secure(app), "httponly": True,
                  "samesite": self.get_cookie_samesite(app) or "Lax"}
        moment = now()
        if session.ended or (session.renew and session.key):
            if session.key:
                self.store.end_web_session(_digest(session.key))
            if session.ended:
                response.delete_cookie(COOKIE, **{k: v for k, v in cookie.items() if k != "httponly"})
                return
            session.key, session.record, session.created_at = None, None, ""
        if session.key is None:
            if not session:
                return  # nothing to keep: no cookie, no record
            session.key = secrets.token_urlsafe(32)
            session.created_at = moment.isoformat()
        elif not session.modified and not _due_a_touch(session.record.body, moment):
            return
        body = {"data": dict(session), "created_at": session.created_at, "last_seen_at": moment.isoformat(),
                "ended_at": None}
        self.store.save_web_session(session.record, _digest(session.key), body)
        response.set_cookie(COOKIE, session.key, **cookie)
        response.vary.add("Cookie")


def _refused(app: Flask, response: Response, error: StoreUnavailable) -> None:
    """Turn the answer already made into the app's 503 for `error` (a page, or a problem): sessions are saved after
    the error handlers have run, so the answer is rewritten here rather than raised."""
    refusal = app.make_response(app.handle_user_exception(store_problem(error)))
    response.status_code = refusal.status_code
    response.set_data(refusal.get_data())
    response.content_type = refusal.content_type
    response.headers.pop("Location", None)
    response.headers.pop("Set-Cookie", None)
    if "Retry-After" in refusal.headers:
        response.headers["Retry-After"] = refusal.headers["Retry-After"]


def _due_a_touch(body: dict, moment: datetime) -> bool:
    return moment - datetime.fromisoformat(body["last_seen_at"]) > TOUCH_EVERY
