"""The few errors a service's handlers raise, each with what it means over HTTP.

A rule's own error subclasses one of these (a referral's forbidden transition is a `StateForbids`), so the shared
app factory maps all of them once: the status, a stable `code` a caller (the gateway's pages, a council's
integration) can act on whatever the wording, and the detail in plain words. Anything else raised under a handler
is a programming error: a 500, logged with its trace.
"""

from __future__ import annotations

from typing import Any, Mapping


class LlaisError(Exception):
    """Base of the named errors: `status` is its HTTP status and `code` its stable name; a rule's own error may
    name itself more closely (`meeting.double_booked`) and give a `title`. The message says what happened in the
    rule's words; `detail_format` makes the problem's detail from it, and `params` go into the problem as they are
    (so a page can say it again in its reader's language and words)."""

    status = 500
    code = "internal"
    title: str | None = None
    detail_format = "{message}"

    def __init__(self, message: str = "", **params: Any):
        super().__init__(message)
        self.message = message
        self.params = params

    @property
    def detail(self) -> str:
        return self.detail_format.format(message=self.message, **self.params)


class Refused(LlaisError):
    """The request breaks a rule; `errors` says which fields, and what to fix."""

    status = 422
    code = "refused"

    detail_format = "The request breaks a rule; see errors."

    def __init__(self, errors: Mapping[str, list[str]], **params: Any):
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()), **params)
        self.errors = {name: list(messages) for name, messages in errors.items()}


class StateForbids(LlaisError):
    """What is asked cannot happen in the state the thing is in now."""

    status = 409
    code = "state_forbids"
    detail_format = "Not now: {message}."


class NotFound(LlaisError, LookupError):
    """No such thing here, or none the caller may see (which reads the same)."""

    status = 404
    code = "not_found"


class NotAllowed(LlaisError):
    """The caller may see this but not do this to it."""

    status = 403
    code = "not_allowed"
    detail_format = "Not allowed: {message}."


class Busy(LlaisError):
    """Others kept changing the same thing at once: the same request a moment later will succeed."""

    status = 503
    code = "busy"
    retry_after = 1


__all__ = ["Busy", "LlaisError", "NotAllowed", "NotFound", "Refused", "StateForbids"]
