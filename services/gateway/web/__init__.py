"""The gateway's web forms: provider staff run the Active Offer here, social workers and children refer.

GOV.UK Frontend's look and behaviour under the provider's own name, in English and Welsh. The pages call the same
service APIs as council systems do, through the same `forward`, so no rule of the work is written twice.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, g, make_response, redirect, render_template, request
from flask_babel import Babel, gettext
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError, CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from shared import validation, words
from shared.config import Settings
from shared.web import UNREADABLE, Problem, http_problem, problem_response, with_allow

from services.gateway.store import GatewayStore
from services.gateway.web.sessions import StoreSessionInterface

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("en", "cy")
LANGUAGE_COOKIE = "llais_language"
ONE_YEAR = 365 * 24 * 3600
MAX_NEXT = 2000
"""The longest `next` a page returns to; longer ones came from nowhere on this site."""

blueprint = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/assets")
csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def current_language() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def council_name(code: str) -> str:
    """A council's name in the page's language (shared/words)."""
    return words.council(code, current_language(), current_app.extensions["llais.councils"])


def council_choices() -> list[tuple[str, str]]:
    """The councils, by their names in the page's language, as a form's choices."""
    return sorted(((c.code, council_name(c.code)) for c in current_app.extensions["llais.councils"].all()),
                  key=lambda choice: choice[1])


def region_choices() -> list[tuple[str, str]]:
    """The regions, by their names in the page's language, as a form's choices."""
    return sorted(((slug, region_name(slug)) for slug in current_app.extensions["llais.councils"].regions()),
                  key=lambda choice: choice[1])


def region_name(slug: str) -> str:
    """A region's name in the page's language ("Cardiff and Vale", "Caerdydd a'r Fro"), never its slug."""
    return words.region(slug, current_language(), current_app.extensions["llais.councils"])


def is_page_request() -> bool:
    """Whether the request is for a web page (answered in HTML) rather than the JSON API."""
    return not request.path.startswith("/api/") and request.path not in ("/healthz", "/readyz")


def local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site; `default` otherwise (no open redirects, and nothing a Location header
    cannot carry: a line break there would split the response)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if validation.line_problem(target) or len(target) > MAX_NEXT:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def rate_limits(settings: Settings) -> dict[str, list[tuple[str, list[str] | None]]]:
    """Sign-in guesses, guesses at password links and floods of the public form, per client address, by
    endpoint."""
    return {
        "web.sign_in": [(settings.sign_in_rate_limit, ["POST"])],
        "web.self_start": [("60 per minute", None)],
        "web.self_page": [("60 per minute", None)],
        "web.self_check": [("60 per minute", None), (settings.public_form_rate_limit, ["POST"])],
        "web.new_complaint": [("60 per minute", None), (settings.public_form_rate_limit, ["POST"])],
        "web.reset_password": [("60 per minute", None)],
    }


def install(app: Flask, settings: Settings, store: GatewayStore) -> None:
    """Add the web forms to the gateway app: sessions, languages, CSRF, rate limits, security headers, pages."""
    if not settings.secret_key:
        log.warning("LLAIS_SECRET_KEY is unset: a random key is used, so web sessions end when this process stops "
                    "and several gateway processes cannot share them")
    app.secret_key = settings.secret_key or secrets.token_urlsafe(32)
    app.session_interface = StoreSessionInterface(store)
    app.config.update(SESSION_COOKIE_SECURE=settings.cookie_secure, SESSION_COOKIE_SAMESITE="Lax",
                      WTF_CSRF_TIME_LIMIT=None, RATELIMIT_STORAGE_URI=settings.rate_limit_storage,
                      PROVIDER_NAME=settings.provider_name, BABEL_DEFAULT_TIMEZONE="Europe/London")
    app.jinja_loader = ChoiceLoader([
        PackageLoader("services.gateway.web"),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                      "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf")}),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.finalize = shown
    Babel(app, locale_selector=current_language, default_translation_directories=str(TRANSLATIONS))
    WTFormsHelpers(app)
    limiter = Limiter(key_func=get_remote_address, app=app, storage_uri=settings.rate_limit_storage,
                      default_limits=[], headers_enabled=True)
    csrf.init_app(app)
    Talisman(app, force_https=False, session_cookie_secure=settings.cookie_secure, session_cookie_http_only=True,
             frame_options="DENY", referrer_policy="same-origin", content_security_policy=CONTENT_SECURITY_POLICY,
             content_security_policy_nonce_in=["script-src"],
             permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"})

    # the routes join the blueprint as their modules are read
    from services.gateway.web import (api_keys, cases, complaints, messages, offers_again, people,  # noqa: F401
                                      refer, reports, staff, subject_access)
    from services.gateway.web.forms import word
    from services.gateway.web.pages import long_date, staff_name, when

    for helper in (when, long_date, word, council_name, region_name, staff_name):
        app.add_template_global(helper)
    app.extensions[people.MANAGERS_SETTING] = settings.managers_administer_staff

    app.register_blueprint(blueprint)
    # Each app has its own limiter (several apps share a process in tests and in embedded mode); with a shared
    # storage (LLAIS_RATE_LIMIT_STORAGE=redis://...) every gateway process counts together.
    for endpoint, limits in rate_limits(settings).items():
        for limit, methods in limits:
            app.view_functions[endpoint] = limiter.limit(limit, methods=methods)(app.view_functions[endpoint])

    @app.context_processor
    def _page_globals():
        return {"language": current_language(), "provider_name": settings.provider_name,
                "complaint_days": settings.complaint_days,
                "user": g.get("principal") if g.get("principal") and g.principal.kind == "staff" else None}

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        if not is_page_request():
            return problem_response(Problem(400, "The form's security token is missing or wrong."))
        return render_template("error.html", title=gettext("Your form could not be sent"),
                               message=gettext("The page had been open too long or came from somewhere else. "
                                               "Go back, refresh the page and try again.")), 400

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        if not is_page_request():
            return problem_response(Problem(429, "Too many requests; wait a minute and try again."))
        return render_template("error.html", title=gettext("Too many attempts"),
                               message=gettext("Wait a few minutes and try again.")), 429

    page_errors = {
        400: lambda: (gettext("Your form could not be sent"),
                      gettext("Go back, check your answers and try again.")),
        403: lambda: (gettext("You cannot see this page"),
                      gettext("Your account does not give you access to it.")),
        404: lambda: (gettext("Page not found"),
                      gettext("If you typed the web address, check it is correct.")),
        405: lambda: (gettext("Page not found"),
                      gettext("If you typed the web address, check it is correct.")),
        413: lambda: (gettext("What you sent is too long"),
                      gettext("Shorten your answers and try again.")),
    }
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if is_page_request() and exc.code in page_errors:
            title, message = page_errors[exc.code]()
            return with_allow(make_response(render_template("error.html", title=title, message=message), exc.code),
                              exc)
        if is_page_request() and (exc.code or 500) >= 500:
            return service_error_page(exc.code or 500)
        return with_allow(problem_response(http_problem(exc, settings.max_body_bytes)), exc)

    @app.errorhandler(Problem)
    def _problem(problem: Problem):
        if is_page_request() and problem.extra.get("code") == UNREADABLE:
            return render_template("error.html", title=gettext("Your form could not be sent"), message=gettext(
                "What you sent held characters that could not be read. Go back, type your answers again and try "
                "again.")), problem.status
        if is_page_request() and problem.status in page_errors:
            title, message = page_errors[problem.status]()
            return render_template("error.html", title=title, message=message), problem.status
        if is_page_request() and problem.status >= 500:
            return service_error_page(problem.status)
        return problem_response(problem)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error in the gateway")
        if is_page_request():
            return service_error_page(500)
        return problem_response(Problem(500, "Something went wrong on our side; it has been logged."))


def service_error_page(status: int):
    """The service's own page for its failures, in the page's language; if even that cannot be drawn (the failure
    may lie in what every page uses), a plain one in both languages, never a bare server error."""
    try:
        return render_template("error.html", title=gettext("Sorry, there is a problem with the service"),
                               message=gettext("Try again shortly. What you entered has not been saved.")), status
    except Exception:  # the page itself failed: log it and fall back to the plain page below
        log.exception("the error page could not be drawn")
        return Response(PLAIN_ERROR_PAGE, status=status, mimetype="text/html")


PLAIN_ERROR_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sorry, there is a problem with the service'
    '</title></head><body><main><h1>Sorry, there is a problem with the service</h1>'
    '<p>Try again shortly. What you entered has not been saved.</p>'
    '<h1 lang="cy">Mae\'n ddrwg gennym, mae problem gyda\'r gwasanaeth</h1>'
    '<p lang="cy">Rhowch gynnig arall arni cyn bo hir. Nid yw\'r hyn a roesoch wedi\'i gadw.</p>'
    '<p><a href="/">Go to the start</a> · <a href="/" lang="cy">Mynd i\'r dechrau</a></p></main></body></html>')


def shown(value):
    """Every value a page shows, as Jinja finalizes it: text stored before the services refused unpaired surrogates,
    control characters and bidirectional overrides is shown with those replaced, so one record cannot break or
    spoof a page."""
    if isinstance(value, Markup):
        return Markup(validation.printable(str(value)))
    if isinstance(value, str):
        return validation.printable(value)
    return value


@blueprint.get("/language/<code>")
def choose_language(code: str):
    """Switch the pages' language and remember it; back to the page the link was on."""
    response = redirect(local_path(request.args.get("next")))
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response

