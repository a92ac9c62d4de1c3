"""The child's data, for the provider's managers: a subject access export (find the child, review what every
service holds with its redaction marks, release one archive) and "who looked" (the audit log of a child's records
or of one member of staff's reading, by dates, a page at a time or as CSV).

Only managers: anyone else signed in is refused (403), and the refusal is audited. Each request, review and release
of an export is audited against the child's referrals, and so is every reading of the audit log.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from typing import Any, Callable
from urllib.parse import urlencode

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import Optional

from shared import validation, words
from shared.clock import LONDON, least_id_at, timestamp
from shared.contracts.referral import llais_reference
from shared.web import Problem

from services.gateway import access, domain, subject_access
from services.gateway.web import blueprint, council_choices, current_language, service_messages
from services.gateway.web.flow import form_for_its_page, kept_for_its_page
from services.gateway.web.forms import choice, day, submit, text
from services.gateway.web.people import person_ref
from services.gateway.web.pages import error_summary, gateway_store, long_date, signed_in, staff_name, when

MANAGER = "manager"
PAGE_SIZE = 50
"""Audit entries on a page of "who looked"."""
MOST_IN_A_FILE = 10_000
"""The most audit entries one CSV file holds: a longer span is downloaded a part at a time."""
WHY = "web forms (subject access)"
WAYS = [("referral", _l("By a referral")), ("name", _l("By their name and date of birth")),
        ("reference", _l("By a council's reference"))]


def managers(what: str) -> Callable:
    """Pages for the provider's managers: others signed in are refused (403) and the refusal audited as `what`."""
    return signed_in(MANAGER, refusal=what)


class FindChildForm(FlaskForm):
    way = choice(_l("How will you find the child?"), WAYS, _l("Choose how to find the child"))
    referral = text(_l("Referral reference"), optional=True, max_length=64,
                    hint=_l("The reference of any of the child's referrals"))
    given_name = text(_l("Given name"), optional=True)
    family_name = text(_l("Family name"), optional=True)
    date_of_birth = day(_l("Date of birth"), _l("Enter their date of birth"), optional=True,
                        hint=_l("For example, 27 3 2012"))
    council = SelectField(_l("Council"), [Optional()], choices=[], widget=GovSelect(),
                          invalid_choice_message=_l("Choose a council from the list"))
    external_ref = text(_l("The council's reference"), optional=True, max_length=200)
    submit = submit(_l("Find the child"))


class ReviewForm(FlaskForm):
    redact = SelectMultipleField(choices=[], validate_choice=False)
    submit = submit(_l("Save the redactions"))


class ReleaseForm(FlaskForm):
    submit = submit(_l("Release the archive"))


def _how(form: FindChildForm) -> dict[str, Any] | None:
    """What the referral service finds the child by, from the way chosen; None (the form's fields saying what is
    missing) when that way's answers are not all given."""
    needed = {"referral": ("referral",), "name": ("given_name", "family_name", "date_of_birth"),
              "reference": ("council", "external_ref")}[form.way.data]
    missing = [name for name in needed if not getattr(form, name).data]
    for name in missing:
        getattr(form, name).errors = [gettext("Answer this to find the child this way")]
    if missing:
        return None
    if form.way.data == "referral":
        return {"referral_id": form.referral.data.strip()}
    if form.way.data == "name":
        return {"child": {"given_name": form.given_name.data.strip(), "family_name": form.family_name.data.strip(),
                          "date_of_birth": form.date_of_birth.data.isoformat()}}
    return {"council": form.council.data, "external_ref": form.external_ref.data.strip()}


def _with_councils(form: FindChildForm) -> None:
    """The councils to choose from, by their names in the page's language."""
    form.council.choices = [("", gettext("Choose the council")), *council_choices()]


@blueprint.route("/subject-access", methods=["GET", "POST"])
@managers("subject access refused")
def subject_access_find():
    form, loose = form_for_its_page("subject-access", FindChildForm, _with_councils)
    if request.method == "POST" and form.validate_on_submit():
        how = _how(form)
        if how is not None:
            try:
                referral_ids = subject_access.find_child(how)
            except subject_access.ChildNotFound:
                access.audit("subject access: no such child", None, 404, WHY)
                loose = [{"text": str(service_messages.WORDINGS["subject_access.child_not_found"])}]
            else:
                export_id = gateway_store().add_subject_access(g.principal.id, referral_ids)
                for referral_id in referral_ids:
                    access.audit("subject access export requested", referral_id, 201, WHY)
                return redirect(url_for("web.subject_access_review", export_id=export_id))
    if request.method == "POST":
        return kept_for_its_page("subject-access", form, loose)
    return render_template("subject_access_find.html", form=form, errors=error_summary(form, loose))


def _export(export_id: str):
    export = gateway_store().subject_access(export_id)
    if export is None:
        abort(404)
    try:
        return export, subject_access.gather(export.body["referral_ids"])
    except subject_access.ChildNotFound:
        abort(404)


@blueprint.route("/subject-access/<export_id>", methods=["GET", "POST"])
@managers("subject access refused")
def subject_access_review(export_id: str):
    export, items = _export(export_id)
    keys = [mark["key"] for item in items for mark in item["marks"]]
    form = ReviewForm()
    if request.method == "POST" and form.validate_on_submit():
        chosen = set(form.redact.data or ())
        gateway_store().save_subject_access(export, {**export.body,
                                                     "cleared": [key for key in keys if key not in chosen]})
        for referral_id in export.body["referral_ids"]:
            access.audit("subject access export reviewed", referral_id, 200, WHY)
        flash(gettext("The redactions are saved"))
        return redirect(url_for("web.subject_access_review", export_id=export_id))
    if request.method == "POST":
        abort(400)
    for referral_id in export.body["referral_ids"]:
        access.audit("subject access export read", referral_id, 200, WHY)
    return render_template("subject_access_review.html", export=export.body, items=items,
                           cleared=set(export.body.get("cleared") or ()), form=form, release_form=ReleaseForm(),
                           child=subject_access.the_child(items), language=subject_access.language_of(items),
                           kind_words=kind_words, reason_words=reason_words, rows=subject_access.rows, label=label,
                           shown=value_words, reader=current_language())


@blueprint.post("/subject-access/<export_id>/release")
@managers("subject access refused")
def subject_access_release(export_id: str):
    export, items = _export(export_id)
    if not ReleaseForm().validate_on_submit():
        abort(400)
    language = subject_access.language_of(items)
    made_at = timestamp()
    with force_locale(language):
        released = subject_access.as_released(items, export.body.get("cleared") or (), gettext("[redacted]"))
        packed = subject_access.archive(export_id, made_at, export.body["referral_ids"], released, language,
                                        lambda: _document(released, language, made_at))
    gateway_store().save_subject_access(export, {**export.body, "released_at": made_at})
    for referral_id in export.body["referral_ids"]:
        access.audit("subject access export released", referral_id, 200, WHY)
    return Response(packed, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="subject-access-{export_id}.zip"', "Cache-Control": "no-store"})


def _document(released: list[dict], language: str, made_at: str) -> str:
    """The readable document of the archive, in the child's language, every code in its words."""
    return render_template("subject_access_document.html", items=released, language=language, made_at=made_at,
                           child=subject_access.the_child(released), kind_words=kind_words,
                           reason_words=reason_words, rows=subject_access.rows, label=label, shown=value_words)


def label(path: str) -> str:
    """A field's dotted path as the document names it, in the language it is drawn in (shared/words)."""
    return subject_access.field_words(path, current_language_or_forced(), strict=False)


def value_words(item: dict, path: str, value: Any, language: str) -> str:
    """A field's value as the document shows it: a code in its words, yes or no, a moment or a day in the
    child's language, anything else as it is."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, str) and len(value) >= 20 and value[4:5] == "-" and value[10:11] == "T":
        return when(value) or value
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        return long_date(value) or value
    return str(subject_access.code_words(item, path, value, language, strict=False))


def kind_words(kind: str) -> str:
    return words.of("record_kind", kind, current_language_or_forced())


def reason_words(reason: str) -> str:
    return words.of("redaction_reason", reason, current_language_or_forced())


def current_language_or_forced() -> str:
    """The language pages are drawn in now: the child's within the document, the reader's otherwise."""
    return words.language_of(str(get_locale() or current_language()))


# who looked: the audit log of one child's records, or of one member of staff


def _dates() -> tuple[str | None, str | None, dict[str, str]]:
    """The ids bounding the dates asked for (from the start of `from`, to the end of `to`, London days), and the
    dates as given; a date that is not one is a 422 problem."""
    given = {name: request.args.get(name, "").strip() for name in ("from", "to") if request.args.get(name)}
    bounds: dict[str, str | None] = {"from": None, "to": None}
    for name, value in given.items():
        if problem := validation.day_problem(value):
            raise Problem(422, "Give the dates as YYYY-MM-DD.", errors={name: [problem]})
        day_asked = validation.parse_day(value)
        start = datetime.combine(day_asked + timedelta(days=1 if name == "to" else 0), time(), LONDON)
        bounds[name] = least_id_at(start)
    return bounds["from"], bounds["to"], given


def _entries(where: dict) -> tuple[list, str | None, dict[str, str]]:
    """The page of audit entries matching `where` the query asks for (its dates, `after` for the next page), and
    the cursor of the page that follows (None at the end); the whole span as CSV asks for up to MOST_IN_A_FILE."""
    start, end, given = _dates()
    after = request.args.get("after") or start
    if after and not (len(after) <= 64 and all(c in "0123456789abcdef-" for c in after)):
        raise Problem(422, "The page asked for is not one this list gave.", errors={"after": ["Not a page."]})
    limit = MOST_IN_A_FILE if request.args.get("format") == "csv" else PAGE_SIZE
    page = gateway_store().audit_page(where, after, end, limit)
    following = page[-1].id if len(page) == limit and request.args.get("format") != "csv" else None
    return page, following, given


def _who_looked(title: str, where: dict, audited: list[str | None]):
    entries, following, given = _entries(where)
    for record_id in audited:  # reading the audit log is itself audited
        access.audit("who looked read", record_id, 200, "web forms (who looked)")
    if request.args.get("format") == "csv":
        return _csv(entries)
    return render_template("who_looked.html", title=title, entries=entries, given=given, row=_row,
                           csv_link=f"{request.path}?{urlencode({**given, 'format': 'csv'})}",
                           next_link=following and f"{request.path}?{urlencode({**given, 'after': following})}")


def _row(entry) -> dict[str, str]:
    """An audit entry in the reader's words: who (a member of staff by name and role, or a council's system), from
    where (the pages, or the API with the key or token's id), what and which record, the answer and why (a phrase
    an older version wrote, with no words here, as it was stored)."""
    body, language = entry.body, current_language()

    def said(part: str) -> str:
        phrase = body.get(part) or ""
        return words.of(f"audit_{part}", phrase, language) if phrase in words.codes(f"audit_{part}") else phrase

    council = words.council(body["council"], language) if body.get("council") else ""
    if body.get("kind") == "staff":
        who = staff_name(body["who"])
        role = words.of("staff_role", body["role"], language) if body.get("role") in words.codes("staff_role") else ""
    else:
        who, role = gettext("%(council)s council's system", council=council) if council else body["who"], ""
    via = words.of("audit_via", body["via"], language) if body.get("via") in ("web", "api") else ""
    record = body.get("referral_id") or ""
    return {
        "at": when(body.get("at"), "d MMMM yyyy, HH:mm:ss"), "who": who, "role": role, "council": council,
        "via": via, "key": body.get("key_id") or "", "what": said("what"),
        "record": record, "reference": llais_reference(record) if record else "",
        "status": str(body.get("status") or ""), "why": said("why"),
    }


COLUMNS = (("at", _l("When")), ("who", _l("Who")), ("role", _l("Role")), ("council", _l("Council")),
           ("via", _l("From where")), ("key", _l("Key")), ("what", _l("What")), ("record", _l("Record")),
           ("status", _l("Answer")), ("why", _l("Why")))
"""The CSV's columns: every part of an entry, each in a column of its own for a spreadsheet to sort by."""


def _csv(entries) -> Response:
    out = io.StringIO()
    table = csv.writer(out)
    table.writerow([str(heading) for _, heading in COLUMNS])
    for entry in entries:
        row = _row(entry)
        table.writerow([_safe(row[key]) for key, _ in COLUMNS])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="who-looked.csv"', "Cache-Control": "no-store"})


def _safe(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@blueprint.get("/subject-access/<export_id>/who-looked")
@managers("who looked refused")
def who_looked_child(export_id: str):
    export, items = _export(export_id)
    record_ids = subject_access.record_ids(export.body["referral_ids"], items)
    child = subject_access.the_child(items) or {}
    title = gettext("Who looked at the records of %(name)s", name=f"{child.get('given_name', '')} "
                                                                  f"{child.get('family_name', '')}".strip())
    return _who_looked(title, {"referral_id": record_ids}, export.body["referral_ids"])


@blueprint.get("/who-looked")
@managers("who looked refused")
def who_looked():
    """The staff whose reading a manager may look through."""
    people = sorted(((domain.display_name(u.body, u.id), u.id) for u in gateway_store().users()),
                    key=lambda person: person[0].casefold())
    access.audit("who looked read", None, 200, "web forms (who looked)")
    return render_template("who_looked_staff.html", people=[(name, person_ref(email)) for name, email in people])


@blueprint.get("/who-looked/staff/<ref>")
@managers("who looked refused")
def who_looked_staff(ref: str):
    email = next((u.id for u in gateway_store().users() if person_ref(u.id) == ref), None) if len(ref) == 20 else None
    if email is None:
        abort(404)
    title = gettext("What %(name)s looked at", name=staff_name(email))
    return _who_looked(title, {"who": email}, [None])
