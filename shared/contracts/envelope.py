"""The event envelope and the registry of contracts."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from marshmallow import Schema, fields, validate
from opentelemetry import propagate

from shared.clock import new_id, timestamp
from shared.contracts.quick import Check, quick_check

MAX_EVENT_BYTES = 256 * 1024


class ContractError(ValueError):
    """An event that no consumer can handle: malformed, unknown type or version, or data failing its schema."""

    def __init__(self, message: str, errors: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.errors = dict(errors or {})

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base}: {json.dumps(self.errors, sort_keys=True)}" if self.errors else base


class EnvelopeSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+\.[a-z_]+$"))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso")
    producer = fields.String(required=True, validate=validate.Length(min=1, max=64))
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    causation_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(required=True)


_CONTRACTS: dict[tuple[str, int], type[Schema]] = {}


def contract(event_type: str, version: int) -> Callable[[type[Schema]], type[Schema]]:
    """Register a schema as the contract of one event type and version."""

    def register(schema: type[Schema]) -> type[Schema]:
        key = (event_type, version)
        if key in _CONTRACTS:
            raise RuntimeError(f"contract {event_type} v{version} is defined twice")
        _CONTRACTS[key] = schema
        return schema

    return register


def contract_for(event_type: str, version: int) -> type[Schema]:
    try:
        return _CONTRACTS[(event_type, version)]
    except KeyError:
        raise ContractError(f"unknown event type or version: {event_type} v{version}") from None


def known_contracts() -> dict[tuple[str, int], type[Schema]]:
    return dict(_CONTRACTS)


def latest_version(event_type: str) -> int:
    versions = [v for (t, v) in _CONTRACTS if t == event_type]
    if not versions:
        raise ContractError(f"unknown event type: {event_type}")
    return max(versions)


@dataclass(frozen=True)
class Event:
    """One fact that happened, in its envelope.

    `headers` are transport headers (the W3C trace context of the moment the event happened); they travel with the
    message but are not part of the envelope.
    """

    id: str
    type: str
    version: int
    occurred_at: str
    producer: str
    correlation_id: str
    causation_id: str | None
    subject: str
    data: dict
    headers: dict = field(default_factory=dict, compare=False)

    def envelope(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at,
            "producer": self.producer,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "subject": self.subject,
            "data": self.data,
        }

    def follow(self, event_type: str, data: Mapping[str, Any], *, producer: str, subject: str | None = None,
               version: int | None = None) -> "Event":
        """An event caused by this one: same correlation, this event as its cause, and an id that this event, the
        producer, the type and the subject decide (`caused_id`)."""
        subject = subject or self.subject
        return new_event(event_type, data, producer=producer, subject=subject, correlation_id=self.correlation_id,
                         causation_id=self.id, version=version,
                         event_id=caused_id(self.id, producer, event_type, subject))

    def with_headers(self, headers: Mapping[str, str]) -> "Event":
        return replace(self, headers=dict(headers))


_schemas: dict[type[Schema], tuple[Schema, Check | None]] = {}


def _schema(schema: type[Schema]) -> tuple[Schema, Check | None]:
    """One instance of each schema and its quick check, kept: building one copies every declared field, which costs
    more than the check itself, and a schema that is only loaded with is safe to share between threads."""
    if schema not in _schemas:
        instance = schema()
        _schemas[schema] = instance, quick_check(instance)
    return _schemas[schema]


def _errors(schema: type[Schema], data: Any) -> dict:
    """What is wrong with `data` by `schema`; nothing for data the quick check accepts as it stands."""
    instance, quick = _schema(schema)
    if quick is not None and quick(data):
        return {}
    return instance.validate(data)


def _check_data(event_type: str, version: int, data: Mapping[str, Any]) -> None:
    errors = _errors(contract_for(event_type, version), data)
    if errors:
        raise ContractError(f"{event_type} v{version} data fails its contract", errors)


def new_event(event_type: str, data: Mapping[str, Any], *, producer: str, subject: str,
              correlation_id: str | None = None, causation_id: str | None = None,
              version: int | None = None, event_id: str | None = None) -> Event:
    """Build an event, checked against its contract, carrying the current trace context."""
    version = version or latest_version(event_type)
    _check_data(event_type, version, data)
    event_id = event_id or new_id()
    headers: dict[str, str] = {}
    propagate.inject(headers)
    return Event(id=event_id, type=event_type, version=version, occurred_at=timestamp(), producer=producer,
                 correlation_id=correlation_id or event_id, causation_id=causation_id, subject=subject,
                 data=dict(data), headers=headers)


CAUSED = uuid.UUID("0f3c2a9e-4d71-4b8a-a6e2-6c6c61697332")
"""The namespace of caused events' ids."""


def caused_id(cause_id: str, producer: str, event_type: str, subject: str) -> str:
    """The id of the event of `event_type` about `subject` that `producer` makes because of event `cause_id`.

    A handling's events are committed with its effects, so a handling is done once; but a restore from a backup
    taken before it was done does it again, after the first doing's events may have left (a council's webhook).
    Made again, the event has the same id, so every inbox, and a council deduplicating webhooks by `webhook-id`,
    knows it. The id keeps its cause's moment, so it sorts by age among the UUIDv7s of `new_id`."""
    derived = uuid.uuid5(CAUSED, f"{cause_id}|{producer}|{event_type}|{subject}")
    try:
        cause = uuid.UUID(cause_id)
    except ValueError:
        return str(derived)
    if cause.version != 7:
        return str(derived)
    return str(uuid.UUID(int=(cause.int >> 80) << 80 | 0x7 << 76 | derived.int & ((1 << 76) - 1)))


HISTORY = uuid.UUID("5b1f4c0e-6a53-4f1e-9d8e-6c6c61697321")
"""The namespace of recalled events' ids."""


def recalled_event(event_type: str, data: Mapping[str, Any], *, producer: str, subject: str, occurred_at: str,
                   key: str = "") -> Event:
    """An event its producer published before a consumer existed, made again from what the producer kept, for that
    consumer to catch up on history (`llais reporting backfill`). Checked against its contract like a new one. Its
    id is derived from what it is about (type, subject, moment and `key`), so recalling it again gives the same
    event, which the consumer's inbox knows."""
    version = latest_version(event_type)
    _check_data(event_type, version, data)
    event_id = str(uuid.uuid5(HISTORY, f"{event_type}|{subject}|{occurred_at}|{key}"))
    return Event(id=event_id, type=event_type, version=version, occurred_at=occurred_at, producer=producer,
                 correlation_id=event_id, causation_id=None, subject=subject, data=dict(data), headers={})


def parse_event(body: bytes | str | Mapping[str, Any], headers: Mapping[str, Any] | None = None) -> Event:
    """Read an event off the wire; raise ContractError saying what is wrong with it."""
    if isinstance(body, (bytes, bytearray)):
        if len(body) > MAX_EVENT_BYTES:
            raise ContractError(f"event is larger than {MAX_EVENT_BYTES} bytes")
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ContractError("event body is not UTF-8") from None
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError as exc:
            raise ContractError(f"event body is not JSON: {exc.msg} at position {exc.pos}") from None
    if not isinstance(body, Mapping):
        raise ContractError("event body must be a JSON object")
    errors = _errors(EnvelopeSchema, body)
    if errors:
        raise ContractError("event envelope is invalid", errors)
    _check_data(body["type"], body["version"], body["data"])
    carried = {k: v for k, v in (headers or {}).items() if k in ("traceparent", "tracestate")}
    return Event(id=body["id"], type=body["type"], version=body["version"], occurred_at=body["occurred_at"],
                 producer=body["producer"], correlation_id=body["correlation_id"],
                 causation_id=body.get("causation_id"), subject=body["subject"], data=dict(body["data"]),
                 headers=carried)
