"""The child's own case record as a page they can read, in English or Welsh (DOMAIN.md: the child may read their
record, and what it says must be something they agree with)."""

from __future__ import annotations

import html
from datetime import datetime

from shared.clock import LONDON
from shared.validation import printable


WORDS = {
    "en": {
        "title": "My advocacy record", "opened": "Opened", "status": "Status", "open": "Open", "closed": "Closed",
        "plan": "My plan", "no_plan": "We have not written a plan together yet.", "issues": "What I wanted help with",
        "outcome": "What happened", "not_yet": "Still working on it", "activities": "What we did",
        "contribution": "How I took part", "signposting": "Other help I was told about",
        "disclosures": "When something was shared without my agreement",
        "disclosure_text": "On {disclosed_at} information was shared with {disclosed_to} because of {reason}. "
                           "I was told on {child_told_at}.",
        "closure": "How it ended", "feedback": "What I thought of it",
        "own": "on my own", "through_advocate": "through my advocate", "jointly": "together with my advocate",
        "resolved": "sorted out", "partly_resolved": "partly sorted out", "not_resolved": "not sorted out",
        "withdrawn": "I stopped it",
        "significant_harm": "a worry that someone could be seriously harmed", "court_order": "a court order",
    },
    "cy": {
        "title": "Fy nghofnod eiriolaeth", "opened": "Agorwyd", "status": "Statws", "open": "Ar agor",
        "closed": "Wedi cau", "plan": "Fy nghynllun", "no_plan": "Dydyn ni ddim wedi ysgrifennu cynllun gyda'n "
        "gilydd eto.", "issues": "Beth roeddwn i eisiau help gyda fe", "outcome": "Beth ddigwyddodd",
        "not_yet": "Rydyn ni'n dal i weithio arno", "activities": "Beth wnaethon ni",
        "contribution": "Sut wnes i gymryd rhan", "signposting": "Help arall y clywais i amdano",
        "disclosures": "Pan rannwyd rhywbeth heb i mi gytuno",
        "disclosure_text": "Ar {disclosed_at} rhannwyd gwybodaeth â {disclosed_to} oherwydd {reason}. "
                           "Cefais wybod ar {child_told_at}.",
        "closure": "Sut daeth i ben", "feedback": "Beth oeddwn i'n feddwl",
        "own": "ar fy mhen fy hun", "through_advocate": "drwy fy eiriolwr", "jointly": "gyda fy eiriolwr",
        "resolved": "wedi'i ddatrys", "partly_resolved": "wedi'i ddatrys yn rhannol",
        "not_resolved": "heb ei ddatrys", "withdrawn": "fe wnes i ei stopio",
        "significant_harm": "pryder y gallai rhywun gael niwed difrifol", "court_order": "gorchymyn llys",
    },
}


def _day(moment: str | None) -> str:
    """The day of a stored time in London; one stored before times kept to a sane window (year 9999 at -23:59
    cannot be moved to London) is shown as stored rather than failing the child's page."""
    if not moment:
        return ""
    try:
        return datetime.fromisoformat(moment).astimezone(LONDON).strftime("%d/%m/%Y")
    except (TypeError, ValueError, OverflowError):
        return escape(str(moment))


def escape(text: str) -> str:
    """Text the advocate wrote, escaped for HTML, with anything a page cannot show (an unpaired surrogate stored
    before the service refused them) replaced, so one bad entry cannot break the whole record."""
    return html.escape(printable(text))


def render(record: dict, language: str) -> str:
    """The record as a small accessible HTML page; text the advocate wrote is escaped, never trusted."""
    words = WORDS.get(language, WORDS["en"])
    lang = language if language in WORDS else "en"
    part = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<title>{words["title"]}</title></head><body><main>',
            f'<h1>{words["title"]}</h1>',
            f'<p>{words["opened"]}: {_day(record["opened_at"])}. {words["status"]}: {words[record["status"]]}.</p>',
            f'<h2>{words["plan"]}</h2>',
            f'<p>{escape(record["plan"]["text"])}</p>' if record["plan"] else f'<p>{words["no_plan"]}</p>']
    if record["issues"]:
        part.append(f'<h2>{words["issues"]}</h2><ul>')
        for issue in record["issues"]:
            outcome = words.get(issue["outcome"] or "", words["not_yet"])
            part.append(f'<li>{escape(issue["description"])} ({words["outcome"]}: {outcome})</li>')
        part.append("</ul>")
    if record["activities"]:
        part.append(f'<h2>{words["activities"]}</h2><ul>')
        for activity in record["activities"]:
            part.append(f'<li>{_day(activity["at"])}: {escape(activity["note"] or activity["kind"])} '
                        f'({words["contribution"]}: {words[activity["contribution"]]})</li>')
        part.append("</ul>")
    if record["signposting"]:
        part.append(f'<h2>{words["signposting"]}</h2><ul>')
        part.extend(f'<li>{escape(s["note"] or s["to"])}</li>' for s in record["signposting"])
        part.append("</ul>")
    if record["disclosures"]:
        part.append(f'<h2>{words["disclosures"]}</h2>')
        for d in record["disclosures"]:
            part.append("<p>" + words["disclosure_text"].format(
                disclosed_at=_day(d["disclosed_at"]), disclosed_to=escape(d["disclosed_to"]),
                reason=words[d["reason"]], child_told_at=_day(d["child_told_at"])) + "</p>")
    if record["closure"]:
        part.append(f'<h2>{words["closure"]}</h2><p>{_day(record["closure"]["closed_at"])}</p>')
        if record["closure"]["feedback"]:
            part.append(f'<p>{words["feedback"]}: {escape(record["closure"]["feedback"])}</p>')
    part.append("</main></body></html>")
    return "".join(part)
