"""The envelope and the contract registry: what producers may build and what consumers will accept."""

from __future__ import annotations

import importlib
import json

import pytest
from marshmallow import fields
from opentelemetry.sdk.trace import TracerProvider

from shared.contracts import ContractError, known_contracts, new_event, parse_event

ACK = {"referral_id": "r1", "council": "CARDIFF", "external_ref": None, "status": "received",
       "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00"}


def make():
    return new_event("referral.acknowledged", ACK, producer="referral", subject="referral:r1")


def test_an_event_round_trips_through_the_wire_format():
    event = make()
    again = parse_event(json.dumps(event.envelope()).encode())
    assert again == event
    assert event.correlation_id == event.id and event.causation_id is None


def test_a_following_event_keeps_the_correlation_and_names_its_cause():
    cause = make()
    effect = cause.follow("referral.acknowledged", ACK, producer="notify")
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.id
    assert effect.id != cause.id


def test_a_producer_cannot_build_an_event_its_contract_refuses():
    with pytest.raises(ContractError) as raised:
        new_event("referral.acknowledged", {**ACK, "received_at": "yesterday"}, producer="referral", subject="s")
    assert "received_at" in raised.value.errors


@pytest.mark.parametrize("body, says", [
    (b"\xff\xfe", "not UTF-8"),
    (b"{not json", "not JSON"),
    (b"[1, 2]", "JSON object"),
    (b"x" * 300_000, "larger than"),
])
def test_unreadable_bodies_are_refused_with_the_reason(body, says):
    with pytest.raises(ContractError, match=says):
        parse_event(body)


def test_an_unknown_type_or_version_is_refused():
    envelope = make().envelope()
    with pytest.raises(ContractError, match="unknown event type or version"):
        parse_event({**envelope, "version": 99})
    with pytest.raises(ContractError, match="unknown event type or version"):
        parse_event({**envelope, "type": "referral.teleported"})


def test_a_bad_envelope_names_its_fields():
    envelope = make().envelope()
    del envelope["producer"]
    with pytest.raises(ContractError) as raised:
        parse_event({**envelope, "version": "1", "occurred_at": "noon"})
    assert {"producer", "version", "occurred_at"} <= set(raised.value.errors)


def test_data_failing_its_schema_is_refused():
    envelope = make().envelope()
    with pytest.raises(ContractError) as raised:
        parse_event({**envelope, "data": {**ACK, "referral_id": 7}})
    assert "referral_id" in raised.value.errors


def test_every_contract_is_versioned_and_named_as_a_fact():
    assert known_contracts()
    for event_type, version in known_contracts():
        assert version >= 1
        assert "." in event_type


def test_events_carry_the_trace_they_happened_in():
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("request") as span:
        event = make()
    trace_id = f"{span.get_span_context().trace_id:032x}"
    assert event.headers["traceparent"].split("-")[1] == trace_id
    carried = parse_event(event.envelope(), {"traceparent": event.headers["traceparent"], "x-other": "1"})
    assert carried.headers == {"traceparent": event.headers["traceparent"]}


CONSUMERS = ("casework", "complaints", "notify", "referral", "scheduling")


def consumed() -> list[tuple[str, str]]:
    return [(service, event_type) for service in CONSUMERS
            for event_type in importlib.import_module(f"services.{service}.worker").HANDLERS]


@pytest.mark.parametrize("service, event_type", consumed())
def test_every_event_a_service_consumes_has_a_contract(service, event_type):
    assert any(t == event_type for t, _ in known_contracts()), f"{service} consumes {event_type}, which has none"


@pytest.mark.parametrize("event_type, version", sorted(known_contracts()))
def test_every_contract_refuses_missing_fields_wrong_types_and_unknown_fields(event_type, version):
    """What a consumer is handed has passed its contract: bad data is parked before any handler sees it."""
    schema = known_contracts()[(event_type, version)]()
    envelope = {**make().envelope(), "type": event_type, "version": version}
    required = {name for name, field in schema.fields.items() if field.required}
    with pytest.raises(ContractError) as missing:
        parse_event({**envelope, "data": {}})
    assert set(missing.value.errors) == required
    wrong = {name: ({"an": "object"} if not isinstance(field, (fields.Nested, fields.Dict)) else "a string")
             for name, field in schema.fields.items()}
    with pytest.raises(ContractError) as mistyped:
        parse_event({**envelope, "data": wrong})
    assert set(mistyped.value.errors) == set(schema.fields)
    with pytest.raises(ContractError) as unknown:
        parse_event({**envelope, "data": {"favourite_colour": "blue"}})
    assert "favourite_colour" in unknown.value.errors
