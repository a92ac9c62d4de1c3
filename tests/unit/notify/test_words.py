"""Moments in words, in London time, in English and Welsh; and the emails that use them."""

from __future__ import annotations

from services.notify import templates, words


def test_a_winter_moment_reads_in_both_languages():
    assert words.when("2026-12-08T14:30:00+00:00", "en") == "Tuesday 8 December 2026 at 2:30pm"
    assert words.when("2026-12-08T14:30:00+00:00", "cy") == "Dydd Mawrth 8 Rhagfyr 2026 am 2:30pm"


def test_a_summer_moment_is_in_british_summer_time():
    assert words.when("2026-06-01T09:00:00+00:00", "en") == "Monday 1 June 2026 at 10am"
    assert words.when("2026-06-01T09:00:00+00:00", "cy") == "Dydd Llun 1 Mehefin 2026 am 10am"


def test_a_moment_late_in_utc_falls_on_the_next_day_in_london():
    assert words.when("2026-07-04T23:15:00+00:00", "en") == "Sunday 5 July 2026 at 12:15am"


def test_midday_and_midnight_are_said_in_words():
    assert words.when("2026-12-08T12:00:00+00:00", "en").endswith("at midday")
    assert words.when("2026-12-08T00:00:00+00:00", "cy").endswith("am hanner nos")
    assert words.when("2026-12-08T12:05:00+00:00", "en").endswith("at 12:05pm")


def test_any_other_language_reads_english_and_no_moment_reads_nothing():
    assert words.when("2026-12-08T14:30:00+00:00", "fr") == "Tuesday 8 December 2026 at 2:30pm"
    assert words.when(None, "cy") == ""


def test_after_ar_welsh_softens_the_day():
    assert words.on_day("2026-12-08T14:30:00+00:00", "cy") == "ddydd Mawrth 8 Rhagfyr 2026 am 2:30pm"
    assert words.on_day("2026-12-08T14:30:00+00:00", "en") == "Tuesday 8 December 2026 at 2:30pm"


def test_the_referrers_meeting_email_gives_the_time_in_words_not_iso():
    data = {"starts_at": "2026-12-08T14:30:00+00:00", "venue": "Ysgol y Wern"}
    _, english = templates.render("meeting.arranged", data, "en", "MOSAIC-1")
    _, welsh = templates.render("meeting.rescheduled", data, "cy", "MOSAIC-1")
    assert "is on Tuesday 8 December 2026 at 2:30pm at Ysgol y Wern" in english
    assert "wedi symud i ddydd Mawrth 8 Rhagfyr 2026 am 2:30pm yn Ysgol y Wern" in welsh, "softened after i"
    _, welsh = templates.render("meeting.arranged", data, "cy", "MOSAIC-1")
    assert "ar ddydd Mawrth 8 Rhagfyr 2026 am 2:30pm yn Ysgol y Wern" in welsh, "and after ar"
    assert "2026-12-08" not in english + welsh


def test_staff_emails_are_welsh_then_english_with_the_link_and_no_more():
    subject, body = templates.allocated("r1", "2026-12-08T14:30:00+00:00", "https://llais.example/referrals/r1")
    assert subject == "Atgyfeiriad wedi'i neilltuo i chi: r1 / Referral allocated to you: r1"
    welsh, english = body.split(templates.SEPARATOR)
    assert "Pryd: Dydd Mawrth 8 Rhagfyr 2026 am 2:30pm" in welsh and "https://llais.example/referrals/r1" in welsh
    assert "When: Tuesday 8 December 2026 at 2:30pm" in english and "https://llais.example/referrals/r1" in english
    subject, body = templates.meeting_day("r1", "2026-12-08T14:30:00+00:00", "/referrals/r1")
    assert subject == "Cyfarfod heddiw: r1 / Meeting today: r1" and "at 2:30pm" in body and "am 2:30pm" in body


def test_the_digest_lists_the_missed_then_those_at_risk_in_each_language():
    alerts = [
        {"about": "referral", "subject_id": "r1", "council": "CARDIFF", "deadline": "allocate_by",
         "due_at": "2026-12-07T17:00:00+00:00", "state": "at_risk", "reference": "r1", "link": "/referrals/r1"},
        {"about": "complaint", "subject_id": "c1", "council": None, "deadline": "respond_by",
         "due_at": "2026-12-04T17:00:00+00:00", "state": "missed", "reference": "c1", "link": "/complaints/c1"},
    ]
    subject, body = templates.digest("2026-12-08", alerts)
    assert subject == ("Terfynau amser mewn perygl neu wedi'u methu: Dydd Mawrth 8 Rhagfyr 2026 / "
                       "Deadlines at risk or missed: Tuesday 8 December 2026")
    welsh, english = body.split(templates.SEPARATOR)
    assert english.index("Missed (1)") < english.index("At risk (1)")
    assert "- Complaint c1: answer the complaint by Friday 4 December 2026 at 5pm. /complaints/c1" in english
    assert "- Referral r1 (Cardiff): allocate an advocate by Monday 7 December 2026 at 5pm. /referrals/r1" in english
    assert "- Atgyfeiriad r1 (Caerdydd): neilltuo eiriolwr erbyn Dydd Llun 7 Rhagfyr 2026 am 5pm. /referrals/r1" \
        in welsh, "the council by its Welsh name, never its code"
    assert "- Cwyn c1: ateb y gŵyn erbyn Dydd Gwener 4 Rhagfyr 2026 am 5pm. /complaints/c1" in welsh
    assert "Mewn perygl (1)" in welsh


def test_a_complainant_reads_the_outcome_in_their_language():
    subject, body = templates.complaint_answered("complaint", "c1", 1, "partly_upheld", "2026-12-08T10:00:00+00:00",
                                                 "cy")
    assert subject == "Rydym wedi ateb eich cwyn: c1"
    assert "wedi'i chadarnhau'n rhannol" in body and "Dydd Mawrth 8 Rhagfyr 2026 am 10am" in body
    subject, body = templates.complaint_acknowledged("representation", "c2", "2026-12-08T10:00:00+00:00", "en")
    assert subject == "We have your representation: c2" and "Tuesday 8 December 2026 at 10am" in body


def test_an_email_says_each_code_in_its_readers_language():
    """The outcome, the reason a referral closed and the support the child goes on to, in shared/words' words."""
    closed = {"reason": "duplicate", "council": "CARDIFF"}
    assert "(it duplicated another referral)" in templates.render("referral.closed", closed, "en", "R-1")[1]
    assert "(roedd yn dyblygu atgyfeiriad arall)" in templates.render("referral.closed", closed, "cy", "R-1")[1]
    completed = {"outcome": "reflecting", "support_type": "none", "council": "CARDIFF"}
    english = templates.render("active_offer.completed", completed, "en", "R-1")[1]
    welsh = templates.render("active_offer.completed", completed, "cy", "R-1")[1]
    assert "they would like time to think" in english and "hoffen nhw amser i feddwl" in welsh
    assert "dim am y tro; mae ein manylion cyswllt ganddyn nhw" in welsh
    assert "reflecting" not in welsh and "none" not in welsh


def test_the_digest_names_a_council_of_the_councils_file_in_each_language():
    from shared.councils import Council, CouncilRegister

    councils = CouncilRegister([Council("BRISTOL", "Bristol", "Bryste", "south-west", "england")],
                               {"south-west": ("South West", "De-orllewin Lloegr")})
    alert = {"about": "referral", "subject_id": "r1", "council": "BRISTOL", "deadline": "meeting_by",
             "due_at": "2026-12-07T17:00:00+00:00", "state": "missed", "reference": "r1", "link": "/referrals/r1"}
    welsh, english = templates.digest("2026-12-08", [alert], councils)[1].split(templates.SEPARATOR)
    assert "(Bristol): hold the Active Offer meeting" in english
    assert "(Bryste): cynnal cyfarfod y Cynnig Rhagweithiol" in welsh
