"""Configuration, read from the environment once, at a composition root.

Every variable is listed in `.env.example`. Defaults are those of the embedded mode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from shared.retention import Policy, RetentionSettingRefused

SERVICES = ("gateway", "referral", "scheduling", "casework", "complaints", "notify", "reporting")
"""Every service of the platform, the gateway first: the one list the CLI, the gateway and the settings read."""

INTERNAL_SERVICES = SERVICES[1:]
"""The services behind the gateway, each with an internal API and a worker role (the gateway has an API role
only)."""


class ConfigError(ValueError):
    """A variable is set to something that cannot work; the message names it."""


def _float_list(name: str, text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"{name} must be comma-separated seconds, e.g. 1,10,60: {exc}") from None
    if any(v <= 0 for v in values):
        raise ConfigError(f"{name} delays must be positive seconds")
    return values


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value


def _complaint_days(text: str) -> tuple[int, int]:
    try:
        acknowledge, respond = (int(part) for part in text.split(","))
    except ValueError:
        raise ConfigError("LLAIS_COMPLAINT_DAYS must be two whole numbers of working days, e.g. 2,10") from None
    if not 1 <= acknowledge <= respond:
        raise ConfigError("LLAIS_COMPLAINT_DAYS: acknowledge within at least 1 working day, and answer no sooner")
    return acknowledge, respond


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false", "1", "0"):
        raise ConfigError(f"{name} must be true or false, not {raw!r}")
    return raw in ("true", "1")


def _addresses(text: str) -> tuple[str, ...]:
    addresses = tuple(part.strip() for part in text.split(",") if part.strip())
    if any("@" not in address for address in addresses):
        raise ConfigError("LLAIS_MANAGER_EMAILS must be comma-separated email addresses")
    return addresses


def _clock_time(name: str, text: str) -> str:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
        raise ConfigError(f"{name} must be a time of day as HH:MM, e.g. 07:30")
    return f"{int(hours):02d}:{minutes}"


def _working_hours(text: str) -> tuple[str, str]:
    opens, _, closes = text.partition("-")
    opens, closes = (_clock_time("LLAIS_WORKING_HOURS", part.strip()) for part in (opens, closes or "x"))
    if not opens < closes:
        raise ConfigError("LLAIS_WORKING_HOURS: the service opens before it closes, e.g. 09:00-17:00")
    return opens, closes


def _notify_template(env: Mapping[str, str]) -> str | None:
    template = env.get("LLAIS_GOVUK_NOTIFY_TEMPLATE_ID") or None
    if env.get("LLAIS_GOVUK_NOTIFY_API_KEY") and not template:
        raise ConfigError("LLAIS_GOVUK_NOTIFY_API_KEY needs LLAIS_GOVUK_NOTIFY_TEMPLATE_ID: the template whose "
                          "subject is ((subject)) and body ((body))")
    return template


def _retention(env: Mapping[str, str]) -> Policy:
    try:
        return Policy.from_env(env)
    except RetentionSettingRefused as exc:
        raise ConfigError(str(exc)) from None


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    amqp_url: str = ""
    mongo_url: str | None = None
    port: int = 8080
    bus_prefix: str = "llais"
    queue_type: str = "classic"
    retry_delays: tuple[float, ...] = (1.0, 10.0, 60.0)
    prefetch: int = 20
    max_body_bytes: int = 64 * 1024
    internal_token: str = ""
    secret_key: str = ""
    councils_file: Path | None = None
    service_urls: Mapping[str, str] = field(default_factory=dict)
    log_level: str = "INFO"
    smtp_url: str | None = None
    timeframes_file: Path | None = None
    health_port: int | None = None
    mail_from: str = "Llais <llais@localhost>"
    provider_name: str = "Llais"
    cookie_secure: bool = True
    rate_limit_storage: str = "memory://"
    trusted_proxies: int = 0
    sign_in_rate_limit: str = "30 per minute"
    public_form_rate_limit: str = "20 per hour"
    complaint_days: tuple[int, int] = (2, 10)
    settle_seconds: int = 5
    """How long the gateway waits for the events an earlier command set travelling to arrive before it forwards a
    call that would otherwise not see them (shared/settling); past that the call is answered 503."""
    report_suppress_below: int = 5
    """In a report meant for publication (`publication=true`), a count from 1 to one below this is not given, so a
    small group of children cannot be told apart."""
    managers_administer_staff: bool = False
    """Whether managers may run staff accounts in the pages as admins do (never an admin's account)."""
    public_url: str = ""
    """The address people reach the web pages at (e.g. https://llais.example.org), for links given out of them: the
    password reset links `llais admin reset-password` prints, and the links in emails."""
    webhook_allow_private: bool = False
    """Let councils' webhooks go to loopback and private addresses, and over plain http: for tests and closed
    networks only. Off, a webhook URL is https to a public address, checked when set and at every delivery."""
    strict_queries: bool = False
    """Refuse a find that none of the service's declared indexes answers (the tests run so); when false, such a
    find reads without an index and is logged once."""

    working_hours: tuple[str, str] = ("09:00", "17:00")
    """The hours the service publishes it is staffed, in London time, on working days (weekends and the nation's
    bank holidays are not); outside them the bilingual answer-phone takes messages (`LLAIS_WORKING_HOURS`)."""
    message_response_hours: int = 8
    """The time the provider publishes for answering a message, in working hours (8: one working day of 09:00-17:00),
    counted from when it came, or from the next opening when it came out of hours."""

    manager_emails: tuple[str, ...] = ()
    """Where the managers' morning digest of deadlines at risk and missed goes (a team mailbox, typically)."""
    morning_mail_at: str = "07:30"
    """When, in London time, the morning's mail leaves: the managers' digest and each advocate's meeting-day email."""
    govuk_notify_api_key: str | None = None
    """A GOV.UK Notify API key: when set, email goes through GOV.UK Notify instead of SMTP."""
    govuk_notify_template_id: str | None = None
    """The GOV.UK Notify email template every email is sent with: its subject `((subject))`, its body `((body))`."""
    govuk_notify_url: str = "https://api.notifications.service.gov.uk"
    retention: Policy = field(default_factory=Policy)
    """How long each kind of record is kept (shared/retention.py; `LLAIS_RETENTION_...`)."""

    @property
    def store_backend(self) -> str:
        return "mongo" if self.mongo_url else "sqlite"

    @property
    def bus_url(self) -> str:
        """AMQP_URL when set; otherwise the embedded mode's durable bus, a SQLite file beside the stores."""
        return self.amqp_url or f"sqlite:///{self.data_dir.resolve() / 'bus.sqlite3'}"

    @property
    def broker(self) -> bool:
        """Whether the bus is a real broker (RabbitMQ), rather than the embedded mode's file."""
        return self.bus_url.startswith("amqp")

    @property
    def exchange(self) -> str:
        return f"{self.bus_prefix}.events"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        queue_type = env.get("LLAIS_QUEUE_TYPE", "classic")
        if queue_type not in ("classic", "quorum"):
            raise ConfigError("LLAIS_QUEUE_TYPE must be classic or quorum")
        urls = {
            name: env[f"LLAIS_{name.upper()}_URL"].rstrip("/")
            for name in SERVICES
            if env.get(f"LLAIS_{name.upper()}_URL")
        }
        councils, timeframes = env.get("LLAIS_COUNCILS_FILE"), env.get("LLAIS_TIMEFRAMES_FILE")
        retry_delays, complaint_days = env.get("LLAIS_RETRY_DELAYS"), env.get("LLAIS_COMPLAINT_DAYS")
        default = cls()  # each default is written once, on the field above
        return cls(
            data_dir=Path(env["LLAIS_DATA"]) if env.get("LLAIS_DATA") else default.data_dir,
            amqp_url=env.get("AMQP_URL") or default.amqp_url,
            mongo_url=env.get("MONGO_URL") or default.mongo_url,
            port=_int(env, "PORT", default.port, minimum=1),
            bus_prefix=env.get("LLAIS_BUS_PREFIX") or default.bus_prefix,
            queue_type=queue_type,
            retry_delays=_float_list("LLAIS_RETRY_DELAYS", retry_delays) if retry_delays else default.retry_delays,
            prefetch=_int(env, "LLAIS_PREFETCH", default.prefetch, minimum=1),
            max_body_bytes=_int(env, "LLAIS_MAX_BODY_BYTES", default.max_body_bytes, minimum=1024),
            internal_token=env.get("LLAIS_INTERNAL_TOKEN", default.internal_token),
            secret_key=env.get("LLAIS_SECRET_KEY", default.secret_key),
            councils_file=Path(councils) if councils else default.councils_file,
            service_urls=urls,
            log_level=env.get("LLAIS_LOG_LEVEL", default.log_level).upper(),
            smtp_url=env.get("LLAIS_SMTP_URL") or default.smtp_url,
            timeframes_file=Path(timeframes) if timeframes else default.timeframes_file,
            health_port=_int(env, "LLAIS_HEALTH_PORT", 0, minimum=0) or default.health_port,
            mail_from=env.get("LLAIS_MAIL_FROM") or default.mail_from,
            provider_name=env.get("LLAIS_PROVIDER_NAME") or default.provider_name,
            cookie_secure=_flag(env, "LLAIS_COOKIE_SECURE", default.cookie_secure),
            rate_limit_storage=env.get("LLAIS_RATE_LIMIT_STORAGE") or default.rate_limit_storage,
            trusted_proxies=_int(env, "LLAIS_TRUSTED_PROXIES", default.trusted_proxies, minimum=0),
            sign_in_rate_limit=env.get("LLAIS_SIGN_IN_RATE_LIMIT") or default.sign_in_rate_limit,
            public_form_rate_limit=env.get("LLAIS_PUBLIC_FORM_RATE_LIMIT") or default.public_form_rate_limit,
            complaint_days=_complaint_days(complaint_days) if complaint_days else default.complaint_days,
            settle_seconds=_int(env, "LLAIS_SETTLE_SECONDS", default.settle_seconds, minimum=1),
            report_suppress_below=_int(env, "LLAIS_REPORT_SUPPRESS_BELOW", default.report_suppress_below, minimum=1),
            strict_queries=_flag(env, "LLAIS_STRICT_QUERIES", default.strict_queries),
            webhook_allow_private=_flag(env, "LLAIS_WEBHOOK_ALLOW_PRIVATE", default.webhook_allow_private),
            managers_administer_staff=_flag(env, "LLAIS_MANAGERS_ADMINISTER_STAFF",
                                            default.managers_administer_staff),
            working_hours=_working_hours(env["LLAIS_WORKING_HOURS"]) if env.get("LLAIS_WORKING_HOURS")
            else default.working_hours,
            message_response_hours=_int(env, "LLAIS_MESSAGE_RESPONSE_HOURS", default.message_response_hours, minimum=1),
            manager_emails=_addresses(env.get("LLAIS_MANAGER_EMAILS", "")),
            morning_mail_at=_clock_time("LLAIS_MORNING_MAIL_AT",
                                        env.get("LLAIS_MORNING_MAIL_AT") or default.morning_mail_at),
            public_url=(env.get("LLAIS_PUBLIC_URL") or default.public_url).rstrip("/"),
            govuk_notify_api_key=env.get("LLAIS_GOVUK_NOTIFY_API_KEY") or default.govuk_notify_api_key,
            govuk_notify_template_id=_notify_template(env),
            govuk_notify_url=(env.get("LLAIS_GOVUK_NOTIFY_URL") or default.govuk_notify_url).rstrip("/"),
            retention=_retention(env),
        )
