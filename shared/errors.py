"""The few errors a service's handlers raise, each with what it means over HTTP.

A rule's own error subclasses one of these (a referral's forbidden transition is a `StateForbids`), so the shared
app factory maps all of them once: the status, a stable `code` a caller (the gateway's pages, a council's
integration) can act on whatever the wording, and the detail in plain words. Anything else raised under a handler
is a programming error: a 500, logged with its trace.
"""

from __future__ import annotations

from typing import Any, Mapping


class LlaisError(Exception):
    """Base of the named errors: `status` is its HTTP status, `code` its stable name."""

    status = 500
    code = "internal"

    def __init__(self, detail: str = "", **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Refused(LlaisError):
    """The request breaks a rule; `errors` says which fields, and what to fix."""

    status = 422
    code = "refused"

    def __init__(self, errors: Mapping[str, list[str]], detail: str = "The request breaks a rule; see errors.",
                 **extra: Any):
        super().__init__(detail, **extra)
        self.errors = {name: list(messages) for name, messages in errors.items()}


class StateForbids(LlaisError):
    """What is asked cannot happen in the state the thing is in now."""

    status = 409
    code = "state_forbids"


class NotFound(LlaisError, LookupError):
    """No such thing here, or none the caller may see (which reads the same)."""

    status = 404
    code = "not_found"


class NotAllowed(LlaisError):
    """The caller may see this but not do this to it."""

    status = 403
    code = "not_allowed"


class Busy(LlaisError):
    """Others kept changing the same thing at once: the same request a moment later will succeed."""

    status = 503
    code = "busy"
    retry_after = 1


__all__ = ["Busy", "LlaisError", "NotAllowed", "NotFound", "Refused", "StateForbids"]
