"""Notify's own emails against a real SMTP server (aiosmtpd) and a real SQLite store: to the advocate on allocation
and on the morning of each meeting, to the managers once each morning, to a complainant who asked for a reply; and
through GOV.UK Notify, against a local stand-in that checks what its official client sends."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import replace
from datetime import datetime, timezone

import jwt
import pytest
from werkzeug.wrappers import Request, Response

from shared.config import Settings
from shared.contracts import new_event
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import UnitOfWork, handle
from services.notify import handlers
from services.notify.delivery import govuk_notify_mailer
from services.notify.store import INDEXES, NotifyStore
from tests.integration.notify.support import serving

ADVOCATE = "alaw@provider.example"
MANAGERS = ("managers@provider.example",)
URL = "https://llais.example"


@pytest.fixture
def notify(tmp_path):
    store = SQLiteStore(tmp_path / "notify.sqlite3")
    store.ensure_indexes(INDEXES, strict=True)
    yield NotifyStore(store)
    store.close()


def dispatch(notify: NotifyStore, mailer) -> int:
    return handlers.dispatch(UnitOfWork(notify.store), mailer=mailer)


def reading(notify: NotifyStore) -> list:
    """From now on, every document the store's finds return, in the list this returns."""
    read, find = [], notify.store.find
    notify.store.find = lambda *a, **k: read.extend(found := find(*a, **k)) or found
    return read


def deliver(handler, event, notify: NotifyStore, **bound):
    handle(lambda e, uow: handler(e, uow, **bound), event, notify.store)


def received(notify: NotifyStore) -> None:
    consent = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": False,
               "share_outcome_with_referrer": False}
    handle(handlers.track_referral, new_event("referral.received", {
        "referral_id": "r1", "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": "MOSAIC-1",
        "received_at": "2026-11-23T09:00:00+00:00", "statutory_meeting_at": None, "preferred_language": "cy",
        "consent": consent, "source": "self", "referrer_email": None, "referrer_language": "cy",
    }, producer="referral", subject="referral:r1"), notify.store)


# the advocate, on allocation

def test_the_advocate_allocated_a_referral_is_emailed_once_in_both_languages(notify, smtp):
    event = new_event("referral.allocated", {"referral_id": "r1", "council": "CARDIFF", "advocate_email": ADVOCATE,
                                             "allocated_at": "2026-12-08T14:30:00+00:00"},
                      producer="referral", subject="referral:r1")
    for _ in range(2):  # delivered again before the inbox saw it: the email is made once
        handlers.notify_advocate(event, UnitOfWork(notify.store), public_url=URL)
    assert dispatch(notify, smtp.mailer) == 1
    (to, subject, body), = [smtp.read(0)]
    assert to == [ADVOCATE] and subject == "Atgyfeiriad wedi'i neilltuo i chi: r1 / Referral allocated to you: r1"
    assert "Pryd: Dydd Mawrth 8 Rhagfyr 2026 am 2:30pm" in body and "When: Tuesday 8 December 2026 at 2:30pm" in body
    assert f"{URL}/referrals/r1" in body and "MOSAIC-1" not in body
    record, = [d.body for d in notify.deliveries({"event_id": event.id})]
    assert record["status"] == "delivered" and record["audience"] == "advocate" and record["basis"] == "service"
    assert dispatch(notify, smtp.mailer) == 0 and len(smtp.messages) == 1


def test_an_advocates_email_is_sent_whatever_the_child_agreed_to_share_with_the_referrer(notify, smtp):
    received(notify)  # a self-referral the child shared nothing of: the referrer and council hear nothing
    deliver(handlers.notify_advocate, new_event("referral.allocated", {
        "referral_id": "r1", "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": "2026-12-08T14:30:00+00:00"}, producer="referral", subject="referral:r1"), notify)
    assert dispatch(notify, smtp.mailer) == 1 and smtp.read()[0] == [ADVOCATE]


# the advocate, on the meeting's day

def meeting(event_type: str, starts_at: str, **more):
    data = {"meeting_id": "m1", "referral_id": "r1", "council": "CARDIFF", **more}
    if event_type == "meeting.arranged":
        data.update(advocate_email=ADVOCATE, starts_at=starts_at, duration_minutes=60, venue="Ysgol y Wern",
                    language="cy", late=False)
    elif event_type == "meeting.rescheduled":
        data.update(starts_at=starts_at, previous_starts_at="2026-12-08T14:30:00+00:00", venue="Ysgol y Wern")
    else:
        data.update(reason="The child is ill")
    return new_event(event_type, data, producer="scheduling", subject="referral:r1")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def remind(notify: NotifyStore, moment: str) -> int:
    return handlers.remind_meetings(UnitOfWork(notify.store), public_url=URL, at=at(moment))


def test_on_the_morning_of_a_meeting_its_advocate_is_emailed_once(notify, smtp):
    received(notify)
    deliver(handlers.meeting_changed, meeting("meeting.arranged", "2026-12-08T14:30:00+00:00"), notify)
    assert remind(notify, "2026-12-07T18:00:00+00:00") == 0, "not the day before"
    assert remind(notify, "2026-12-08T07:29:00+00:00") == 0, "not before the morning"
    assert remind(notify, "2026-12-08T07:30:00+00:00") == 1
    assert remind(notify, "2026-12-08T09:00:00+00:00") == 0, "once"
    assert dispatch(notify, smtp.mailer) == 1
    to, subject, body = smtp.read()
    assert to == [ADVOCATE] and subject == "Cyfarfod heddiw: r1 / Meeting today: r1"
    assert "When: Tuesday 8 December 2026 at 2:30pm" in body and "Ysgol y Wern" not in body


def test_a_meeting_moved_is_mailed_on_its_new_day_only_and_one_cancelled_not_at_all(notify, smtp):
    received(notify)
    deliver(handlers.meeting_changed, meeting("meeting.arranged", "2026-12-08T14:30:00+00:00"), notify)
    deliver(handlers.meeting_changed, meeting("meeting.rescheduled", "2026-12-10T10:00:00+00:00"), notify)
    assert remind(notify, "2026-12-08T08:00:00+00:00") == 0, "not on the old day"
    assert remind(notify, "2026-12-10T08:00:00+00:00") == 1
    dispatch(notify, smtp.mailer)
    assert "Thursday 10 December 2026 at 10am" in smtp.read()[2]

    deliver(handlers.meeting_changed, new_event("meeting.arranged", {**meeting(
        "meeting.arranged", "2026-12-15T10:00:00+00:00").data, "meeting_id": "m2"}, producer="scheduling",
        subject="referral:r1"), notify)
    deliver(handlers.meeting_changed, new_event("meeting.cancelled", {**meeting("meeting.cancelled", "").data,
                                                                      "meeting_id": "m2"},
                                                producer="scheduling", subject="referral:r1"), notify)
    assert remind(notify, "2026-12-15T08:00:00+00:00") == 0
    assert len(smtp.messages) == 1


def test_an_email_made_for_a_day_the_meeting_then_moved_from_is_withheld(notify, smtp):
    received(notify)
    deliver(handlers.meeting_changed, meeting("meeting.arranged", "2026-12-08T14:30:00+00:00"), notify)
    assert remind(notify, "2026-12-08T07:45:00+00:00") == 1
    deliver(handlers.meeting_changed, meeting("meeting.rescheduled", "2026-12-11T10:00:00+00:00"), notify)
    dispatch(notify, smtp.mailer)
    assert smtp.messages == []
    record, = [d.body for d in notify.deliveries({"event_id": "meeting-day:m1"})]
    assert record["status"] == "withheld" and "moved" in record["reason"]


def test_the_meeting_day_job_reads_only_meetings_whose_morning_has_come(notify):
    received(notify)
    for n in range(30):
        deliver(handlers.meeting_changed, new_event("meeting.arranged", {**meeting(
            "meeting.arranged", "2027-01-20T10:00:00+00:00").data, "meeting_id": f"later-{n:02d}"},
            producer="scheduling", subject="referral:r1"), notify)
    deliver(handlers.meeting_changed, meeting("meeting.arranged", "2026-12-08T14:30:00+00:00"), notify)
    read = reading(notify)
    assert remind(notify, "2026-12-08T08:00:00+00:00") == 1
    assert [d.id for d in read] == ["m1"]


# the managers' digest

def deadline(event_type: str, referral_id: str, due_at: str = "2026-12-07T17:00:00+00:00"):
    return new_event(event_type, {"referral_id": referral_id, "council": "CARDIFF", "deadline": "allocate_by",
                                  "due_at": due_at}, producer="scheduling", subject=f"referral:{referral_id}")


def digest(notify: NotifyStore, moment: str, managers=MANAGERS) -> bool:
    return handlers.send_digest(UnitOfWork(notify.store), managers=managers, morning="07:30", public_url=URL,
                                at=at(moment))


def test_managers_get_one_digest_a_morning_of_what_went_at_risk_or_was_missed(notify, smtp):
    for event in (deadline("deadline.at_risk", "r1"), deadline("deadline.missed", "r1"),
                  deadline("deadline.at_risk", "r2", "2026-12-09T17:00:00+00:00"),
                  new_event("complaint.deadline_missed", {"complaint_id": "c1", "deadline": "respond_by",
                                                          "due_at": "2026-12-04T17:00:00+00:00"},
                            producer="scheduling", subject="complaint:c1")):
        handle(handlers.note_deadline, event, notify.store)
        handle(handlers.note_deadline, event, notify.store)  # redelivered: kept once
    assert not digest(notify, "2026-12-08T07:29:00+00:00"), "not before half past seven"
    assert digest(notify, "2026-12-08T07:30:00+00:00")
    assert not digest(notify, "2026-12-08T12:00:00+00:00"), "one a morning"
    assert dispatch(notify, smtp.mailer) == 1
    to, subject, body = smtp.read()
    assert to == list(MANAGERS) and subject.endswith("Deadlines at risk or missed: Tuesday 8 December 2026")
    english = body.split("---")[-1]
    assert "Missed (2)" in english and "At risk (1)" in english, "r1 once, as missed"
    assert "- Referral r1 (Cardiff): allocate an advocate by Monday 7 December 2026 at 5pm. " \
           f"{URL}/referrals/r1" in english
    assert f"- Complaint c1: answer the complaint by Friday 4 December 2026 at 5pm. {URL}/complaints/c1" in english
    assert "Wedi'u methu (2)" in body

    handle(handlers.note_deadline, deadline("deadline.missed", "r2", "2026-12-09T17:00:00+00:00"), notify.store)
    assert digest(notify, "2026-12-09T07:31:00+00:00")
    dispatch(notify, smtp.mailer)
    _, _, body = smtp.read()
    assert "r2" in body and "r1" not in body and "c1" not in body, "only what happened since the last"


def test_no_digest_is_sent_on_a_morning_with_nothing_to_tell(notify, smtp):
    assert not digest(notify, "2026-12-08T07:30:00+00:00")
    assert dispatch(notify, smtp.mailer) == 0 and smtp.messages == []
    handle(handlers.note_deadline, deadline("deadline.missed", "r1"), notify.store)
    assert not digest(notify, "2026-12-08T09:00:00+00:00"), "this morning's was claimed: it waits for tomorrow's"
    assert digest(notify, "2026-12-09T07:30:00+00:00")


def test_two_workers_make_the_mornings_digest_once(tmp_path, smtp):
    path = tmp_path / "notify.sqlite3"
    first, second = NotifyStore(SQLiteStore(path)), NotifyStore(SQLiteStore(path))
    for n in range(5):
        handle(handlers.note_deadline, deadline("deadline.missed", f"r{n}"), first.store)
    barrier, made = threading.Barrier(2), []

    def run(notify):
        barrier.wait()
        made.append(digest(notify, "2026-12-08T07:30:00+00:00"))

    threads = [threading.Thread(target=run, args=(n,)) for n in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == [False, True]
    dispatch(first, smtp.mailer)
    dispatch(second, smtp.mailer)
    assert len(smtp.messages) == 1 and "Missed (5)" in smtp.read()[2]


def test_the_digest_reads_only_the_deadlines_no_digest_has_told_of(notify, smtp):
    for n in range(30):
        handle(handlers.note_deadline, deadline("deadline.missed", f"told-{n:02d}"), notify.store)
    assert digest(notify, "2026-12-08T07:30:00+00:00")
    handle(handlers.note_deadline, deadline("deadline.at_risk", "new"), notify.store)
    read = reading(notify)
    assert digest(notify, "2026-12-09T07:30:00+00:00")
    assert [d.body["subject_id"] for d in read] == ["new"]


def test_without_the_managers_address_the_digest_is_recorded_as_unsent(notify):
    handle(handlers.note_deadline, deadline("deadline.missed", "r1"), notify.store)
    assert digest(notify, "2026-12-08T07:30:00+00:00", managers=())
    assert "LLAIS_MANAGER_EMAILS" in notify.unsent({"event_id": "digest:2026-12-08"})[0].body["reason"]


# the complainant

def complaint_received(notify: NotifyStore, complaint_id: str, email: str | None, language: str) -> None:
    handle(handlers.track_complaint, new_event("complaint.received", {
        "complaint_id": complaint_id, "kind": "complaint", "made_by": "child", "council": None, "nation": "wales",
        "received_at": "2026-12-07T10:00:00+00:00", "language": language, "reply_email": email},
        producer="complaints", subject=f"complaint:{complaint_id}"), notify.store)


def test_a_complainant_who_gave_an_email_is_told_of_the_acknowledgement_and_the_answer_in_welsh(notify, smtp):
    complaint_received(notify, "c1", "nia@example.org", "cy")
    acknowledged = new_event("complaint.acknowledged", {"complaint_id": "c1", "kind": "complaint",
                                                        "acknowledged_at": "2026-12-08T10:00:00+00:00"},
                             producer="complaints", subject="complaint:c1")
    handle(handlers.tell_complainant, acknowledged, notify.store)
    handle(handlers.tell_complainant, new_event("complaint.responded", {
        "complaint_id": "c1", "kind": "complaint", "stage": 1, "outcome": "upheld",
        "responded_at": "2026-12-14T16:00:00+00:00"}, producer="complaints", subject="complaint:c1"), notify.store)
    assert dispatch(notify, smtp.mailer) == 2
    subjects = sorted(smtp.read(n)[1] for n in range(2))
    assert subjects == ["Rydym wedi ateb eich cwyn: c1", "Rydym wedi cael eich cwyn: c1"]
    bodies = " ".join(smtp.read(n)[2] for n in range(2))
    assert "Dydd Llun 14 Rhagfyr 2026 am 4pm" in bodies and "wedi'i chadarnhau" in bodies
    assert all(to == ["nia@example.org"] for to, _ in smtp.messages)
    assert {d.body["basis"] for d in notify.deliveries({"channel": "email"})} == {"reply_asked"}


def test_a_complainant_without_an_email_gets_none_and_an_unknown_complaint_is_tried_again(notify, smtp):
    complaint_received(notify, "c2", None, "en")
    acknowledged = new_event("complaint.acknowledged", {"complaint_id": "c2", "kind": "complaint",
                                                        "acknowledged_at": "2026-12-08T10:00:00+00:00"},
                             producer="complaints", subject="complaint:c2")
    handle(handlers.tell_complainant, acknowledged, notify.store)
    assert notify.store.handled(acknowledged.id) and notify.deliveries({}) == []
    early = new_event("complaint.acknowledged", {"complaint_id": "c3", "kind": "complaint",
                                                 "acknowledged_at": "2026-12-08T10:00:00+00:00"},
                      producer="complaints", subject="complaint:c3")
    with pytest.raises(handlers.UnknownComplaint):
        handle(handlers.tell_complainant, early, notify.store)
    complaint_received(notify, "c3", "sam@example.org", "en")
    handle(handlers.tell_complainant, early, notify.store)
    dispatch(notify, smtp.mailer)
    assert smtp.read()[1] == "We have your complaint: c3"


# GOV.UK Notify

SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())
TEMPLATE = str(uuid.uuid4())


class NotifyStandIn:
    """GOV.UK Notify's send-email endpoint as its documentation describes it: a JWT signed with the key's secret,
    issued by the service id, and a JSON body naming the address, the template and its personalisation."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []

    def __call__(self, environ, start_response):
        request = Request(environ)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.PyJWTError:
            claims = None
        if scheme != "Bearer" or claims is None or claims["iss"] != SERVICE_ID:
            return Response(json.dumps({"errors": [{"error": "AuthError"}]}), 403,
                            content_type="application/json")(environ, start_response)
        if request.path != "/v2/notifications/email" or request.method != "POST":
            return Response(status=404)(environ, start_response)
        body = request.get_json()
        self.received.append(body)
        status = self.statuses.pop(0) if self.statuses else 201
        answer = {"id": str(uuid.uuid4()), "reference": body.get("reference")} if status == 201 else \
            {"errors": [{"error": "Exception", "message": "Internal server error"}]}
        return Response(json.dumps(answer), status, content_type="application/json")(environ, start_response)


@pytest.fixture
def govuk_notify():
    with serving(NotifyStandIn()) as app:
        yield app


def notify_settings(url: str, secret: str = SECRET) -> Settings:
    return replace(Settings(), govuk_notify_api_key=f"llais_test-{SERVICE_ID}-{secret}",
                   govuk_notify_template_id=TEMPLATE, govuk_notify_url=url)


def test_with_a_govuk_notify_key_email_goes_through_notify_with_subject_and_body(notify, govuk_notify, smtp):
    event = new_event("referral.allocated", {"referral_id": "r1", "council": "CARDIFF", "advocate_email": ADVOCATE,
                                             "allocated_at": "2026-12-08T14:30:00+00:00"},
                      producer="referral", subject="referral:r1")
    deliver(handlers.notify_advocate, event, notify, public_url=URL)
    govuk_notify.statuses = [500]
    mailer = govuk_notify_mailer(notify_settings(govuk_notify.url))
    assert dispatch(notify, mailer) == 1
    record, = [d.body for d in notify.deliveries({})]
    assert record["status"] == "pending" and record["attempts"][0]["result"] == "GOV.UK Notify answered 500"
    pending = notify.pending()[0]
    UnitOfWork(notify.store).update(pending, {**pending.body,
                                              "next_attempt_at": datetime.now(timezone.utc).isoformat()})
    assert dispatch(notify, mailer) == 1
    sent = govuk_notify.received[-1]
    assert sent["email_address"] == ADVOCATE and sent["template_id"] == TEMPLATE
    assert sent["reference"] == f"{event.id}:advocate"
    assert sent["personalisation"]["subject"] == "Atgyfeiriad wedi'i neilltuo i chi: r1 / Referral allocated to you: r1"
    assert "When: Tuesday 8 December 2026 at 2:30pm" in sent["personalisation"]["body"]
    record, = [d.body for d in notify.deliveries({})]
    assert record["status"] == "delivered" and record["attempts"][-1]["result"].startswith("accepted by GOV.UK Notify")
    assert smtp.messages == [], "not over SMTP as well"


def test_a_wrong_govuk_notify_key_is_refused_and_recorded(notify, govuk_notify):
    deliver(handlers.notify_advocate, new_event("referral.allocated", {
        "referral_id": "r1", "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": "2026-12-08T14:30:00+00:00"}, producer="referral", subject="referral:r1"), notify)
    dispatch(notify, govuk_notify_mailer(notify_settings(govuk_notify.url, secret=str(uuid.uuid4()))))
    assert govuk_notify.received == []
    record, = [d.body for d in notify.deliveries({})]
    assert record["status"] == "pending" and record["attempts"][0]["result"] == "GOV.UK Notify answered 403"
