"""A quick yes for what a contract accepts, read off the contract itself.

Every message a worker reads is checked against the envelope's schema and its data's contract. marshmallow's load
spends most of its time on machinery (hooks, error collection, field copying) that data already in shape does not
need, and that time is a large share of handling an event. `quick_check(schema)` turns a schema's declared fields
and validators into a plain function that says yes only to data the schema accepts as it stands: the right types,
every required field, nothing unknown, each validator's rule. Anything else, and every schema with a rule it does
not follow (a hook, a validator or a field type it does not know), goes to marshmallow, whose errors say what is
wrong. Tests hold every contract's quick check to that: never a yes where the schema says no.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

from marshmallow import Schema, ValidationError, fields, validate

Check = Callable[[Any], bool]

_MISSING = object()


def _aware_moment(value: Any) -> bool:
    if type(value) is not str:
        return False
    try:
        return datetime.fromisoformat(value).utcoffset() is not None
    except ValueError:
        return False


def _a_date(value: Any) -> bool:
    if type(value) is not str:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _kind(field: fields.Field) -> Check | None:
    """The type test of one field, or None for a field this module does not follow."""
    kind = type(field)
    if kind in (fields.String, fields.Email):  # an Email's rule is its validate.Email, among its validators
        return lambda value: type(value) is str
    if kind is fields.Integer:
        return lambda value: type(value) is int
    if kind is fields.Boolean:
        return lambda value: type(value) is bool
    if kind is fields.AwareDateTime and field.format in (None, "iso") and field.default_timezone is None:
        return _aware_moment
    if kind is fields.Date and field.format in (None, "iso"):
        return _a_date
    if kind is fields.Dict and field.key_field is None and field.value_field is None:
        return lambda value: type(value) is dict
    if kind is fields.List:
        inner = _field_check(field.inner)
        if inner is None:
            return None
        return lambda value: type(value) is list and all(inner(item) for item in value)
    if kind is fields.Nested and not field.many and not field.only and not field.exclude:
        nested = field.schema
        return quick_check(nested) if isinstance(nested, Schema) else None
    return None


def _rule(validator: Any) -> Check | None:
    """One validator's rule, or None for a validator this module does not follow."""
    kind = type(validator)
    if kind is validate.OneOf:
        choices = validator.choices
        return lambda value: value in choices
    if kind is validate.Regexp:
        regex = validator.regex
        return lambda value: regex.match(value) is not None
    if kind is validate.Length:
        least, most, equal = validator.min, validator.max, validator.equal
        if equal is not None:
            return lambda value: len(value) == equal
        return lambda value: (least is None or len(value) >= least) and (most is None or len(value) <= most)
    if kind is validate.Range:
        least, most = validator.min, validator.max
        low_in, high_in = validator.min_inclusive, validator.max_inclusive

        def within(value: Any) -> bool:
            if least is not None and (value < least if low_in else value <= least):
                return False
            return most is None or (value <= most if high_in else value < most)

        return within
    if kind is validate.Email:
        return _as_marshmallow_says(validator)
    return None


def _as_marshmallow_says(validator: validate.Validator) -> Check:
    """A validator's own answer as a yes or no: for a rule with no simpler reading (an email address's)."""

    def check(value: Any) -> bool:
        try:
            validator(value)
        except ValidationError:
            return False
        return True

    return check


def _field_check(field: fields.Field) -> Check | None:
    """The whole test of one present value: its type, then each validator in turn."""
    kind = _kind(field)
    rules = [_rule(validator) for validator in field.validators]
    if kind is None or any(rule is None for rule in rules):
        return None
    allow_none = field.allow_none
    if not rules:
        return lambda value: allow_none if value is None else kind(value)

    def check(value: Any) -> bool:
        if value is None:
            return allow_none
        if not kind(value):
            return False
        for rule in rules:
            if not rule(value):
                return False
        return True

    return check


def quick_check(schema: Schema) -> Check | None:
    """A function saying yes only to data `schema` loads as it stands, or None where the schema has a rule this
    module does not follow (then every check goes to the schema)."""
    if any(schema._hooks.values()):  # validates_schema, pre_load and the like: rules in code
        return None
    declared: list[tuple[str, bool, Check]] = []
    for name, field in schema.load_fields.items():
        check = _field_check(field)
        if check is None:
            return None
        declared.append((field.data_key or name, field.required, check))
    if set(schema.dump_fields) - set(schema.load_fields):
        return None  # a dump-only field given on load is an error this module does not name
    names = frozenset(key for key, _, _ in declared)

    def accepts(data: Any) -> bool:
        if type(data) is not dict or not data.keys() <= names:
            return False
        for key, required, check in declared:
            value = data.get(key, _MISSING)
            if value is _MISSING:
                if required:
                    return False
            elif not check(value):
                return False
        return True

    return accepts
