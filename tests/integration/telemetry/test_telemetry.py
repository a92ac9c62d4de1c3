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
