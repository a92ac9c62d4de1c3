"""Staff pages: signing in and out, the home page, the referrals and every step of the Active Offer journey."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext as _l

from shared.clock import LONDON, now
from shared.contracts import referral as referral_contracts, scheduling as scheduling_contracts

from services.gateway import domain, handlers
from services.gateway.access import audit
from services.gateway.schemas import (AllocateSchema, CancelSchema, CloseSchema, ContactAttemptSchema,
                                      MeetingRequestSchema, RecordSchema, RescheduleSchema)
from services.gateway.web import blueprint, council_choices, forms, local_path
from services.gateway.web.complaints import next_step, waiting_complaints
from services.gateway.web.flow import form_for_its_page, kept_for_its_page
from services.gateway.web.messages import awaiting_messages
from services.gateway.web.offers_again import to_offer_again
from services.gateway.web.pages import (SIGNED_IN_AS, SIGNED_IN_WITH, Step, actor_label, call, clock_state,
                                        current_user, error_summary, every_item, gateway_store, london, made_at,
                                        signed_in, staff_label, submit_step, time_left)

CASEWORKERS = domain.CASEWORKERS
EVERYONE = domain.WEB_ROLES
STATUSES = forms.worded("referral_status", referral_contracts.STATUSES)
DEADLINE_STATES = forms.worded("deadline_view", scheduling_contracts.DEADLINE_VIEWS)


for helper in (staff_label, actor_label, time_left):
    blueprint.add_app_template_global(helper)


# signing in and out

@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form, loose = form_for_its_page("sign-in", forms.SignInForm)
    if request.method == "POST" and form.validate_on_submit():
        try:
            user = handlers.sign_in(gateway_store(), form.email.data, form.password.data)
        except handlers.SignInRefused as refused:
            loose = [{"text": {
                "wrong": gettext("Enter a correct email address and password"),
                "locked": gettext("Too many failed attempts: try again in 15 minutes, or ask an administrator to "
                                  "unlock your account now"),
                "role": gettext("Your account cannot use these pages"),
            }[refused.reason], "href": "#email"}]
            gateway_store().audit({"who": form.email.data.strip().lower(), "kind": "staff", "what": "sign in",
                                   "status": 401, "why": refused.reason})
        else:
            session.restart()
            session[SIGNED_IN_AS] = user.id
            session[SIGNED_IN_WITH] = domain.password_mark(user.body)
            gateway_store().audit({"who": user.id, "kind": "staff", "role": user.body["role"], "what": "sign in",
                                   "status": 200, "why": "web forms"})
            return redirect(local_path(request.args.get("next")))
    if request.method == "POST":
        return kept_for_its_page("sign-in", form, loose)  # the email kept, never the password: Back never posts it
    return render_template("sign_in.html", form=form, errors=error_summary(form, loose))


@blueprint.post("/sign-out")
def sign_out():
    if forms.SignOutForm().validate_on_submit():
        session.end()
    return redirect(url_for("web.signed_out"))


@blueprint.get("/signed-out")
def signed_out():
    return render_template("signed_out.html")


# home

@blueprint.get("/")
def home():
    user = current_user()
    if user is None:
        return render_template("start.html")
    if user.role == "commissioner":
        return redirect(url_for("web.reports"))
    if user.role == domain.ADMIN:
        return redirect(url_for("web.people"))
    if user.role == "referrer":
        status, listed = call("referral", "GET", "/referrals", params={"limit": 200},
                              what="list referrals")
        return render_template("referrer_home.html", referrals=listed["items"] if status == 200 else [])
    mine = {"advocate": user.id} if user.role == "advocate" else {}
    today = now().astimezone(LONDON).date().isoformat()
    meetings = sorted(every_item("scheduling", "/meetings", {"day": today, **mine}), key=lambda m: m["starts_at"])
    deadlines = every_item("scheduling", "/deadlines", {"state": ",".join(scheduling_contracts.DEADLINE_VIEWS),
                                                        **mine})
    _, allocated = call("referral", "GET", "/referrals", params={"advocate": user.id, "limit": 200},
                        what="list referrals")
    waiting, complaints, changes, room = [], [], [], None
    if user.role == "manager":
        room = capacity()
        _, received = call("referral", "GET", "/referrals", params={"status": "received", "limit": 200},
                           what="list referrals")
        waiting = received["items"]
        complaints = waiting_complaints()
        changes = every_item("casework", "/cases", {"change": "waiting"}, what="list cases")
    referrals = referrals_by_id([item["referral_id"] for item in deadlines + meetings]
                                + [case["referral_id"] for case in changes])
    return render_template("home.html", meetings=meetings, by_deadline=by_deadline(deadlines),
                           next_step=next_step, messages=awaiting_messages() if user.role == "manager" else [],
                           referrals=referrals, waiting=waiting, complaints=complaints, changes=changes, room=room,
                           mine=[r for r in allocated["items"] if r["status"] != "closed"],
                           offer_again=to_offer_again() if user.role == "manager" else None)


def capacity() -> dict | None:
    """What a manager allocates with: how many referrals wait and for how long the oldest has, and each advocate's
    caseload (open referrals and open cases) by their name; None when the services cannot say now."""
    referrals_status, open_referrals = call("referral", "GET", "/capacity", what="read capacity")
    cases_status, open_cases = call("casework", "GET", "/caseloads", what="read caseloads")
    if referrals_status != 200 or cases_status != 200:
        return None
    return {"waiting": open_referrals["waiting"],
            "oldest_days": domain.days_waiting(open_referrals["oldest_received_at"], now()),
            "caseloads": domain.caseloads(advocates(), open_referrals["open_referrals"], open_cases["open_cases"])}


def by_deadline(items: list[dict]) -> list[tuple[str, list[dict]]]:
    """The deadlines needing attention grouped by how pressing they are, missed first and due soon last, each
    soonest first."""
    groups: dict[str, list[dict]] = {state: [] for state in ("missed", "at_risk", "due_soon")}
    for item in sorted(items, key=lambda i: i["due_at"]):
        groups.setdefault(item["state"], []).append(item)
    return [(state, listed) for state, listed in groups.items() if listed]


def referrals_by_id(referral_ids: list[str]) -> dict[str, dict]:
    """Each referral a list names by id, read in one call: its child, kind, reference and when it was received, so
    two referrals of one child can be told apart. Each child's record shown is audited as read."""
    wanted = list(dict.fromkeys(i for i in referral_ids if i))
    found: dict[str, dict] = {}
    for start in range(0, len(wanted), 200):
        status, listed = call("referral", "GET", "/referrals", params={"id": wanted[start:start + 200]})
        if status == 200:
            found.update({referral["id"]: referral for referral in listed["items"]})
    for referral_id in found:
        audit("read referral in a list", referral_id, 200, f"web forms ({g.principal.role})")
    return found


# the referrals

def advocates() -> list[tuple[str, str]]:
    return [(user.id, domain.display_name(user.body, user.id)) for user in gateway_store().users()
            if user.body["role"] in CASEWORKERS and not user.body.get("disabled")]


def advocate_choices(current: str | None = None, welsh: bool = False) -> list[tuple[str, str]]:
    """Whom a referral (or a case, on a change of advocate) may go to: active advocates who are not locked out,
    never its `current` advocate; by name, and when the child asked for Welsh (`welsh`), those who work in Welsh
    first, said so in the label."""
    store = gateway_store()
    found = [(user.id, user.body) for user in store.users_with("advocate")]
    locked = {email for email, _ in found if handlers.locked(store, email)}
    choices, speaker = [], gettext("Welsh speaker")
    for email, body, speaks_welsh in domain.advocate_choices(found, locked, current, welsh):
        name = domain.display_name(body, email)
        label = email if name == email else f"{name} ({email})"
        choices.append((email, f"{label} – {speaker}" if speaks_welsh else label))
    return choices


def wants_welsh(referral: dict | None) -> bool:
    """Whether the child asked for Welsh (their preferred language on the referral)."""
    return ((referral or {}).get("child") or {}).get("preferred_language") == "cy"


class ReferralSearchForm(forms.ReferralFilterForm):
    search = forms.text(_l("Child's name or reference"), optional=True, max_length=200,
                        hint=_l("All or the start of a given or family name, either way round, the council's "
                                "reference or ours"))


SEARCHES = "referral_searches"
"""Where a session keeps what its user searched for, by an opaque token: the child's name stays out of the address,
the browser's history and every log."""
SEARCHES_KEPT = 5
FILTERS = ("status", "council", "advocate", "deadline")


def filter_form(data) -> ReferralSearchForm:
    form = ReferralSearchForm(data)
    form.status.choices = [("", gettext("Any status")), *STATUSES]
    form.council.choices = [("", gettext("Any council")), *council_choices()]
    form.advocate.choices = [("", gettext("Any advocate")), *advocates()]
    form.deadline.choices = [("", gettext("Any deadline")), *DEADLINE_STATES]
    return form


def kept_search(token: str | None) -> str:
    """What the session searched for under `token` ("" for none, or one it no longer keeps)."""
    return (session.get(SEARCHES) or {}).get(token or "", "")


def keep_search(searching: str) -> str:
    """Keep a search in the session, with the last few before it (a page of them open in other tabs), and give
    its token."""
    token = secrets.token_urlsafe(9)
    kept = list((session.get(SEARCHES) or {}).items())[-(SEARCHES_KEPT - 1):]
    session[SEARCHES] = {**dict(kept), token: searching}
    return token


@blueprint.post("/referrals")
@signed_in(*CASEWORKERS)
def search_referrals():
    """The list's filters as posted: the search is kept in the session and the list shown by its token, so the
    address (and Back) carry no child's name and the browser never asks to send the form again."""
    form = filter_form(request.form)
    if not form.validate():
        return render_template("referrals.html", form=form, referrals=[], errors=error_summary(form), next=None)
    chosen = {name: form[name].data for name in FILTERS if form[name].data}
    searching = (form.search.data or "").strip()
    return redirect(url_for("web.referrals", **chosen, **({"found": keep_search(searching)} if searching else {})),
                    code=303)


@blueprint.get("/referrals")
@signed_in(*CASEWORKERS)
def referrals():
    form = filter_form(request.args)
    searching = kept_search(request.args.get("found"))
    form.search.data = searching
    if not form.validate():
        return render_template("referrals.html", form=form, referrals=[], errors=error_summary(form), next=None)
    where = {"status": form.status.data, "council": form.council.data, "advocate": form.advocate.data}
    where = {k: v for k, v in where.items() if v}
    cursor = {"cursor": request.args["cursor"]} if request.args.get("cursor") else {}
    if form.deadline.data:
        deadlines = every_item("scheduling", "/deadlines", {
            "state": form.deadline.data, **({"advocate": where["advocate"]} if "advocate" in where else {})})
        found = referrals_by_id([d["referral_id"] for d in deadlines])
        if searching:
            found = {r["id"]: r for r in search(searching, {}, limit=200)["items"] if r["id"] in found}
        listed = {"items": [r for r in found.values() if matches(r, where)], "next": None}
    elif searching:
        listed = search(searching, where, limit=50, **cursor)
    else:
        status, listed = call("referral", "GET", "/referrals", what="list referrals",
                              params={**where, "limit": 50, **cursor})
        if status != 200:
            abort(404)
    following = None
    if listed["next"]:
        shown = {k: v for k, v in request.args.to_dict().items() if k in (*FILTERS, "found")}
        following = url_for("web.referrals", **{**shown, "cursor": listed["next"]})
    return render_template("referrals.html", form=form, referrals=listed["items"], errors=[], next=following)


def search(searching: str, where: dict, **params) -> dict:
    """A page of the referrals whose child's name or reference is `searching` (the referral service folds and
    indexes names), kept to the list's other filters."""
    status, listed = call("referral", "GET", "/referrals", what="search referrals",
                          params={"search": searching, **params})
    if status != 200:
        abort(404)
    return {**listed, "items": [r for r in listed["items"] if matches(r, where)]}


def matches(referral: dict, where: dict) -> bool:
    """Whether a referral read for another reason (its deadline, a search) passes the list's other filters."""
    fields = {"status": referral["status"], "council": referral["council"], "advocate": referral["advocate_email"]}
    return all(fields[key] == value for key, value in where.items())


def read_referral(referral_id: str) -> dict | None:
    if len(referral_id) > 64:
        return None
    status, referral = call("referral", "GET", f"/referrals/{referral_id}", what="read referral",
                            referral_id=referral_id)
    return referral if status == 200 else None


@blueprint.get("/referrals/<referral_id>")
@signed_in(*EVERYONE)
def referral(referral_id: str):
    found = read_referral(referral_id)
    if found is None:
        abort(404)
    if g.principal.role == "referrer":
        return render_template("referral_council.html", referral=found)
    _, clocks = call("scheduling", "GET", f"/referrals/{referral_id}/deadlines")
    actions = [a for a in found["next_actions"] if offered(a, found)]
    has_case = found["kind"] == "issue_based" and call("casework", "GET", f"/cases/{referral_id}")[0] == 200
    may_open_case = (found["kind"] == "issue_based" and bool(found["advocate_email"]) and found["status"] != "closed"
                     and domain.works_on(g.principal, found["advocate_email"]))
    shown = {name: {**clock, "state": clock_state(clock)} for name, clock in clocks.get("deadlines", {}).items()}
    status, hold = call("referral", "GET", f"/referrals/{referral_id}/legal-hold") \
        if g.principal.role == "manager" else (None, None)
    return render_template("referral.html", referral=found, clocks=shown, meeting_record=meeting_record(found),
                           actions=actions, has_case=has_case, may_open_case=may_open_case,
                           hold=hold if status == 200 else None)


@blueprint.route("/referrals/<referral_id>/legal-hold", methods=["GET", "POST"])
@signed_in(*EVERYONE)
def legal_hold(referral_id: str):
    """A manager holds the child's records out of erasure (README: Retention and erasure); anyone else is refused,
    and the refusal audited."""
    if g.principal.role != "manager":
        audit("place legal hold", referral_id, 403, f"web forms ({g.principal.role})")
        abort(403)
    found = read_referral(referral_id)
    if found is None:
        abort(404)
    kept = f"legal-hold:{referral_id}"
    form, loose = form_for_its_page(kept, forms.LegalHoldForm)
    if request.method == "POST":
        if form.validate_on_submit():
            status, held = call("referral", "POST", f"/referrals/{referral_id}/legal-hold",
                                body={"reason_code": form.reason_code.data}, what="place legal hold",
                                referral_id=referral_id)
            if status == 200:
                flash(gettext("The child's records are held until the hold is lifted"))
                return redirect(url_for("web.referral", referral_id=referral_id))
            loose = [{"text": gettext("The hold could not be placed; try again")}]
        return kept_for_its_page(kept, form, loose)
    return render_template("case_step.html", form=form, title=_l("Place a legal hold"),
                           errors=error_summary(form, loose), back=url_for("web.referral", referral_id=referral_id),
                           caption=f"{found['child']['given_name']} {found['child']['family_name']}")


@blueprint.post("/referrals/<referral_id>/legal-hold/lift")
@signed_in(*EVERYONE)
def lift_legal_hold(referral_id: str):
    if g.principal.role != "manager":
        audit("lift legal hold", referral_id, 403, f"web forms ({g.principal.role})")
        abort(403)
    status, lifted = call("referral", "DELETE", f"/referrals/{referral_id}/legal-hold", what="lift legal hold",
                          referral_id=referral_id)
    if status == 404:
        abort(404)
    flash(gettext("The legal hold is lifted: the child's records are erased when they fall due"))
    return redirect(url_for("web.referral", referral_id=referral_id))


def meeting_record(referral: dict) -> dict | None:
    """What the Active Offer meeting's record says (why it was not held, what it covered...), once it is recorded."""
    meeting = referral.get("meeting") or {}
    if meeting.get("status") not in ("held", "not_held") or not meeting.get("id"):
        return None
    status, recorded = call("scheduling", "GET", f"/meetings/{meeting['id']}")
    return recorded if status == 200 else None


def current_meeting(referral: dict) -> dict | None:
    """The referral's meeting as it stands, as scheduling keeps it (its whole venue), while one is arranged."""
    meeting = referral.get("meeting") or {}
    if meeting.get("status") != "arranged" or not meeting.get("id"):
        return None
    status, found = call("scheduling", "GET", f"/meetings/{meeting['id']}")
    return found if status == 200 else None


def offered(step_name: str, referral: dict) -> bool:
    """Whether the signed-in user may take the step on this referral: their role may (allocating and closing are a
    manager's) and, for an advocate, the referral is allocated to them."""
    return g.principal.role in domain.JOURNEY_ROLES[step_name] and domain.works_on(g.principal,
                                                                                   referral["advocate_email"])


# the journey's steps, each a form posting to the owning service


def _venue(form) -> dict:
    """The venue as the form's venue questions (forms.venue_questions) say it."""
    venue = {"name": form.venue_name.data, "address": form.venue_address.data or "",
             "accessible": form.accessible.data == "yes", "risk_assessed": form.risk_assessed.data == "yes"}
    return {**venue, "type": form.venue_type.data} if form.venue_type.data else venue


def _meeting_body(form) -> dict:
    body = {"starts_at": london(form.day.data, form.time.data), "duration_minutes": form.duration_minutes.data,
            "venue": _venue(form), "language": form.language.data}
    if (form.late_reason.data or "").strip():
        body["late_reason"] = form.late_reason.data.strip()
    return body


def _reschedule_body(form) -> dict:
    """The move as the API takes it: the new time, and the venue as the page now says it (the current one, which
    the page shows filled in, unless it was changed)."""
    body = {"starts_at": london(form.day.data, form.time.data), "reason": form.reason.data, "venue": _venue(form)}
    if (form.late_reason.data or "").strip():
        body["late_reason"] = form.late_reason.data.strip()
    return body


def as_it_stands(meeting: dict) -> dict:
    """A meeting's time and venue as the reschedule form's answers, for the page to show them filled in."""
    starts = datetime.fromisoformat(meeting["starts_at"]).astimezone(LONDON)
    venue = meeting.get("venue") or {}
    return {"day": starts.date(), "time": starts.strftime("%H:%M"), "venue_name": venue.get("name"),
            "venue_address": venue.get("address") or "", "venue_type": venue.get("type") or "",
            "accessible": "yes" if venue.get("accessible") else "no",
            "risk_assessed": "yes" if venue.get("risk_assessed") else "no"}


def _record_body(form) -> dict:
    """The record as the API takes it; what the page asks of a meeting held goes only when it took place, except an
    interpreter said to be used at a meeting not held, for the service to refuse on its field rather than the page
    to drop it unsaid."""
    interpreter_used = forms.yes_or_no(form.interpreter_used.data)
    noted = {} if interpreter_used is None else {"interpreter_used": interpreter_used}
    if form.took_place.data == "no":
        return {"took_place": False, "reason_not_held_code": form.reason_not_held_code.data,
                **_said(form, "reason_not_held_note"), **noted}
    outcome = form.outcome.data
    body: dict[str, Any] = {"took_place": True, "outcome": outcome, "topics_covered": form.topics_covered.data,
                            **noted, **_said(form, "wants_help_with")}
    if form.left_with_child.data:
        body["left_with_child"] = form.left_with_child.data
    if form.contact_details_given.data in ("yes", "no"):
        body["contact_details_given"] = form.contact_details_given.data == "yes"
    if outcome == "declined":
        body.update(decline_reason_code=form.decline_reason_code.data, **_said(form, "decline_reason_note"))
    if outcome == "other_support":
        body["other_support_type"] = form.other_support_type.data
    if form.share_outcome_with_referrer.data in ("yes", "no"):
        body["consent"] = {"share_outcome_with_referrer": form.share_outcome_with_referrer.data == "yes"}
    return body


def _said(form, name: str) -> dict:
    """A free-text answer, when one was written."""
    said = (form[name].data or "").strip()
    return {name: said} if said else {}


def _note(form) -> dict:
    return {"method": form.method.data, "result": form.result.data, "note": (form.note.data or "").strip(),
            **made_at(form.day.data, form.time.data)}


VENUE_FIELDS = {"venue.name": "venue_name", "venue.address": "venue_address", "venue.accessible": "accessible",
                "venue.risk_assessed": "risk_assessed", "venue.type": "venue_type", "venue": "venue_name"}
"""The API's venue fields to the form's venue questions that show their errors."""

STEPS = {step.name: step for step in (
    Step("allocate", forms.AllocateForm, AllocateSchema, "referral", "/referrals/{referral}/allocate",
         "allocate referral", lambda f: {"advocate_email": f.advocate_email.data}, {"advocate_email": "advocate_email"},
         _l("The referral is allocated"), _l("Allocate the referral")),
    Step("record_contact_attempt", forms.ContactAttemptForm, ContactAttemptSchema, "referral",
         "/referrals/{referral}/contact-attempts", "record contact attempt", _note,
         {"method": "method", "result": "result", "note": "note", "attempted_at": "day"},
         _l("The contact attempt is recorded"),
         _l("Record a contact attempt")),
    Step("arrange_meeting", forms.MeetingForm, MeetingRequestSchema, "scheduling", "/referrals/{referral}/meetings",
         "arrange meeting", _meeting_body,
         {"starts_at": "day", "duration_minutes": "duration_minutes", **VENUE_FIELDS, "language": "language",
          "late_reason": "late_reason"}, _l("The meeting is arranged"),
         _l("Arrange the Active Offer meeting")),
    Step("reschedule_meeting", forms.RescheduleForm, RescheduleSchema, "scheduling", "/meetings/{meeting}/reschedule",
         "reschedule meeting", _reschedule_body,
         {"starts_at": "day", "reason": "reason", "late_reason": "late_reason", **VENUE_FIELDS},
         _l("The meeting is rescheduled"), _l("Reschedule the meeting")),
    Step("cancel_meeting", forms.CancelForm, CancelSchema, "scheduling", "/meetings/{meeting}/cancel",
         "cancel meeting", lambda f: {"reason": f.reason.data}, {"reason": "reason"},
         _l("The meeting is cancelled"), _l("Cancel the meeting")),
    Step("record_meeting", forms.RecordMeetingForm, RecordSchema, "scheduling", "/meetings/{meeting}/record",
         "record meeting", _record_body,
         {"took_place": "took_place", "outcome": "outcome", "decline_reason_code": "decline_reason_code",
          "decline_reason_note": "decline_reason_note", "wants_help_with": "wants_help_with",
          "reason_not_held_code": "reason_not_held_code", "reason_not_held_note": "reason_not_held_note",
          "topics_covered": "topics_covered", "left_with_child": "left_with_child",
          "contact_details_given": "contact_details_given", "other_support_type": "other_support_type",
          "consent": "share_outcome_with_referrer", "interpreter_used": "interpreter_used"},
         _l("The meeting is recorded"), _l("Record the meeting")),
    Step("close", forms.CloseForm, CloseSchema, "referral", "/referrals/{referral}/close", "close referral",
         lambda f: {"reason": f.reason.data}, {"reason": "reason"}, _l("The referral is closed"),
         _l("Close the referral")),
)}
SLUGS = {"allocate": "allocate", "contact": "record_contact_attempt", "arrange": "arrange_meeting",
         "reschedule": "reschedule_meeting", "cancel": "cancel_meeting", "record": "record_meeting",
         "close": "close"}
SLUG_OF = {name: slug for slug, name in SLUGS.items()}


@blueprint.route("/referrals/<referral_id>/<slug>", methods=["GET", "POST"])
@signed_in(*CASEWORKERS)
def step(referral_id: str, slug: str):
    if slug not in SLUGS:
        abort(404)
    found = read_referral(referral_id)
    if found is None:
        abort(404)
    journey_step = STEPS[SLUGS[slug]]
    if found["kind"] == "issue_based" and journey_step.name in referral_contracts.ACTIVE_OFFER_STEPS:
        abort(404)
    if not offered(journey_step.name, found):
        abort(403)
    meeting = current_meeting(found) if journey_step.name == "reschedule_meeting" else None
    title = journey_step.title
    changing = journey_step.name == "allocate" and bool(found.get("advocate_email"))
    if changing:  # a change of advocate, said as one: not a second allocation
        title = gettext("Change the advocate")

    def ready(form) -> None:
        if journey_step.name == "allocate":
            form.advocate_email.choices = [("", gettext("Choose an advocate")),
                                           *advocate_choices(found.get("advocate_email"), wants_welsh(found))]
        if changing:
            form.submit.label.text, form.advocate_email.label.text = title, gettext("New advocate")

    kept = f"step:{referral_id}:{slug}"
    form, loose = form_for_its_page(kept, journey_step.form, ready,
                                    data=as_it_stands(meeting) if meeting and request.method == "GET" else None)
    if journey_step.name not in found["next_actions"]:
        loose = [{"text": gettext("This cannot be done now: the referral is %(status)s.",
                                  status=dict(STATUSES)[found["status"]])}]
    elif request.method == "POST":
        if form.validate_on_submit():
            path = journey_step.path.format(referral=referral_id, meeting=found["meeting"].get("id"))
            answer, loose = submit_step(journey_step, form, path, referral_id)
            if answer is not None:
                if answer.get("follow_on_referral_id"):
                    flash(gettext("A new issue-based referral was opened for the child's case"))
                return redirect(url_for("web.referral", referral_id=referral_id))
        return kept_for_its_page(kept, form, loose)  # shown again at its own address: Back never posts it again
    return render_template("step.html", form=form, referral=found, title=title, slug=slug,
                           errors=error_summary(form, loose), step=journey_step.name, meeting=meeting,
                           room=capacity() if journey_step.name == "allocate" and g.principal.role == "manager"
                           else None)

