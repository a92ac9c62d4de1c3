"""The words of every email, in English and Welsh. Chosen by the recipient's language preference.

No child's name appears: the referrer knows the child by the council's own reference.
"""

from __future__ import annotations

from typing import Any

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

OUTCOMES = {
    "take_up": {"en": "they would like an advocate now", "cy": "hoffen nhw gael eiriolwr nawr"},
    "declined": {"en": "they do not want an advocate at the moment", "cy": "nid ydyn nhw eisiau eiriolwr ar hyn o bryd"},
    "reflecting": {"en": "they would like time to think", "cy": "hoffen nhw amser i feddwl"},
    "other_support": {"en": "they prefer support from someone they know",
                      "cy": "mae'n well ganddyn nhw gefnogaeth gan rywun maen nhw'n ei adnabod"},
}

REASONS = {
    "completed": {"en": "the Active Offer is complete", "cy": "mae'r Cynnig Rhagweithiol wedi'i gwblhau"},
    "unable_to_contact": {"en": "we could not reach the young person", "cy": "ni allem gysylltu â'r person ifanc"},
    "declined_meeting": {"en": "the young person declined a meeting", "cy": "gwrthododd y person ifanc gyfarfod"},
    "withdrawn": {"en": "the referral was withdrawn", "cy": "tynnwyd yr atgyfeiriad yn ôl"},
    "duplicate": {"en": "it duplicated another referral", "cy": "roedd yn dyblygu atgyfeiriad arall"},
}


def render(event_type: str, data: dict[str, Any], language: str, reference: str) -> tuple[str, str]:
    """(subject, body) in Welsh when the recipient prefers it, else English."""
    language = "cy" if language == "cy" else "en"
    values = {"ref": reference, "starts_at": data.get("starts_at", ""), "venue": data.get("venue", ""),
              "outcome": OUTCOMES.get(data.get("outcome") or "", {}).get(language, ""),
              "reason": REASONS.get(data.get("reason") or "", {}).get(language, data.get("reason", ""))}
    return SUBJECTS[event_type][language].format(**values), BODIES[event_type][language].format(**values)
