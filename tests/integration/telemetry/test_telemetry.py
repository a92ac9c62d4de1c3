"""Traces follow the standard OTEL_* variables; logs are JSON lines that carry the trace they were written in."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind

from shared import telemetry

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import logging
from shared import telemetry
telemetry.configure("drill")
with telemetry.tracer().start_as_current_span("drill span"):
    logging.getLogger("drill").warning("inside a span")
from opentelemetry import trace
trace.get_tracer_provider().shutdown()
"""


def run_configured(exporter: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OTEL_TRACES_EXPORTER": exporter, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)


def test_the_console_exporter_writes_spans_and_logs_carry_their_trace():
    result = run_configured("console")
    assert result.returncode == 0, result.stderr
    assert '"name": "drill span"' in result.stderr
    line = next(json.loads(l) for l in result.stderr.splitlines() if l.startswith("{\"time\""))
    assert line["message"] == "inside a span" and line["level"] == "warning" and line["logger"] == "drill"
    assert len(line["trace_id"]) == 32 and len(line["span_id"]) == 16
    assert f'"trace_id": "0x{line["trace_id"]}"' in result.stderr, "the log's trace id is the exported span's"


def test_with_no_exporter_no_span_is_written():
    result = run_configured("none")
    assert result.returncode == 0, result.stderr
    assert "drill span" not in result.stderr
    assert "inside a span" in result.stderr


def test_the_json_formatter_writes_one_object_a_line_with_extra_fields():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(telemetry.JsonFormatter())
    logger = logging.getLogger("test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("relay waited", extra={"llais_service": "notify", "llais_retry_in": 2.0})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{"))
    assert first["service"] == "notify" and first["retry_in"] == 2.0 and "trace_id" not in first
    assert first["time"].endswith("Z")
    assert "ValueError: boom" in second["error"]


def test_a_span_continues_the_trace_carried_in_headers(monkeypatch):
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("upstream") as upstream:
        headers = telemetry.current_headers()
    assert headers["traceparent"].startswith("00-")
    from opentelemetry import trace

    provider = TracerProvider()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)  # a recording tracer, not the global one
    with telemetry.span_from_headers("downstream", headers, kind=SpanKind.CONSUMER) as span:
        continued = span.get_span_context()
    assert continued.trace_id == upstream.get_span_context().trace_id
    assert continued.span_id != upstream.get_span_context().span_id


def test_the_tracer_is_made_once_per_provider_and_follows_a_new_one(monkeypatch):
    from opentelemetry import trace

    first, second = TracerProvider(), TracerProvider()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: first)
    made = telemetry.tracer()
    assert telemetry.tracer() is made
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: second)
    followed = telemetry.tracer()
    assert followed is not made
    with followed.start_as_current_span("on the new provider") as span:
        assert span.is_recording()


def recording(monkeypatch):
    from opentelemetry import trace
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    return exported


def traced_app():
    from flask import Flask

    app = Flask("traced")

    @app.get("/referrals/<referral_id>")
    def read(referral_id):
        logging.getLogger("test.traced").warning("reading")
        return {"id": referral_id, "headers": telemetry.current_headers()}

    @app.post("/fail")
    def fail():
        raise RuntimeError("boom")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    telemetry.instrument_flask(app)
    return app


def test_a_request_is_a_server_span_named_by_its_route_continuing_the_callers_trace(monkeypatch):
    exported = recording(monkeypatch)
    caller = f"00-{'ab' * 16}-{'cd' * 8}-01"
    answer = traced_app().test_client().get("/referrals/r-1", headers={"traceparent": caller})
    assert answer.status_code == 200
    (span,) = exported.get_finished_spans()
    assert span.name == "GET /referrals/<referral_id>" and span.kind == SpanKind.SERVER
    assert span.attributes["http.route"] == "/referrals/<referral_id>"
    assert span.attributes["url.path"] == "/referrals/r-1"
    assert span.attributes["http.response.status_code"] == 200
    assert f"{span.context.trace_id:032x}" == "ab" * 16 and f"{span.parent.span_id:016x}" == "cd" * 8
    carried = answer.get_json()["headers"]["traceparent"]
    assert carried.split("-")[1:3] == ["ab" * 16, f"{span.context.span_id:016x}"], "calls made go on in its span"


def test_a_request_without_a_trace_starts_one_and_a_failure_marks_its_span(monkeypatch):
    from opentelemetry.trace import StatusCode

    exported = recording(monkeypatch)
    client = traced_app().test_client()
    assert client.post("/fail").status_code == 500
    assert client.get("/healthz").status_code == 200
    (span,) = exported.get_finished_spans()  # the probe is not traced
    assert span.name == "POST /fail" and span.parent is None
    assert span.attributes["http.response.status_code"] == 500 and span.status.status_code == StatusCode.ERROR


def test_a_span_from_headers_ends_marked_with_what_escaped_it(monkeypatch):
    from opentelemetry.trace import StatusCode

    exported = recording(monkeypatch)
    try:
        with telemetry.span_from_headers("failing", {}, kind=SpanKind.INTERNAL):
            raise KeyError("boom")
    except KeyError:
        pass
    with telemetry.span_from_headers("fine", {}, kind=SpanKind.INTERNAL):
        pass
    failing, fine = exported.get_finished_spans()
    assert failing.status.status_code == StatusCode.ERROR and failing.events[0].name == "exception"
    assert fine.status.status_code == StatusCode.UNSET and not fine.events
    from opentelemetry import trace

    assert not trace.get_current_span().get_span_context().is_valid, "the context before it is back"
