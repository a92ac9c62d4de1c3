"""What a person reads on a page is words: no code, slug or timestamp, no English the Welsh catalogue translates on a
Welsh page, and nothing wider than a phone's screen.

The text checks work on plain text, so the checker is tested on its own (tests/unit/test_reads_as_words.py) and
cannot pass silently; `reads_as_words` takes that text from a page in a real browser. Codes are those the platform
holds that are not also ordinary words: every vocabulary code of shared/contracts joined by `_` or `-`, the register's
region slugs and (all-capital) council codes, and a language code standing alone.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

import shared.contracts
from shared.contracts.referral import LANGUAGES
from shared.councils import CouncilRegister

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "services" / "gateway" / "web" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
PHONE_WIDTH = 375
REPORT = "LLAIS_WORDS_REPORT"
"""Names a file to which every page's findings are added (one JSON line each) instead of failing the test at the
first: a walk's list of what is left to put right."""

STAMP = re.compile(
    r"(?<![\w-])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:\d{2})?(?![\w-])"
    r"|(?<![\w:])\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z(?!\w)|\+\d{2}:\d{2})"
    r"|(?<![\w:])\d{2}:\d{2}:\d{2}(?:\.\d+)?-\d{2}:\d{2}"
    r"|(?<![\w:+-])\+00:00(?!\d)")
"""An ISO date or timestamp, or a time with its offset: never how a person writes a moment. A range of times
("10:00-11:00") is words and does not match."""
JOINED = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)+$")
"""A code that is not a word: lower-case parts joined by `_` or `-` (`not_held`, `cardiff-vale`)."""
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
LEAST_WORDS = 3


@dataclass(frozen=True)
class Finding:
    """One thing on a page a person should not have to read: what kind, the text itself, and where it stands."""

    what: str
    text: str
    where: str

    def __str__(self) -> str:
        return f"{self.what} {self.text!r} in {self.where}"


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (tuple, list, frozenset, set)):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


@cache
def codes() -> frozenset[str]:
    """Every code the platform holds that no person should read: the contracts' vocabularies (module-level tuples,
    dicts of tuples, single codes) joined by `_` or `-`, the register's region slugs and council codes, and the
    language codes."""
    found: set[str] = set(LANGUAGES) | {code.upper() for code in LANGUAGES}
    for module in pkgutil.iter_modules(shared.contracts.__path__):
        contract = importlib.import_module(f"shared.contracts.{module.name}")
        for name, value in vars(contract).items():
            if name.isupper():
                found |= {s for s in _strings(value) if JOINED.match(s)}
    for council in CouncilRegister.load().all():
        found |= {council.code, council.region} if JOINED.match(council.region) else {council.code}
    return frozenset(found)


@cache
def _codes_pattern() -> re.Pattern:
    alternatives = "|".join(re.escape(code) for code in sorted(codes(), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


@cache
def english_the_catalogue_translates(catalogue: Path = CATALOGUE) -> tuple[str, ...]:
    """The English texts of the Welsh catalogue that a Welsh page must never show: each msgid (or, around its
    placeholders, each piece of it) of three words or more whose Welsh differs."""
    with catalogue.open("rb") as po:
        messages = read_po(po)
    found = set()
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not ids[0] or not any(strings) or set(ids) & set(strings):
            continue
        for english in ids:
            for piece in PLACEHOLDER.split(english):
                piece = " ".join(piece.split()).strip(" ,.:;()")
                if len(piece.split()) >= LEAST_WORDS:
                    found.add(piece)
    return tuple(sorted(found, key=len, reverse=True))


@cache
def _codes_as_english() -> re.Pattern:
    """A code of the contracts with its `_` turned to spaces ("acknowledge by", "not held"): English on a Welsh page,
    whatever its capitals."""
    phrases = sorted({code.replace("_", " ") for code in codes() if "_" in code and code.islower()}, key=len,
                     reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(p) for p in phrases)})(?!\w)", re.IGNORECASE)


def _line(text: str, start: int, end: int) -> str:
    """The line of text around a finding, so a person can tell where on the page it stands."""
    before = text.rfind("\n", 0, start) + 1
    after = text.find("\n", end)
    line = " ".join(text[before:after if after >= 0 else len(text)].split())
    return f"“{line[:120]}”"


def findings_in(text: str, language: str, where: str = "the page") -> list[Finding]:
    """What in a page's text (as a person reads it, `where` on the page) is not words: a timestamp or ISO date, a
    code, and on a Welsh page (`language` cy) English the catalogue translates or a code written out in English."""
    found = [Finding("a timestamp", m.group(), f"{where} {_line(text, m.start(), m.end())}")
             for m in STAMP.finditer(text)]
    found += [Finding("a code", m.group(), f"{where} {_line(text, m.start(), m.end())}")
              for m in _codes_pattern().finditer(text)]
    if language == "cy":
        found += [Finding("English on a Welsh page", m.group(), f"{where} {_line(text, m.start(), m.end())}")
                  for m in _codes_as_english().finditer(text)]
        flat = " ".join(text.split())
        for english in english_the_catalogue_translates():
            m = re.search(rf"(?<!\w){re.escape(english)}(?!\w)", flat)
            if m:
                found.append(Finding("English on a Welsh page", english,
                                     f"{where} “{flat[max(0, m.start() - 40):m.end() + 40]}”"))
    return list(dict.fromkeys(found))


_TEXT = """() => {
  const shown = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  const own = [...document.querySelectorAll('body [lang]')]
    .filter(e => !e.lang.startsWith(document.documentElement.lang) && shown(e)).map(e => e.innerText.trim());
  const selects = [...document.querySelectorAll('select')].filter(shown).map(s =>
    ['the choices of ' + (s.labels.length ? '“' + s.labels[0].innerText.trim() + '”' : 'select#' + s.id),
     [...s.options].map(o => o.text).join('\\n')]);
  return {language: document.documentElement.lang, text: document.body.innerText, other: own, selects};
}"""

_WIDEST = """() => {
  const screen = window.innerWidth, width = document.documentElement.scrollWidth;
  if (width <= screen) return null;
  const scrolled = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
  const past = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    const right = Math.max(r.right, r.left + e.scrollWidth);  // a box, or the text that spills out of it
    if (right > screen + 1 && r.width && !scrolled(e)) past.push({e, right, width: r.width});
  }
  const innermost = past.filter(p => !past.some(q => q.e !== p.e && p.e.contains(q.e)));  // not its container
  const worst = innermost.sort((a, b) => b.right - a.right)[0];
  const e = worst && worst.e;
  const named = e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    [...e.classList].slice(0, 2).map(c => '.' + c).join('') + ' reaching ' + Math.round(worst.right) + 'px “' +
    (e.innerText || e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60) + '”' : 'no single element';
  return {width, screen, named};
}"""


def width_finding(page) -> Finding | None:
    """The page's widest element past the screen's right edge, if the page scrolls sideways at its present size."""
    wide = page.evaluate(_WIDEST)
    if wide is None:
        return None
    return Finding("wider than the screen", f"{wide['width']}px on a {wide['screen']}px screen", wide["named"])


def _at_phone_width(page) -> Finding | None:
    """The width check at 375 px: at once if the page is already that narrow, else resized there and back."""
    size = page.viewport_size
    if size is None or size["width"] <= PHONE_WIDTH:
        return width_finding(page)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
    try:
        return width_finding(page)
    finally:
        page.set_viewport_size(size)


def page_findings(page) -> list[Finding]:
    """Everything on the page as it stands that is not words for a person, and its width on a phone."""
    seen = page.evaluate(_TEXT)
    text = seen["text"]
    for other in seen["other"]:
        if other:
            text = text.replace(other, "\n")  # marked as another language on purpose (the language switch)
    found = [f for where, options in seen["selects"] for f in findings_in(options, seen["language"], where)]
    named = {(f.what, f.text) for f in found}  # chromium's text has the choices too: named once, as choices
    found += [f for f in findings_in(text, seen["language"]) if (f.what, f.text) not in named]
    wide = _at_phone_width(page)
    return found + ([wide] if wide else [])


def reads_as_words(page, name: str = "") -> None:
    """Fail, naming the page, each offending text and where it stands, unless the page reads as words in its
    language and fits a phone's screen; with LLAIS_WORDS_REPORT set, add the findings to that file instead."""
    found = page_findings(page)
    if not found:
        return
    language = page.evaluate("() => document.documentElement.lang")
    report = os.environ.get(REPORT)
    if report:
        with open(report, "a", encoding="utf-8") as out:
            for finding in found:
                out.write(json.dumps({"page": name, "url": page.url, "language": language, "what": finding.what,
                                      "text": finding.text, "where": finding.where}, ensure_ascii=False) + "\n")
        return
    raise AssertionError(f"{name or 'a page'} ({page.url}, {language}) does not read as words: "
                         + "; ".join(str(f) for f in found))
