"""What every service's Flask app shares: problem+json errors, health and readiness, size limits, internal auth.

Errors are mapped to HTTP problems once, here: routes raise `Problem`, handlers raise the named errors of
shared/errors (each knows its status and code), and neither builds an error response itself.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import re
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

from flask import Blueprint, Flask, current_app, jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from shared import telemetry, validation
from shared.config import Settings
from shared.errors import Busy, LlaisError, Refused
from shared.store import Position, StoreUnavailable

PROBLEM_JSON = "application/problem+json"
INTERNAL_TOKEN_HEADER = "X-Llais-Internal-Token"
COUNCIL_HEADER = "X-Llais-Council"
ACTOR_HEADER = "X-Llais-Actor"
ROLE_HEADER = "X-Llais-Role"

log = logging.getLogger(__name__)
T = TypeVar("T")

_TITLES = {
    400: "Malformed request", 401: "Not authenticated", 403: "Not allowed", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Request body too large", 415: "Unsupported media type",
    422: "Invalid request", 429: "Too many requests", 500: "Internal error", 502: "Upstream error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An RFC 9457 problem: raise it from a route and the client gets it as application/problem+json."""

    def __init__(self, status: int, detail: str, *, title: str | None = None,
                 errors: Mapping[str, Any] | None = None, type_: str | None = None,
                 headers: Mapping[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.headers = dict(headers or {})
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.errors = dict(errors) if errors else None
        self.type = type_ or f"https://llais.cymru/problems/{self.title.lower().replace(' ', '-')}"
        self.extra = extra

    def to_dict(self) -> dict:
        body = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def problem_response(problem: Problem):
    response = jsonify(problem.to_dict())
    response.status_code = problem.status
    response.mimetype = PROBLEM_JSON
    response.headers.update(problem.headers)
    return response


def problem_of(error: LlaisError) -> Problem:
    """A named error as the problem a caller reads: its status, title, detail, stable code and parameters."""
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, Busy) else None
    refused = isinstance(error, Refused)
    reasons = {"reasons": error.reasons} if refused and error.reasons else {}
    return Problem(error.status, error.detail or _TITLES.get(error.status, "Error"), title=error.title,
                   errors=error.errors if refused else None, headers=headers, code=error.code,
                   **error.params, **reasons)


STORE_RETRY_AFTER_SECONDS = 5
"""What a 503 for a store that cannot be used asks a caller to wait: a lock held by another writer (a backup, an
operator's sqlite3) is seldom let go sooner."""


def store_problem(error: StoreUnavailable) -> Problem:
    """A store that cannot be used just now (locked, unreadable) as the 503 a caller can wait out; which file and
    why go to the log and the service's /readyz, not to the caller."""
    log.warning("store unavailable; answered 503", extra={"llais_error": str(error)[:300]})
    return Problem(503, "This part of Llais cannot reach its records just now; try again shortly.",
                   headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS)}, code="store_unavailable")


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {field_path: [messages]}, as the public API promises."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, Mapping):
                flat.update(flatten_errors(value, path))
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                flat[path] = list(value)
            elif isinstance(value, list):
                for item in value:
                    flat.update(flatten_errors(item, path))
            else:
                flat[path] = [str(value)]
    elif isinstance(messages, list):
        flat[prefix or "_schema"] = [str(m) for m in messages]
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def json_body(schema: Schema | None = None) -> Any:
    """The request's JSON body, loaded through `schema`; a Problem saying what to fix otherwise.

    Only UTF-8 without a byte order mark (RFC 8259; `json.loads` would guess UTF-16 or UTF-32 from bytes), nested no
    deeper than any request needs (a parser recursing into thousands of brackets fails), and with every string safe
    text (validation.text_problem): whatever the schema says, nothing that could break or spoof a page gets in.
    The body is read and checked once a request, however many steps ask for it.
    """
    payload = request.environ.get(_CHECKED_BODY, _UNREAD)
    if payload is _UNREAD:
        payload = request.environ[_CHECKED_BODY] = _checked_body()
    if schema is None:
        return payload
    if not isinstance(payload, dict):
        raise Problem(422, "The request body must be a JSON object.", errors={"_schema": ["Expected an object."]})
    try:
        return schema.load(payload)
    except ValidationError as exc:
        raise Problem(422, "Some fields are missing or invalid; see errors.",
                      errors=flatten_errors(exc.messages)) from None


_CHECKED_BODY = "llais.checked_body"
_UNREAD = object()


def _checked_body() -> Any:
    if not request.mimetype or request.mimetype != "application/json":
        raise Problem(415, "Send the body as JSON with Content-Type: application/json.")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Problem(415, "Send the body as UTF-8 JSON (charset=utf-8, or no charset).")
    raw = request.get_data(cache=True)
    if not raw:
        raise Problem(400, "The request body is empty; send a JSON object.")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise Problem(400, "The request body starts with a byte order mark; send UTF-8 JSON without one.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, f"The request body is not UTF-8 (byte {exc.start}); send UTF-8 JSON.") from None
    too_deep = validation.nesting_problem(text)
    if too_deep:
        raise Problem(422, f"The body nests deeper than {validation.MAX_DEPTH} levels.",
                      errors={too_deep: [f"Nested deeper than {validation.MAX_DEPTH} levels."]})
    try:
        payload = json.loads(text, object_pairs_hook=_without_repeats)
    except RepeatedKey as exc:
        raise Problem(400, f"The request body gives the field {validation.printable(str(exc))!r} twice; give each "
                           "field once.") from None
    except RecursionError:  # nesting_problem reads brackets as JSON does; this is its backstop
        raise Problem(400, "The request body nests too deeply to read.") from None
    except ValueError as exc:
        raise Problem(400, f"The request body is not valid JSON: {exc}") from None
    unsafe = validation.unsafe_strings(payload)
    if unsafe:
        raise Problem(422, "Some text contains characters that are not allowed; see errors.", errors=unsafe)
    return payload


class RepeatedKey(ValueError):
    """A JSON object that names one field twice: parsers differ on which value counts, so none is taken."""


def _without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        raise RepeatedKey(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return found


UNREADABLE = "unreadable"
"""The code of a request whose form or query holds bytes that are not UTF-8 (a page says so in its reader's words)."""


def refuse_unreadable() -> None:
    """Refuse a query string or form body whose escapes decode to bytes that are not UTF-8 (`%FF`, an encoded
    surrogate): werkzeug would keep them as literal `%FF`, and a page would store that as someone's name."""
    parts = {"query": request.query_string}
    if request.mimetype == "application/x-www-form-urlencoded":
        parts["form"] = request.get_data(cache=True)
    for part, raw in parts.items():
        if not validation.decodes(raw):
            raise Problem(400, f"The {part} holds escaped bytes that are not UTF-8; send UTF-8.", code=UNREADABLE)


def command_from_body(parse: Callable[[dict], T], *required: str) -> T:
    """The command an internal API's request asks for, parsed once from its JSON object.

    The gateway checked the body's shape already; this keeps a service from acting on a body that is not in it: a
    missing field, or one `parse` cannot make its command from (a value of the wrong kind), is a 422 naming it. What
    the handler raises afterwards is its own: a named error (shared/errors), or a programming error, which is a 500
    logged with its trace id.
    """
    body = json_body()
    missing = [name for name in required if not isinstance(body, dict) or body.get(name) in (None, "")]
    if missing:
        raise Problem(422, "Some fields are missing; see errors.", errors={name: ["Missing."] for name in missing})
    try:
        return parse(body)
    except LlaisError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise Problem(422, "The request is not in the shape API.md describes.",
                      errors={"_schema": [f"{exc.__class__.__name__}: {exc}"]}) from None


def check_fields(blueprint: Blueprint, checks: Mapping[str, validation.Check]) -> None:
    """Refuse, before any of `blueprint`'s routes runs, a JSON body whose fields fail `checks` (field path, e.g.
    `child.date_of_birth`, to a check from shared.validation: dates in the shared window, names on one line).

    The gateway checks the same with its schemas; an internal API checks again so that a caller who skipped the
    gateway cannot store what the gateway would refuse. A service's field names mean one thing across its routes, so
    one table serves them all.
    """

    @blueprint.before_request
    def _checked_fields():
        if request.method not in ("POST", "PUT", "PATCH") or request.mimetype != "application/json":
            return None  # nothing to check, or the route refuses it as not JSON
        if not request.get_data(cache=True):
            return None
        invalid = validation.field_problems(json_body(), checks)
        if invalid:
            raise Problem(422, "Some fields are invalid; see errors.", errors=invalid)
        return None


def settings() -> Settings:
    return current_app.extensions["llais.settings"]


def store():
    return current_app.extensions["llais.store"]


def http_problem(exc: HTTPException, max_body_bytes: int) -> Problem:
    """Werkzeug's HTTP errors (404, 405, 413, ...) as problems."""
    detail = exc.description or _TITLES.get(exc.code or 500, "Error")
    if exc.code == 413:
        detail = f"The request body is larger than {max_body_bytes} bytes."
    return Problem(exc.code or 500, detail)


def with_allow(response, exc: HTTPException):
    """A 405 says which methods the resource takes (RFC 9110 requires `Allow`); an error handler's own response
    would otherwise drop the header werkzeug's exception carries."""
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


def create_service_app(service: str, settings: Settings, store: Any, *,
                       readiness: Iterable[Callable[[], None]] = (), internal: bool = True,
                       health: Callable[[], Mapping[str, Any]] | None = None) -> Flask:
    """A Flask app with the project's error handling, `/healthz`, `/readyz` and, for internal APIs, the token check.

    `readiness` are extra checks (the broker, say) that raise when the role cannot serve; `health` adds to
    `/healthz` what the process's other parts say of themselves (a worker's failing loops, and since when).
    """
    app = Flask(f"llais.{service}")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    app.extensions["llais.settings"] = settings
    app.extensions["llais.store"] = store
    app.extensions["llais.service"] = service
    def store_reachable() -> None:
        store.ping()

    checks = [store_reachable, *readiness]
    app.before_request(refuse_unreadable)

    @app.errorhandler(Problem)
    def _problem(problem: Problem):
        return problem_response(problem)

    @app.errorhandler(LlaisError)
    def _named(error: LlaisError):
        return problem_response(problem_of(error))

    @app.errorhandler(StoreUnavailable)
    def _store_unavailable(error: StoreUnavailable):
        return app.handle_user_exception(store_problem(error))  # as the app answers any 503 (a page, or JSON)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return with_allow(problem_response(http_problem(exc, settings.max_body_bytes)), exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error in %s", service)  # the log entry carries the request's trace id
        trace = telemetry.current_trace_id()
        return problem_response(Problem(500, "Something went wrong on our side; it has been logged.",
                                        **({"trace_id": trace} if trace else {})))

    if internal and settings.internal_token:
        @app.before_request
        def _internal_only():
            if request.path in ("/healthz", "/readyz"):
                return None
            offered = request.headers.get(INTERNAL_TOKEN_HEADER, "")
            if not hmac.compare_digest(offered.encode(), settings.internal_token.encode()):
                raise Problem(401, "This is an internal API: it needs the internal token.")
            return None

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": service, **(health() if health is not None else {})}

    @app.get("/readyz")
    def readyz():
        failures = {}
        for check in checks:
            try:
                check()
            except Exception as exc:  # readiness reports every failure rather than raising
                failures[getattr(check, "__name__", "check")] = str(exc)
        if failures:
            return problem_response(Problem(503, "Not ready.", checks=failures))
        return {"status": "ready", "service": service}

    telemetry.instrument_flask(app)
    return app


def caller_council() -> str | None:
    """The council a gateway-forwarded request acts for, if it came from a council's API key."""
    return request.headers.get(COUNCIL_HEADER) or None


PAGE_SIZE, MOST_ON_A_PAGE = 50, 200
"""A list's `limit` when none is given, and the most it may be (API.md: every list is paginated)."""
_CURSOR = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
_POSITION = re.compile(r"^([^ ]{1,150})(?: ([1-9][0-9]{0,3}))?$")
NOT_A_CURSOR = "Not a cursor this API gave: pass `next` from the previous page as it came."


def cursor(position: Position | None) -> str | None:
    """The opaque `next` of a page: the base64url of where the list stopped (shared.store.find_page)."""
    if position is None:
        return None
    last_id, given = position
    return base64.urlsafe_b64encode(f"{last_id} {given}".encode() if given else last_id.encode()).decode().rstrip("=")


def _position(text: str) -> Position | None:
    """Where a cursor says the list stopped; None for anything this API did not give (a guess, an injection)."""
    if not _CURSOR.match(text):
        return None
    try:
        said = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        return None
    found = _POSITION.match(said)
    if found is None or validation.line_problem(said) is not None:
        return None
    return found.group(1), int(found.group(2) or 0)


def page_asked() -> tuple[int, Position | None]:
    """A list's `limit` (default 50, at most 200) and where its `cursor` says to go on from; a 422 problem naming
    the parameter otherwise."""
    errors: dict[str, list[str]] = {}
    limit = request.args.get("limit", str(PAGE_SIZE))
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MOST_ON_A_PAGE):
        errors["limit"] = [f"A whole number from 1 to {MOST_ON_A_PAGE}."]
    after = _position(request.args["cursor"]) if request.args.get("cursor") else None
    if request.args.get("cursor") and after is None:
        errors["cursor"] = [NOT_A_CURSOR]
    if errors:
        raise Problem(422, "Some query parameters are invalid; see errors.", errors=errors)
    return int(limit), after


def page_answer(items: Sequence[Any], following: Position | None) -> dict:
    """A list's answer: its `items` and `next`, the cursor of the page after (None at the end)."""
    return {"items": list(items), "next": cursor(following)}


Recall = Callable[[Mapping[str, Any], datetime], Iterable[Any]]
"""What a record implies happened before a moment: its events, recalled (shared.contracts.recalled_event)."""
ReadPage = Callable[[int, "str | None"], Sequence[Any]]
"""A page of a service's records in the order of their ids: `read(limit, after)`, documents with `id` and `body`."""


def history_page(histories: Mapping[str, tuple[ReadPage, Recall]]) -> dict:
    """An internal API's `GET /history`: the events a page of one kind of record (`of`) implies happened before
    `before`, and the id to ask `after` for the next page (None at the end). For a service that came later to catch
    up (`llais reporting backfill`); never to a council."""
    if caller_council() is not None:
        raise Problem(403, "History is read by the provider's own services, not by a council.")
    args = request.args
    invalid = validation.field_problems(args, {"before": validation.well_formed_moment,
                                                "after": validation.one_line})
    if args.get("of") not in histories:
        invalid["of"] = [f"One of {', '.join(histories)}."]
    if not args.get("before"):
        invalid.setdefault("before", ["An RFC 3339 time with an offset: the moment the consumer began to hear."])
    limit = args.get("limit", "100")
    if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= 500):
        invalid["limit"] = ["A whole number from 1 to 500."]
    if invalid:
        raise Problem(422, "Some query parameters are invalid; see errors.", errors=invalid)
    read, recall = histories[args["of"]]
    before = validation.parse_moment(args["before"])
    page = read(int(limit), args.get("after") or None)
    return {"events": [event.envelope() for document in page for event in recall(document.body, before)],
            "after": page[-1].id if len(page) == int(limit) else None}
