"""The envelope and the contract registry: what producers may build and what consumers will accept."""

from __future__ import annotations

import importlib
import json
import re

import pytest
from hypothesis import given, settings, strategies as st
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from opentelemetry.sdk.trace import TracerProvider

from shared.clock import new_id
from shared.contracts import ContractError, EnvelopeSchema, known_contracts, new_event, parse_event
from shared.contracts.envelope import latest_version
from shared.contracts.referral import llais_reference, searched_reference
from shared.contracts.quick import quick_check

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


def test_a_following_event_made_again_from_its_cause_has_the_same_id_and_sorts_with_its_cause():
    cause = make()
    first = cause.follow("referral.acknowledged", ACK, producer="referral")
    again = cause.follow("referral.acknowledged", {**ACK, "acknowledged_at": "2026-11-23T10:00:00+00:00"},
                         producer="referral")
    assert again.id == first.id != cause.id
    others = {cause.follow("referral.acknowledged", ACK, producer="scheduling").id,
              cause.follow("referral.acknowledged", ACK, producer="referral", subject="referral:r2").id,
              make().follow("referral.acknowledged", ACK, producer="referral").id}
    assert first.id not in others and len(others) == 3
    assert first.id[:13] == cause.id[:13] and first.id[14] == "7", "the cause's moment, as a UUIDv7"


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


MOMENTS = ["2026-11-23T09:00:00+00:00", "2026-11-23T09:00:00.123+00:00", "2026-11-23T09:00:00.5-01:30"]
DAYS = ["2026-11-23", "2028-02-29"]
NOT_MOMENTS = ["2026-11-23T09:00:00", "2026-02-30T09:00:00Z", "2026-11-23", "noon"]
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.binary(max_size=4),
    st.text(max_size=3), st.text(min_size=63, max_size=66), st.text(min_size=199, max_size=201),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([*NOT_MOMENTS, "referral.acknowledged", "Referral.Acknowledged", "referral.acknowledged\n", "",
                     " ", "\u0000", "1", "a" * 64, "a" * 65, "en", "cy", "wales"]))


WORDS = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=40)
"""Text most fields take as it is (any text is tried too, and ODD_VALUES has the strange)."""


def likely(field: fields.Field) -> st.SearchStrategy:
    """Values a field of this kind might be sent: mostly right, often just wrong."""
    choices = [value for rule in field.validators for value in getattr(rule, "choices", ())]
    patterns = [rule.regex for rule in field.validators if isinstance(rule, validate.Regexp)]
    exact = [rule.equal for rule in field.validators if isinstance(rule, validate.Length) and rule.equal is not None]
    text = (st.sampled_from(choices) if choices else st.from_regex(patterns[0]) if patterns
            else st.text(st.characters(codec="ascii", categories=["L"]), min_size=exact[0], max_size=exact[0])
            if exact else st.one_of(WORDS, st.text(max_size=40)))
    kinds = {fields.AwareDateTime: st.sampled_from(MOMENTS), fields.Date: st.sampled_from(DAYS),
             fields.Boolean: st.booleans(),
             fields.Integer: st.integers(*next(((rule.min - 1, rule.max + 1 if rule.max else rule.min + 8)
                                                for rule in field.validators if isinstance(rule, validate.Range)),
                                               (-2, 8))), fields.Nested: st.deferred(lambda: data_for(field.schema)),
             fields.List: st.lists(st.text(max_size=4), max_size=3), fields.Email: st.sampled_from(ADDRESSES),
             fields.Dict: st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)}
    right = kinds.get(type(field), text)
    return st.integers(0, 5).flatmap(lambda n: ODD_VALUES if n == 5 else right)  # simplest: the right kind


def data_for(schema) -> st.SearchStrategy:
    """Data in roughly the schema's shape: every required field but perhaps one, optional ones or not, each with a
    likely value, and sometimes a field the schema does not know."""
    named = {(field.data_key or name): field for name, field in schema.load_fields.items()}
    required = [name for name, field in named.items() if field.required]
    shaped = st.fixed_dictionaries(
        {name: likely(named[name]) for name in required},
        optional={**{name: likely(field) for name, field in named.items() if name not in required},
                  "extra": ODD_VALUES})
    dropped = st.one_of(st.none(), st.none(), st.none(), st.sampled_from(required)) if required else st.none()
    return st.tuples(shaped, dropped).map(lambda pair: {k: v for k, v in pair[0].items() if k != pair[1]})


QUICKLY_CHECKED = [schema for schema in (EnvelopeSchema, *(known_contracts()[key] for key in sorted(known_contracts())))
                   if quick_check(schema()) is not None]
"""The rest have a rule the quick check does not follow (a rule in code): the schema checks every message."""
ADDRESSES = ["sian@cardiff.example", "a.b+c@provider.example", "not an address", "@example.org", "sian@", "",
             "sian@cardiff..example", "siân@caerdydd.example"]


@pytest.mark.parametrize("schema", QUICKLY_CHECKED, ids=lambda schema: schema.__name__)
def test_the_quick_check_never_accepts_what_the_contract_refuses(schema):
    instance = schema()
    quick = quick_check(instance)
    accepted = []

    @settings(max_examples=300, deadline=None, database=None)
    @given(data=data_for(instance))
    def holds(data):
        if quick(data):
            accepted.append(data)
            assert instance.validate(data) == {}, data

    holds()
    assert accepted, "no example was in shape: the strategy never tried the quick check's yes"


@pytest.mark.parametrize("name", ["id", "producer", "correlation_id", "causation_id", "subject"])
@pytest.mark.parametrize("length", [0, 1, 64, 65, 200, 201])
def test_the_quick_envelope_check_agrees_with_the_schema_at_every_length_limit(name, length):
    envelope = {**make().envelope(), name: "a" * length}
    assert quick_check(EnvelopeSchema())(envelope) == (EnvelopeSchema().validate(envelope) == {})


def test_the_quick_check_accepts_what_producers_build_and_gives_way_to_rules_in_code():
    envelope = make().envelope()
    quick = quick_check(EnvelopeSchema())
    assert quick(envelope) and quick({**envelope, "causation_id": "c" * 64})
    assert not quick({**envelope, "version": True}) and EnvelopeSchema().validate({**envelope, "version": True})

    class Checked(Schema):
        when = fields.AwareDateTime(required=True)

        @validates_schema
        def not_in_the_past(self, data, **kwargs):
            raise ValidationError("in the past")

    class Addressed(Schema):
        to = fields.Email(required=True)

    assert quick_check(Checked()) is None
    addressed = quick_check(Addressed())
    for address in ADDRESSES:
        assert addressed({"to": address}) == (Addressed().validate({"to": address}) == {}), address
    assert EnvelopeSchema in QUICKLY_CHECKED and len(QUICKLY_CHECKED) > len(known_contracts()) * 3 // 4
    assert known_contracts()[("referral.received", 2)] in QUICKLY_CHECKED, "the busiest event is checked quickly"


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


CONSUMERS = ("casework", "complaints", "notify", "referral", "reporting", "scheduling")


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


VERSIONED = {
    "referral.received": {"referral_id": "r1", "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
                          "kind": "active_offer", "basis": "looked_after", "external_ref": None,
                          "received_at": "2026-11-23T09:00:00+00:00", "statutory_meeting_at": None,
                          "preferred_language": "cy", "consent": {"child_informed": True, "child_agrees": True,
                                                                  "share_arrangements_with_referrer": True,
                                                                  "share_outcome_with_referrer": False}},
    "meeting.arranged": {"meeting_id": "m1", "referral_id": "r1", "council": "CARDIFF",
                         "advocate_email": "a@provider.example", "starts_at": "2026-11-30T10:00:00+00:00",
                         "duration_minutes": 60, "venue": "Ysgol y Wern", "language": "cy", "late": False},
    "meeting.took_place": {"meeting_id": "m1", "referral_id": "r1", "council": "CARDIFF",
                           "held_at": "2026-11-30T10:00:00+00:00", "before_deadline": True},
}
"""Version 1 data of the events that gained a version 2, as events already on the bus carry it."""
ADDED = {"referral.received": {"placed_out_of_county": True, "unaccompanied_asylum_seeking": False,
                               "referrer_organisation_type": "third_sector", "interpreter_needed": True,
                               "communication_needs_given": True, "gender": "declined", "ethnic_group": "mixed",
                               "disability": "no"},
         "meeting.arranged": {"venue_type": "school"}, "meeting.took_place": {"interpreter_used": True}}


@pytest.mark.parametrize("event_type", sorted(VERSIONED))
def test_version_1_still_parses_beside_version_2_which_producers_publish(event_type):
    v1, latest = VERSIONED[event_type], latest_version(event_type)
    assert latest >= 2
    old = {**make().envelope(), "type": event_type, "version": 1, "data": v1}
    assert parse_event(json.dumps(old)).data == v1, "events already on the bus are still handled"
    for data in (v1, {**v1, **ADDED[event_type]}, {**v1, **dict.fromkeys(ADDED[event_type])}):
        event = new_event(event_type, data, producer="test", subject="referral:r1")
        assert event.version == latest and parse_event(json.dumps(event.envelope())) == event
    with pytest.raises(ContractError):  # version 1 knows nothing of the new fields
        parse_event({**old, "data": {**v1, **ADDED[event_type]}})


@pytest.mark.parametrize("event_type", sorted(VERSIONED))
def test_version_2_adds_only_flags_and_codes_never_free_text(event_type):
    v1, v2 = known_contracts()[(event_type, 1)](), known_contracts()[(event_type, 2)]()
    added = {name: field for name, field in v2.fields.items() if name not in v1.fields}
    assert set(added) == set(ADDED[event_type])
    for name, field in added.items():
        coded = isinstance(field, fields.String) and any(isinstance(v, validate.OneOf) for v in field.validators)
        assert isinstance(field, fields.Boolean) or coded, f"{name} could carry someone's own words"
        assert not field.required, f"{name} is optional: absent means not recorded"
    with pytest.raises(ContractError):
        new_event(event_type, {**VERSIONED[event_type], **{name: "Uses Makaton signs" for name in added}},
                  producer="test", subject="referral:r1")


def test_a_take_ups_completion_names_the_advocate_and_the_childs_words_beside_version_1():
    v1 = {"referral_id": "r1", "council": "CARDIFF", "meeting_id": "m1", "outcome": "take_up", "decline_reason": None,
          "follow_on_referral_id": "f1", "consent": VERSIONED["referral.received"]["consent"],
          "completed_at": "2026-11-30T11:00:00+00:00"}
    old = {**make().envelope(), "type": "active_offer.completed", "version": 1, "data": v1}
    assert parse_event(json.dumps(old)).data == v1, "events already on the bus are still handled"
    unworded = {k: v for k, v in v1.items() if k != "decline_reason"}
    event = new_event("active_offer.completed", {**unworded, "advocate_email": "a@provider.example",
                                                 "wants_help_with": "Moving school"}, producer="test",
                      subject="referral:r1")
    assert event.version == 4 and parse_event(json.dumps(event.envelope())) == event
    with pytest.raises(ContractError):
        new_event("active_offer.completed", {**v1, "advocate_email": "not an address"}, producer="test",
                  subject="referral:r1")


def test_issue_based_deadlines_are_said_without_a_meeting_deadline():
    due = {"acknowledge_by": "2026-11-24T23:59:59+00:00", "allocate_by": "2026-11-25T23:59:59+00:00",
           "first_contact_by": "2026-11-26T23:59:59+00:00"}
    event = new_event("deadlines.scheduled", {"referral_id": "r1", "council": "CARDIFF", "deadlines": due},
                      producer="test", subject="referral:r1")
    assert event.version == 2 and "meeting_by" not in parse_event(json.dumps(event.envelope())).data["deadlines"]
    with pytest.raises(ContractError):  # version 1 needs every Active Offer deadline
        parse_event({**event.envelope(), "version": 1})


def test_the_coded_versions_carry_codes_never_words_and_read_older_words_as_other():
    from shared.contracts.referral import decline_reason_code
    from shared.contracts.scheduling import not_held_reason_code

    ids = {"referral_id": "r1", "council": "CARDIFF", "meeting_id": "m1"}
    not_held = new_event("meeting.not_held", {**ids, "reason_not_held_code": "placement_moved"}, producer="test",
                         subject="referral:r1")
    assert not_held.version == 3 and not_held_reason_code(not_held.data) == "placement_moved"
    with pytest.raises(ContractError):
        new_event("meeting.not_held", {**ids, "reason_not_held_code": "She moved to Wrexham"}, producer="test",
                  subject="referral:r1")
    assert not_held_reason_code({**ids, "reason_not_held": "Unwell"}) == "other", "version 1's words"
    completed = {**ids, "outcome": "declined", "consent": VERSIONED["referral.received"]["consent"],
                 "completed_at": "2026-11-30T11:00:00+00:00"}
    with pytest.raises(ContractError):
        new_event("active_offer.completed", {**completed, "decline_reason": "Her aunt helps"}, producer="test",
                  subject="referral:r1")
    coded = new_event("active_offer.completed", {**completed, "decline_reason_code": "support_elsewhere",
                                                 "contact_details_given": True}, producer="test",
                      subject="referral:r1")
    assert coded.version == 4 and decline_reason_code(coded.data) == "support_elsewhere"
    assert decline_reason_code({**completed, "decline_reason": "Her aunt helps"}) == "other"
    assert decline_reason_code(completed) is None, "none given: not recorded"


def test_referrals_made_in_the_same_minute_have_different_references_people_can_read_aloud():
    made = [new_id() for _ in range(2000)]  # the same millisecond for many: the id's start is the same
    references = {llais_reference(referral_id) for referral_id in made}
    assert len(references) == len(made)
    for reference in references:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference), "no I, L, O or U"
    assert llais_reference(made[0]) == llais_reference(made[0]), "the same reference each time it is shown"


def test_a_reference_is_found_however_a_person_types_it():
    reference = llais_reference(new_id())
    plain = reference.replace("-", "")
    for typed in (reference, reference.lower(), plain, f" {plain[:4]} {plain[4:]} ",
                  plain.replace("0", "O").replace("1", "I")):
        assert searched_reference(typed) == reference, typed
    for not_one in ("", "Ceri Jones", "ABCD-EFG", "ABCD-EFGHJ", "UUUU-UUUU", "01a24a8f-0000"):
        assert searched_reference(not_one) is None, not_one


def test_an_id_that_is_not_a_uuid_is_its_own_reference():
    assert llais_reference("r1") == "r1" and llais_reference(None) == ""
