"""What every service refuses at its door, in one place: text that would break or spoof a page, dates no record of
ours can sensibly hold, and JSON nested deeper than any request needs.

The gateway's schemas (services/gateway/schemas.py) use these checks on the public API and the web forms; each
service's internal API runs them again on what it is sent (shared/web.py), so a caller that skipped the gateway
cannot store what the gateway would refuse. Pages use `printable` to show safely what was stored before these
checks existed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import unquote_to_bytes

from marshmallow import ValidationError

from shared.clock import LONDON, now as clock_now


EARLIEST = date(1900, 1, 1)
"""Nothing the service records happened before this: the oldest thing it holds is a care leaver's date of birth."""
HORIZON = timedelta(days=2 * 366)
"""Nothing is planned further ahead than this (a meeting, a statutory review)."""
CLOCK_SKEW = timedelta(minutes=5)
"""A time said to have happened may be this far ahead of our clock: the caller's clock may run a little fast."""
MAX_OFFSET = timedelta(hours=14)
"""The widest UTC offset any place uses; RFC 3339 allows up to 23:59, which only serves to overflow conversions."""
MAX_DEPTH = 16
"""No request body nests objects and arrays deeper than this (a referral's is 3)."""

# Text. Python holds an unpaired surrogate from a JSON "\ud800" as a code point of its own (a valid pair becomes one
# astral character), so any code point in U+D800..U+DFFF is one that UTF-8 cannot encode and no page can show.
_SURROGATE = "\ud800-\udfff"
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = r"\u202a-\u202e\u2066-\u2069"
_BREAK = r"\t\n\r\u2028\u2029"
TEXT_PATTERN = re.compile(rf"^[^{_CONTROL}{_BIDI}]*$")
"""Free text: any character but control characters (tab and line breaks allowed) and bidirectional overrides.

Written without the surrogate range so that JSON Schema validators, which see strings as UTF-16, accept a valid pair;
`text_problem` refuses an unpaired one besides."""
LINE_PATTERN = re.compile(rf"^[^{_CONTROL}{_BIDI}{_BREAK}]*$")
"""A name or a short answer: as free text, and on one line."""
_UNSAFE = re.compile(f"[{_SURROGATE}{_CONTROL}{_BIDI}]")
_BREAKS = re.compile(f"[{_BREAK}]")

# What a person's name never holds, though free text may: characters that show nothing (zero-width spaces and
# joiners, the byte order mark, fillers, variation selectors, Unicode's tag characters), characters that mean only
# what one system privately says (private use), and code points Unicode promises never to assign (non-characters).
# Two names that look the same on a page are then the same name. Planes 14 to 16 hold nothing else (tags, variation
# selectors, private use), so they are refused whole; the astral ranges stand as characters, not escapes, so that
# the pattern reads the same in Python and in JSON Schema's Unicode-aware regular expressions.
_INVISIBLE = (r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u206f\u3164"
              r"\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
              "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000effff")
_PRIVATE = r"\ue000-\uf8ff" "\U000f0000-\U0010ffff"
_NONCHARACTER = r"\ufdd0-\ufdef\ufffe\uffff" + "".join(chr(plane << 16 | 0xfffe) + chr(plane << 16 | 0xffff)
                                                        for plane in range(1, 14))
NAME_PATTERN = re.compile(rf"^[^{_CONTROL}{_BIDI}{_BREAK}{_INVISIBLE}{_PRIVATE}{_NONCHARACTER}]*$")
"""A person's name: as a line, and with nothing invisible, private or unassignable in it."""
_HIDDEN = re.compile(f"[{_INVISIBLE}]")
_UNASSIGNABLE = re.compile(f"[{_PRIVATE}{_NONCHARACTER}]")


def text_problem(value: str) -> str | None:
    """What is wrong with `value` as free text, or None. (The messages are fixed, so the web forms can show them in
    Welsh.)"""
    found = _UNSAFE.search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return "Contains an unpaired surrogate, which is not a character."
    if re.match(f"[{_BIDI}]", char):
        return "Contains a bidirectional override character; remove it."
    return "Contains a control character; remove it."


def line_problem(value: str) -> str | None:
    """What is wrong with `value` as a name or a one-line answer, or None."""
    problem = text_problem(value)
    if problem is None and _BREAKS.search(value):
        return "Must be on one line: no tabs or line breaks."
    return problem


def name_problem(value: str) -> str | None:
    """What is wrong with `value` as a person's name (a child's, a parent's, a referrer's, a member of staff's, a
    complainant's), or None."""
    problem = line_problem(value)
    if problem is None and _HIDDEN.search(value):
        return "Contains an invisible character (a zero-width space, joiner, byte order mark or tag); remove it."
    if problem is None and _UNASSIGNABLE.search(value):
        return "Contains a private-use character or a non-character, which no page can show; remove it."
    return problem


ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What an id in a path can be: our ids are UUIDs, and no service makes one outside this."""


# Email addresses: staff sign in with theirs and are known by it (the audit log, allocations), so no two accounts
# may have addresses that look alike.

EMAIL_FORMAT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LOOKALIKES = str.maketrans({
    "а": "a", "е": "e", "і": "i", "ј": "j", "о": "o", "р": "p", "с": "c", "ѕ": "s", "у": "y", "х": "x", "ԁ": "d",
    "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "к": "k", "в": "b", "м": "m", "н": "h", "т": "t",  # Cyrillic
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",  # Greek
    "ı": "i", "ɑ": "a", "ɡ": "g", "ʟ": "l", "0": "o", "1": "l", "|": "l",
})
"""Letters (and digits) that pass for a Latin letter on a page: Unicode's confusables (UTS 39) for the letters an
address is written in."""


def normalised_email(value: str) -> str:
    """An address as it is kept and looked up: compatibility characters as their plain forms (NFKC: a full-width
    `ａ` is `a`, the Kelvin sign `K`), trimmed, in lower case."""
    text = unicodedata.normalize("NFKC", value).strip()
    local, at, domain = text.rpartition("@")
    return f"{local.lower()}@{domain.casefold()}" if at else text.lower()


HIDDEN_IN_EMAIL = "Contains an invisible character or a space; type the address again."
MIXED_ALPHABETS = "Mixes letters of different alphabets (Latin and Cyrillic, say); write it in one."
NOT_AN_EMAIL = "Not an email address, like name@example.com."


def email_problem(value: str) -> str | None:
    """What is wrong with a normalised address, or None: one that could pass for another on a page is refused."""
    if _HIDDEN.search(value) or _UNSAFE.search(value) or re.search(r"\s", value):
        return HIDDEN_IN_EMAIL
    if len({_script(char) for char in value if char.isalpha()}) > 1:
        return MIXED_ALPHABETS
    if not EMAIL_FORMAT.fullmatch(value) or len(value) > 254:
        return NOT_AN_EMAIL
    return None


def email_likeness(value: str) -> str:
    """The form that addresses which look alike share (UTS 39's skeleton, for the letters addresses are written
    in): `rn` is `m`, a Cyrillic `а` or a digit `0` is the Latin letter it passes for."""
    skeleton = normalised_email(value).translate(_LOOKALIKES)
    return skeleton.replace("rn", "m").replace("vv", "w")


def _script(char: str) -> str:
    return unicodedata.name(char, "").partition(" ")[0]


def decodes(form: bytes) -> bool:
    """Whether a query string or a form body (`application/x-www-form-urlencoded`) decodes to UTF-8 text, escapes
    and all."""
    try:
        unquote_to_bytes(form.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def printable(value: str) -> str:
    """`value` with every character that `text_problem` refuses shown as U+FFFD, for pages showing older records."""
    return _UNSAFE.sub("\ufffd", value)


class Printable:
    """A marshmallow validator for text fields (`name` for a person's name); its `regex` (when `documented`) is what
    the OpenAPI document states as the field's pattern."""

    def __init__(self, *, one_line: bool, name: bool = False, documented: bool = True):
        self.check = name_problem if name else line_problem if one_line else text_problem
        if documented:
            self.regex = NAME_PATTERN if name else LINE_PATTERN if one_line else TEXT_PATTERN

    def __call__(self, value: Any) -> Any:
        problem = self.check(value) if isinstance(value, str) else None
        if problem:
            raise ValidationError(problem)
        return value


def unsafe_strings(payload: Any) -> dict[str, list[str]]:
    """Every string in a parsed JSON body (keys too) that is not safe text, by field path, e.g. `child.given_name`."""
    errors: dict[str, list[str]] = {}
    for path, value in _strings(payload, ""):
        problem = text_problem(value)
        if problem:
            errors.setdefault(printable(path) or "_schema", [problem])
    return errors


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                inner_path = f"{where}.{key}" if where else str(key)
                yield inner_path, str(key)
                stack.append((inner, inner_path))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}.{index}" if where else str(index)) for index, inner in enumerate(item))


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:|"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def nesting_problem(text: str, limit: int = MAX_DEPTH) -> str | None:
    """The top-level field of a JSON text whose value nests deeper than `limit` (`_schema` when the body itself
    does), or None; read without parsing, so that no parser recurses into it."""
    if text.count("{") + text.count("[") <= limit:
        return None  # too few brackets to nest that deep, wherever they stand
    depth, field = 0, "_schema"
    for token in _TOKEN.finditer(text):
        lexeme = token.group()
        if lexeme in ("[", "{"):
            depth += 1
            if depth > limit:
                return field
        elif lexeme in ("]", "}"):
            depth -= 1
        elif token.group(1) is not None and depth == 1:
            field = _key(token.group(1))
    return None


def _key(raw: str) -> str:
    try:
        return printable(json.loads(f'"{raw}"'))
    except ValueError:
        return printable(raw)


# Dates and times: RFC 3339's own formats only (Python's fromisoformat also takes 20130502 and week dates), inside a
# window every service shares.

DAY_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")
MOMENT_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
WINDOW = "from 1900-01-01 to two years ahead"
OFFSETS = "an offset of at most 14 hours"


def latest(moment: datetime | None = None) -> datetime:
    return (moment or clock_now()) + HORIZON


def parse_day(value: Any) -> date:
    """A YYYY-MM-DD date; ValueError saying what is wrong otherwise."""
    if not isinstance(value, str) or not DAY_FORMAT.fullmatch(value):
        raise ValueError("Give a date as YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("Not a real date.") from None


def parse_moment(value: Any) -> datetime:
    """An RFC 3339 time with its offset (at most 14 hours); ValueError saying what is wrong otherwise."""
    if not isinstance(value, str) or not MOMENT_FORMAT.fullmatch(value):
        raise ValueError("Give a time as RFC 3339 with its offset, e.g. 2026-12-14T10:00:00+00:00.")
    try:
        moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("Not a real date and time.") from None
    if abs(moment.utcoffset()) > MAX_OFFSET:
        raise ValueError("Give an offset of at most 14 hours from UTC.")
    return moment


def day_problem(value: Any, *, past: bool = False, today: date | None = None) -> str | None:
    """What is wrong with `value` as a date (`past`: one that has happened, such as a birth), or None."""
    try:
        day = parse_day(value)
    except ValueError as exc:
        return str(exc)
    today = today or clock_now().astimezone(LONDON).date()
    if past and day > today:
        return "The date is in the future."
    if not EARLIEST <= day <= latest(datetime(today.year, today.month, today.day)).date():
        return "The date is outside the dates this service records (from 1900-01-01 to two years ahead)."
    return None


def moment_problem(value: Any, *, past: bool = False, now: datetime | None = None) -> str | None:
    """What is wrong with `value` as a time (`past`: one that has happened), or None."""
    try:
        moment = parse_moment(value)
    except ValueError as exc:
        return str(exc)
    now = now or clock_now()
    if past and moment.year > now.year and (moment.year > now.year + 1 or moment > now + CLOCK_SKEW):
        return "The time is in the future."  # whatever the window: said so before the window, however far ahead
    if not EARLIEST.year <= moment.year <= latest(now).year:  # before any arithmetic, which could overflow
        return "The time is outside the times this service records (from 1900-01-01 to two years ahead)."
    if past and moment > now + CLOCK_SKEW:
        return "The time is in the future."
    if not datetime(EARLIEST.year, 1, 1, tzinfo=timezone.utc) <= moment <= latest(now):
        return "The time is outside the times this service records (from 1900-01-01 to two years ahead)."
    return None


Check = Callable[[Any], "str | None"]


def past_day(value: Any) -> str | None:
    return day_problem(value, past=True)


def any_day(value: Any) -> str | None:
    return day_problem(value)


def past_moment(value: Any) -> str | None:
    return moment_problem(value, past=True)


def any_moment(value: Any) -> str | None:
    return moment_problem(value)


def well_formed_moment(value: Any) -> str | None:
    """What is wrong with `value` as the form of a time, or None: for a query's filter, which stores nothing, so any
    year will do (`updated_since=2100-01-01T00:00:00Z` finds nothing, rightly)."""
    try:
        parse_moment(value)
    except ValueError as exc:
        return str(exc)
    return None


def one_line(value: Any) -> str | None:
    return line_problem(value) if isinstance(value, str) else None


def person_name(value: Any) -> str | None:
    return name_problem(value) if isinstance(value, str) else None


def field_problems(body: Any, checks: Mapping[str, Check]) -> dict[str, list[str]]:
    """The checks' complaints about `body`, by field path (`child.date_of_birth`); absent or null fields are left to
    the rules that say whether they are required."""
    errors: dict[str, list[str]] = {}
    for path, check in checks.items():
        value: Any = body
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is not None:
            problem = check(value)
            if problem:
                errors[path] = [problem]
    return errors
