"""The words of every email, in English and Welsh: a referrer's and a complainant's in the language they chose, a
member of staff's in both (Welsh first, as Welsh public bodies write), since notify does not know which they read.
Every moment is in words, in London time (services/notify/words).

No child's name appears: a referral is named by its Llais reference, the one every page shows (the referrer's
email with the council's own reference beside it), and what an email may say to staff is the least that brings them
to the page that has the rest (see `allocated`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shared import words as vocabulary
from shared.contracts.referral import llais_reference
from shared.councils import CouncilRegister

from services.notify import words

YOUR_REFERENCE = {"en": "{ref} (your reference {own})", "cy": "{ref} (eich cyfeirnod {own})"}


def reference(referral_id: str | None, external_ref: str | None = None, language: str = "en") -> str:
    """How a referrer's email names the referral: its Llais reference, as the pages show it, with the council's
    own reference beside it where the council gave one."""
    ref = llais_reference(referral_id)
    if not external_ref:
        return ref
    return YOUR_REFERENCE["cy" if language == "cy" else "en"].format(ref=ref, own=external_ref)


SUBJECTS = {
    "referral.acknowledged": {"en": "Referral received: {ref}", "cy": "Atgyfeiriad wedi dod i law: {ref}"},
    "meeting.arranged": {"en": "Active Offer meeting arranged: {ref}",
                         "cy": "Cyfarfod y Cynnig Rhagweithiol wedi'i drefnu: {ref}"},
    "meeting.rescheduled": {"en": "Active Offer meeting moved: {ref}",
                            "cy": "Cyfarfod y Cynnig Rhagweithiol wedi'i symud: {ref}"},
    "meeting.cancelled": {"en": "Active Offer meeting cancelled: {ref}",
                          "cy": "Cyfarfod y Cynnig Rhagweithiol wedi'i ganslo: {ref}"},
    "meeting.took_place": {"en": "The Active Offer meeting took place: {ref}",
                           "cy": "Cynhaliwyd cyfarfod y Cynnig Rhagweithiol: {ref}"},
    "meeting.not_held": {"en": "The Active Offer meeting did not take place: {ref}",
                         "cy": "Ni chynhaliwyd cyfarfod y Cynnig Rhagweithiol: {ref}"},
    "active_offer.completed": {"en": "Outcome of the Active Offer: {ref}",
                               "cy": "Canlyniad y Cynnig Rhagweithiol: {ref}"},
    "referral.closed": {"en": "Referral closed: {ref}", "cy": "Atgyfeiriad wedi'i gau: {ref}"},
}

BODIES = {
    "referral.acknowledged": {
        "en": "We have received your referral {ref} and will allocate an advocate within the agreed time.",
        "cy": "Mae eich atgyfeiriad {ref} wedi dod i law a byddwn yn neilltuo eiriolwr o fewn yr amser a gytunwyd."},
    "meeting.arranged": {
        "en": "With the young person's agreement: their Active Offer meeting is on {starts_at} at {venue}.",
        "cy": "Gyda chytundeb y person ifanc: mae ei gyfarfod Cynnig Rhagweithiol ar {starts_at} yn {venue}."},
    "meeting.rescheduled": {
        "en": "With the young person's agreement: their Active Offer meeting has moved to {starts_at} at {venue}.",
        "cy": "Gyda chytundeb y person ifanc: mae ei gyfarfod Cynnig Rhagweithiol wedi symud i {starts_at} yn "
              "{venue}."},
    "meeting.cancelled": {
        "en": "With the young person's agreement: their Active Offer meeting has been cancelled. We will arrange "
              "another.",
        "cy": "Gyda chytundeb y person ifanc: mae ei gyfarfod Cynnig Rhagweithiol wedi'i ganslo. Byddwn yn trefnu "
              "un arall."},
    "meeting.took_place": {
        "en": "The Active Offer meeting for referral {ref} took place. You may record this for the review.",
        "cy": "Cynhaliwyd cyfarfod y Cynnig Rhagweithiol ar gyfer atgyfeiriad {ref}. Gallwch gofnodi hyn ar gyfer "
              "yr adolygiad."},
    "meeting.not_held": {
        "en": "The Active Offer meeting for referral {ref} did not take place. We will try again.",
        "cy": "Ni chynhaliwyd cyfarfod y Cynnig Rhagweithiol ar gyfer atgyfeiriad {ref}. Byddwn yn ceisio eto."},
    "active_offer.completed": {
        "en": "With the young person's agreement, the outcome of their Active Offer is: {outcome}.",
        "cy": "Gyda chytundeb y person ifanc, canlyniad ei Gynnig Rhagweithiol yw: {outcome}."},
    "referral.closed": {
        "en": "Referral {ref} is now closed ({reason}).",
        "cy": "Mae atgyfeiriad {ref} bellach wedi'i gau ({reason})."},
}

TOLD = {"named_advocate": {"en": "The advocate who met them: {}.", "cy": "Yr eiriolwr a'u cyfarfu: {}."},
        "support_type": {"en": "The support they go on to: {}.", "cy": "Y cymorth y byddan nhw'n ei gael: {}."}}
"""What the referrer is told beside the outcome, each line when the event says it."""



def render(event_type: str, data: dict[str, Any], language: str, reference: str) -> tuple[str, str]:
    """(subject, body) in Welsh when the recipient prefers it, else English."""
    language = "cy" if language == "cy" else "en"
    values = {"ref": reference, "starts_at": words.on_day(data.get("starts_at"), language),
              "venue": data.get("venue", ""),
              "outcome": _told("outcome_told", data.get("outcome"), language),
              "reason": _told("close_reason_told", data.get("reason"), language)}
    body = BODIES[event_type][language].format(**values)
    if event_type == "active_offer.completed":
        body = "\n\n".join([body, *_lines_told(data, language)])
    return SUBJECTS[event_type][language].format(**values), body


def _told(kind: str, code: str | None, language: str) -> str:
    """A code as an email says it within its sentence (shared/words' `..._told`); nothing for none."""
    return vocabulary.of(kind, code, language) if code else ""


def _lines_told(data: dict[str, Any], language: str) -> list[str]:
    """The lines about the advocate and the support, in the recipient's language."""
    said = {"named_advocate": data.get("named_advocate"),
            "support_type": _told("support_type_told", data.get("support_type"), language)}
    return [TOLD[field][language].format(value) for field, value in said.items() if value]


# staff: both languages in one message

Words = tuple[str, str]
"""(subject, body) in one language."""

SEPARATOR = "\n\n---\n\n"


def bilingual(cy: Words, en: Words) -> Words:
    """One message in Welsh then English: "Welsh / English" as its subject, the Welsh body above the English."""
    return f"{cy[0]} / {en[0]}", cy[1] + SEPARATOR + en[1]


def allocated(referral_id: str, allocated_at: str, link: str) -> Words:
    """To the advocate a referral is allocated to. Data minimisation: an email may be read far from the service's
    systems, so it carries only the referral's reference, when, and the link; never the child's name, their
    circumstances, where they live or anything their consent keeps in the service: the page has those."""
    reference = llais_reference(referral_id)
    return bilingual(
        (f"Atgyfeiriad wedi'i neilltuo i chi: {reference}",
         f"Mae atgyfeiriad {reference} wedi'i neilltuo i chi.\n\nPryd: {words.when(allocated_at, 'cy')}\n\n"
         f"Gwelwch yr atgyfeiriad a chysylltwch â'r plentyn o fewn yr amser a gytunwyd: {link}"),
        (f"Referral allocated to you: {reference}",
         f"Referral {reference} has been allocated to you.\n\nWhen: {words.when(allocated_at, 'en')}\n\n"
         f"See the referral and contact the child within the agreed time: {link}"))


def meeting_day(referral_id: str, starts_at: str, link: str) -> Words:
    """To the advocate on the morning of a meeting: when it starts and the link; the venue and the rest stay on the
    page (see `allocated`)."""
    reference = llais_reference(referral_id)
    return bilingual(
        (f"Cyfarfod heddiw: {reference}",
         f"Mae gennych gyfarfod y Cynnig Rhagweithiol heddiw ar gyfer atgyfeiriad {reference}.\n\n"
         f"Pryd: {words.when(starts_at, 'cy')}\n\n"
         f"Mae'r lleoliad a'r trefniadau ar dudalen yr atgyfeiriad: {link}"),
        (f"Meeting today: {reference}",
         f"You have the Active Offer meeting for referral {reference} today.\n\n"
         f"When: {words.when(starts_at, 'en')}\n\n"
         f"The venue and the arrangements are on the referral's page: {link}"))


SUBJECTS_OF = {"referral": {"en": "Referral", "cy": "Atgyfeiriad"}, "complaint": {"en": "Complaint", "cy": "Cwyn"}}



def _alert_line(alert: dict, language: str, councils: CouncilRegister | None = None) -> str:
    """"Referral 01a24a8f (Cardiff): allocate an advocate by Tuesday 8 December 2026 at 2:30pm. <link>", the council
    by its name in `language` from `councils` (the embedded Welsh councils when none is given)."""
    task = "complaint_deadline_task" if alert["about"] == "complaint" else "deadline_task"
    council = f" ({vocabulary.council(alert['council'], language, councils)})" if alert.get("council") else ""
    ref = llais_reference(alert["reference"]) if alert["about"] == "referral" else alert["reference"]
    by = "erbyn" if language == "cy" else "by"
    return (f"- {SUBJECTS_OF[alert['about']][language]} {ref}{council}: "
            f"{vocabulary.of(task, alert['deadline'], language)} {by} {words.when(alert['due_at'], language)}. "
            f"{alert['link']}")


def digest(day: str, alerts: list[dict], councils: CouncilRegister | None = None) -> Words:
    """The managers' morning digest: each deadline that went at risk or was missed since the last one, the missed
    first, each with its reference, what was due when, and its link. `day` is the morning's date (YYYY-MM-DD)."""
    def one(language: str) -> Words:
        titled = {"cy": "Terfynau amser mewn perygl neu wedi'u methu", "en": "Deadlines at risk or missed"}[language]
        sections = []
        for state in ("missed", "at_risk"):
            lines = [_alert_line(a, language, councils) for a in alerts if a["state"] == state]
            if lines:
                sections.append(f"{vocabulary.of('deadlines_in_state', state, language)} ({len(lines)}):\n"
                                + "\n".join(lines))
        said = words.day(date.fromisoformat(day), language)
        opening = {"cy": "Y terfynau amser a aeth mewn perygl neu a fethwyd ers y crynodeb diwethaf.",
                   "en": "The deadlines that went at risk or were missed since the last digest."}[language]
        return f"{titled}: {said}", opening + "\n\n" + "\n\n".join(sections)

    return bilingual(one("cy"), one("en"))


# complainants: in the language they used

FOLLOW = {"en": "You can follow it, and read our answers, with the private link you were given when you sent it.",
          "cy": "Gallwch ei dilyn, a darllen ein hatebion, gyda'r ddolen breifat a gawsoch pan wnaethoch ei hanfon."}


def complaint_acknowledged(kind: str, reference: str, acknowledged_at: str, language: str) -> Words:
    """To a complainant who asked for a reply by email: we have their complaint and are looking into it. Nothing of
    what they told us: only its reference and when."""
    language = words.language_of(language)
    what = vocabulary.of("complaint_kind_told", kind, language)
    if language == "cy":
        return (f"Rydym wedi cael eich {what}: {reference}",
                f"Diolch. Rydym wedi cael eich {what} ac rydym yn edrych arni.\n\n"
                f"Cyfeirnod: {reference}\nPryd: {words.when(acknowledged_at, 'cy')}\n\n{FOLLOW['cy']}")
    return (f"We have your {what}: {reference}",
            f"Thank you. We have your {what} and are looking into it.\n\n"
            f"Reference: {reference}\nWhen: {words.when(acknowledged_at, 'en')}\n\n{FOLLOW['en']}")


def complaint_answered(kind: str, reference: str, stage: int, outcome: str, responded_at: str,
                       language: str) -> Words:
    """To a complainant who asked for a reply by email: their complaint is answered, with the outcome in words; what
    the answer said and the other routes open to them are on the page their private link opens."""
    language = words.language_of(language)
    what = vocabulary.of("complaint_kind_told", kind, language)
    outcome_said = vocabulary.of("complaint_answer_told", outcome, language)
    if language == "cy":
        return (f"Rydym wedi ateb eich {what}: {reference}",
                f"Rydym wedi ateb eich {what} (cam {stage}).\n\nCanlyniad: {outcome_said}\n"
                f"Cyfeirnod: {reference}\nPryd: {words.when(responded_at, 'cy')}\n\n{FOLLOW['cy']} Yno hefyd mae "
                "ein hateb yn llawn a'r ffyrdd eraill sydd ar agor i chi os nad ydych yn fodlon.")
    return (f"We have answered your {what}: {reference}",
            f"We have answered your {what} (stage {stage}).\n\nOutcome: {outcome_said}\n"
            f"Reference: {reference}\nWhen: {words.when(responded_at, 'en')}\n\n{FOLLOW['en']} There too are our "
            "full answer and the other routes open to you if you are not happy with it.")
