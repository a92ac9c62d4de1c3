"""Traces and logs.

Tracing follows the standard variables: OTEL_TRACES_EXPORTER (console, otlp or none; default none),
OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES. Logs are JSON lines carrying the trace and
span ids. Across AMQP the W3C `traceparent` rides in the message headers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from typing import Callable, Iterable, Iterator, Mapping

from flask import request
from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

_configured = False


def configure(service: str, *, level: str = "INFO", exporter: SpanExporter | None = None) -> None:
    """Set up tracing and JSON logging once per process; later calls only add an exporter if one is given."""
    global _configured
    provider = trace.get_tracer_provider()
    if not _configured:
        resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or f"llais-{service}"})
        provider = TracerProvider(resource=resource)
        for chosen in _exporters_from_env():
            provider.add_span_processor(BatchSpanProcessor(chosen))
        trace.set_tracer_provider(provider)
        _instrument_requests()
        configure_logging(level)
        _configured = True
    if exporter is not None and isinstance(provider, TracerProvider):
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor

        provider.add_span_processor(SimpleSpanProcessor(exporter))


def _exporters_from_env() -> list[SpanExporter]:
    names = [n.strip() for n in os.environ.get("OTEL_TRACES_EXPORTER", "none").split(",") if n.strip()]
    chosen: list[SpanExporter] = []
    for name in names:
        if name == "console":
            chosen.append(ConsoleSpanExporter(out=sys.stderr))
        elif name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            chosen.append(OTLPSpanExporter())
        elif name != "none":
            logging.getLogger(__name__).warning("unknown OTEL_TRACES_EXPORTER %r ignored", name)
    return chosen


def _instrument_requests() -> None:
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    if not RequestsInstrumentor().is_instrumented_by_opentelemetry:
        RequestsInstrumentor().instrument()


def instrument_flask(app, *, untraced: Iterable[str] = ("/healthz", "/readyz")) -> None:
    """A server span for each request `app` serves (but the probes at `untraced`), continuing the trace its
    `traceparent` header carries and current while the request is handled, so the spans of the calls it makes and
    the lines it logs belong to it. Named by method and route (`POST /referrals/<referral_id>/allocate`), as the
    OpenTelemetry conventions name them; its status is the response's."""
    app.wsgi_app = _ServerSpans(app.wsgi_app, frozenset(untraced))

    @app.before_request
    def _name_the_span_by_its_route() -> None:
        rule = request.url_rule
        span = trace.get_current_span()
        if rule is not None and span.is_recording():
            span.update_name(f"{request.method} {rule.rule}")
            span.set_attribute("http.route", rule.rule)


class _ServerSpans:
    """The WSGI middleware behind `instrument_flask`: lighter than OpenTelemetry's Flask instrumentation, which
    spent a fifth of a small request's time on attributes and metrics nothing here reads."""

    def __init__(self, wsgi_app: Callable, untraced: frozenset[str]):
        self.wsgi_app = wsgi_app
        self.untraced = untraced

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in self.untraced:
            return self.wsgi_app(environ, start_response)
        carried = {name: environ[key] for name, key in (("traceparent", "HTTP_TRACEPARENT"),
                                                        ("tracestate", "HTTP_TRACESTATE")) if key in environ}
        method = environ.get("REQUEST_METHOD", "")

        def start_and_record(status: str, headers: list, exc_info=None):
            code = int(status[:3])
            span.set_attribute("http.response.status_code", code)
            if code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return start_response(status, headers, exc_info)

        with span_from_headers(method, carried, kind=SpanKind.SERVER,
                               attributes={"http.request.method": method, "url.path": path}) as span:
            return self.wsgi_app(environ, start_and_record)


_tracers: dict[str, tuple[trace.TracerProvider, trace.Tracer]] = {}


def tracer(name: str = "llais") -> trace.Tracer:
    """The tracer `name` of the current provider, made once per provider: making one costs more than many spans, and
    every message and request asks for it."""
    provider = trace.get_tracer_provider()
    kept = _tracers.get(name)
    if kept is None or kept[0] is not provider:
        kept = _tracers[name] = (provider, provider.get_tracer(name))
    return kept[1]


def current_headers() -> dict[str, str]:
    """The W3C trace context of the current span, as message or HTTP headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return f"{span_context.trace_id:032x}" if span_context.is_valid else None


def _carried(headers: Mapping[str, object] | None) -> dict[str, str]:
    return {k: str(v) for k, v in (headers or {}).items() if k in ("traceparent", "tracestate")}


def publish_span(name: str, headers: Mapping[str, object] | None, *,
                 attributes: Mapping[str, object] | None = None) -> dict[str, str]:
    """A producer span continuing the trace carried in `headers`, begun and ended at once (a publish is the moment
    the message leaves), and the headers that carry it on: the relay's, a span per message without entering the
    thread's context for each."""
    parent = propagate.extract(_carried(headers))
    span = tracer().start_span(name, context=parent, kind=SpanKind.PRODUCER, attributes=dict(attributes or {}))
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span, parent))
    span.end()
    return carrier


@contextlib.contextmanager
def span_from_headers(name: str, headers: Mapping[str, object] | None, *, kind: SpanKind,
                      attributes: Mapping[str, object] | None = None) -> Iterator[trace.Span]:
    """A span continuing the trace carried in `headers` (a message's, or an outbox entry's)."""
    parent = propagate.extract(_carried(headers))
    span = tracer().start_span(name, context=parent, kind=kind, attributes=dict(attributes or {}))
    token = context.attach(trace.set_span_in_context(span, parent))  # what use_span does, less its own context
    try:
        yield span
    except BaseException as exc:
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR))
        raise
    finally:
        context.detach(token)
        span.end()


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the trace and span ids of the moment. Never put personal data in a message."""

    def format(self, record: logging.LogRecord) -> str:
        span_context = trace.get_current_span().get_span_context()
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if span_context.is_valid:
            entry["trace_id"] = f"{span_context.trace_id:032x}"
            entry["span_id"] = f"{span_context.span_id:016x}"
        for key, value in getattr(record, "__dict__", {}).items():
            if key.startswith("llais_"):
                entry[key[len("llais_"):]] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    import time

    JsonFormatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("amqp", "kombu", "pika", "werkzeug", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
