"""The few errors a service's handlers raise, each with what it means over HTTP.

A rule's own error subclasses one of these (a referral's forbidden transition is a `StateForbids`), so the shared
app factory maps all of them once: the status, a stable `code` a caller (the gateway's pages, a council's
integration) can act on whatever the wording, and the detail in plain words. Anything else raised under a handler
is a programming error: a 500, logged with its trace.
"""

from __future__ import annotations

from string import Formatter
from typing import Any, ClassVar, Mapping

PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "errors", "reasons", "code", "trace_id"})
"""The members of a problem (RFC 9457, and ours): no rule's parameter may take one's name."""


class Reason(str):
    """A rule's message as the service says it (English, its API's language), knowing which rule it is: `code` and
    the `params` it was said with, so a page can say it again in its reader's language and words."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, text: str, params: Mapping[str, Any]) -> "Reason":
        reason = super().__new__(cls, text)
        reason.code, reason.params = code, dict(params)
        return reason

    def __reduce__(self):
        return Reason, (self.code, str(self), self.params)


class Rule:
    """A rule a service refuses by: its stable `code` and its wording, whose `{placeholders}` its parameters fill.
    `rule(**params)` is the Reason to raise or to put on a field. Every rule is listed in `Rule.known`, so a test can
    check that the web forms have a wording for each, in both languages."""

    known: ClassVar[dict[str, "Rule"]] = {}

    def __init__(self, code: str, text: str):
        if code in Rule.known and Rule.known[code].text != text:
            raise ValueError(f"two rules are called {code}")
        taken = {name for _, name, _, _ in Formatter().parse(text) if name} & PROBLEM_MEMBERS
        if taken:
            raise ValueError(f"a problem has its own {', '.join(sorted(taken))}: name {code}'s parameters otherwise")
        self.code, self.text = code, text
        Rule.known[code] = self

    def __call__(self, **params: Any) -> Reason:
        return Reason(self.code, self.text.format(**params), params)

    def __repr__(self) -> str:
        return f"Rule({self.code!r})"


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
        """`message` may be a Reason (`rule(**params)`): the error then takes the rule's code and parameters."""
        super().__init__(message)
        if isinstance(message, Reason):
            self.code = message.code
            params = {**message.params, **params}
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
        self.errors = {name: [str(message) for message in messages] for name, messages in errors.items()}
        self.reasons = {name: [{"code": message.code, **message.params} for message in messages]
                        for name, messages in errors.items()
                        if messages and all(isinstance(message, Reason) for message in messages)}
        """The fields whose messages Rules gave, each message as its code and parameters (the problem's
        `reasons`), in the order of `errors`."""


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


NOT_ALLOCATED_TO_YOU = Rule("not_allocated_to_you",
                            "this referral is not allocated to you; a manager can allocate it")
"""An advocate acts only on the referrals (and their meetings and cases) allocated to them."""


__all__ = ["NOT_ALLOCATED_TO_YOU", "Busy", "LlaisError", "NotAllowed", "NotFound", "Reason", "Refused", "Rule", "StateForbids"]
