"""Contracts of the events about referrals.

Events carry the least personal data their consumers need: ids, codes, dates and consent flags, never names or
contact details.
"""

from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract

KINDS = ("active_offer", "issue_based")
ACTIVE_OFFER_BASES = ("looked_after", "child_protection", "care_and_support")
"""Why a child is offered an Active Offer (the basis of a referral of kind `active_offer`, and of an opt-out)."""
ELIGIBILITY = (
    "looked_after", "child_protection", "care_leaver", "custody", "mental_health_detention", "homeless_16_17",
    "lacks_capacity", "complaint", "childrens_home", "send", "missing_from_care", "care_review", "young_carer",
    "care_and_support", "to_be_confirmed",
)
"""Issue-based eligibility: the circumstances that give a right to advocacy (DOMAIN.md: England's statutory list,
and Wales's care and support). `to_be_confirmed` is a child who referred themselves without knowing which applies;
the advocate confirms it when they first speak."""
TO_BE_CONFIRMED = "to_be_confirmed"
"""The eligibility of a child who referred themselves without knowing which circumstance applies."""
CHILD_AGE_LIMIT = 18
CARE_LEAVER_AGE_LIMIT = 25
"""A child is referred before they turn 18; a care leaver before they turn 25."""
LANGUAGES = ("en", "cy")
"""The languages the service writes and speaks in, and people choose between: English and Welsh."""


ARRANGEMENTS = "share_arrangements_with_referrer"
OUTCOME = "share_outcome_with_referrer"
CONSENT_FLAGS = ("child_informed", "child_agrees", ARRANGEMENTS, OUTCOME)
"""What a child's consent records: that they know of the referral and agree to it, and the two purposes the
referrer may be told for (the meeting's arrangements, its outcome)."""
SELF_REFERRAL = "self"
TAKE_UP = "active_offer"
"""The sources of referrals that reach the service without the council: the child's own request, and the
issue-based referral a take-up opens (DOMAIN.md: "treated as a self-referral with source active offer")."""
REFERRER_ROLES = ("social_worker", "iro", "carer", "professional", "parent", "self", "other")
"""Who makes a referral: a council's social worker, an independent reviewing officer, a carer, another professional,
a parent, the child themselves (`self`) or someone else."""
ORGANISATION_TYPES = ("council", "health", "education", "police", "third_sector", "other")
"""The kind of organisation a professional referrer works for, when they say (the template's headline groups count
referrals from the third sector): a council, the health service, a school or college, the police, a voluntary or
community organisation (`third_sector`) or another."""
THIRD_SECTOR = "third_sector"
DECLINED = "declined"
EQUALITY = {
    "gender": ("girl", "boy", "non_binary", "another_way", DECLINED),
    "ethnic_group": ("asian", "black", "mixed", "white", "other", DECLINED),
    "disability": ("yes", "no", DECLINED),
}
"""Equality monitoring a child may give or decline (`declined`), each question on its own and never asked twice:
how the child describes their gender (a girl, a boy, non-binary, in another way), their ethnic group in the census's
five broad groups, and whether they consider themselves disabled. Not asked, it is not recorded."""


REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a reference read aloud or typed from paper is not mistaken."""
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
"""The letters a person may type for the digits they look like."""


def llais_reference(referral_id: str | None) -> str:
    """The referral's reference a person quotes, the same on every page and email, to the referrer and to staff:
    eight letters and digits in two fours ("K7QM-2XD9"), from the random end of its id, so referrals made in the
    same minute have different ones (its start is the moment it was made). The council's own reference, where it
    gave one, is shown beside it, never instead. An id that is not a UUID (a test's) is its own reference."""
    digits = (referral_id or "").replace("-", "")
    if len(digits) != 32 or any(c not in "0123456789abcdef" for c in digits):
        return referral_id or ""
    number = int(digits[-10:], 16)
    letters = "".join(REFERENCE_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"{letters[:4]}-{letters[4:]}"


def searched_reference(text: str) -> str | None:
    """A reference as a person typed it ("k7qm 2xd9", "K7QM2XD9", an O for a 0), as `llais_reference` writes it;
    None when what was typed cannot be one."""
    letters = "".join(c for c in (text or "").upper() if c not in " -").translate(READ_AS)
    if len(letters) != 8 or any(c not in REFERENCE_ALPHABET for c in letters):
        return None
    return f"{letters[:4]}-{letters[4:]}"


class ConsentFlags(Schema):
    child_informed = fields.Boolean(required=True)
    child_agrees = fields.Boolean(required=True)
    share_arrangements_with_referrer = fields.Boolean(required=True)
    share_outcome_with_referrer = fields.Boolean(required=True)


class DoneBy(Schema):
    """Who did a step a person does (arranging, moving, cancelling or recording a meeting): the member of staff, by
    their work address as the services know the signed-in user, for the provider's own record of who did what. Null
    on an event from before it was said. Councils are never sent it (notify passes on only what API.md lists)."""

    by = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))


@contract("referral.received", 1)
class ReferralReceivedV1(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    region = fields.String(required=True)
    nation = fields.String(required=True, validate=validate.OneOf(["england", "wales"]))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    basis = fields.String(required=True)
    external_ref = fields.String(load_default=None, allow_none=True)
    received_at = fields.AwareDateTime(required=True, format="iso")
    statutory_meeting_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")
    preferred_language = fields.String(required=True, validate=validate.Length(equal=2))
    consent = fields.Nested(ConsentFlags, required=True)
    source = fields.String(load_default=None, allow_none=True)
    referrer_email = fields.Email(load_default=None, allow_none=True,
                                  metadata={"description": "A professional's work address, for notices they consented to."})
    earlier_referral_ids = fields.List(fields.String(), load_default=list)
    referrer_language = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LANGUAGES))


@contract("referral.received", 2)
class ReferralReceivedV2(ReferralReceivedV1):
    """Version 1 with what the template's headline groups and language-and-access measures count, each as it was
    recorded on the referral: a flag or a code, null where the referrer did not say (never guessed). Of the child's
    communication needs only whether any were given: their words stay with the referral. The child's equality
    monitoring as they gave it (EQUALITY), `declined` where they chose not to."""

    placed_out_of_county = fields.Boolean(load_default=None, allow_none=True)
    unaccompanied_asylum_seeking = fields.Boolean(load_default=None, allow_none=True)
    referrer_organisation_type = fields.String(load_default=None, allow_none=True,
                                               validate=validate.OneOf(ORGANISATION_TYPES))
    interpreter_needed = fields.Boolean(load_default=None, allow_none=True)
    communication_needs_given = fields.Boolean(load_default=None, allow_none=True)
    gender = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(EQUALITY["gender"]))
    ethnic_group = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(EQUALITY["ethnic_group"]))
    disability = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(EQUALITY["disability"]))


@contract("referral.acknowledged", 1)
class ReferralAcknowledgedV1(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    external_ref = fields.String(load_default=None, allow_none=True)
    status = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True, format="iso")
    acknowledged_at = fields.AwareDateTime(required=True, format="iso")


STATUSES = ("received", "allocated", "contacting", "meeting_arranged", "closed")
"""A referral's status, in the order of its journey."""
MEETING_ACTIONS = ("reschedule_meeting", "cancel_meeting", "record_meeting")
"""The steps (of `next_actions`) on an arranged Active Offer meeting."""
ACTIVE_OFFER_STEPS = ("arrange_meeting", *MEETING_ACTIONS)
"""The steps of the Active Offer meeting, which issue-based work does not have."""
CLOSE_REASONS = ("unable_to_contact", "declined_meeting", "withdrawn", "duplicate", "completed")
CLOSE_REASONS_BY_HAND = tuple(reason for reason in CLOSE_REASONS if reason != "completed")
"""Why a referral is closed by a manager's decision; `completed` is the Active Offer's own ending, never chosen."""
OUTCOMES = ("take_up", "declined", "reflecting", "other_support")
CONTACT_METHODS = ("phone", "text", "email", "visit", "letter")
CONTACT_RESULTS = ("reached", "no_answer", "message_left", "wrong_details", "declined_meeting")
NOT_WANTED_REASONS = ("has_an_advocate", "support_elsewhere", "speaks_for_themselves", "not_the_right_time",
                      "did_not_say", "other")
"""Why a child opted out of the Active Offer or declined advocacy at the meeting, as a commissioner counts it: they
already have an advocate, have support elsewhere, want to speak for themselves, it is not the right time, they did
not want to say, or another reason (its note, if any, stays on the provider's side). A reason given in free text
before the codes is counted as `other`."""
OTHER_REASON = "other"


@contract("referral.allocated", 1)
class ReferralAllocatedV1(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    advocate_email = fields.Email(required=True)
    allocated_at = fields.AwareDateTime(required=True, format="iso")


@contract("contact.attempted", 1)
class ContactAttemptedV1(Schema):
    """An attempt to reach the child: how and with what result, never the note (it may hold personal detail)."""

    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(CONTACT_METHODS))
    result = fields.String(required=True, validate=validate.OneOf(CONTACT_RESULTS))
    attempted_at = fields.AwareDateTime(required=True, format="iso")


@contract("active_offer.completed", 1)
class ActiveOfferCompletedV1(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    meeting_id = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    decline_reason = fields.String(load_default=None, allow_none=True)
    follow_on_referral_id = fields.String(load_default=None, allow_none=True)
    consent = fields.Nested(ConsentFlags, required=True)
    completed_at = fields.AwareDateTime(required=True, format="iso")


@contract("active_offer.completed", 2)
class ActiveOfferCompletedV2(ActiveOfferCompletedV1):
    """Version 1 with what a take-up's follow-on referral starts from: the advocate who met the child (it starts
    allocated to them), and what the child said they want help with, in their own words, for the referral that
    carries them (null where nothing was said, or the outcome is not a take-up). Councils are never sent the
    words: notify passes on only the outcome and the follow-on's id."""

    advocate_email = fields.Email(load_default=None, allow_none=True)
    wants_help_with = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


SUPPORT_TYPES = ("issue_based_advocacy", "formal", "informal", "peer", "none")
"""The support a child goes on to after the Active Offer, as the referrer is told it: issue-based advocacy from the
service (take_up), other support that is formal, informal or peer (other_support, as the advocate records it), or
none for now (declined, reflecting: the service's contact details were left with them)."""
OTHER_SUPPORT_TYPES = ("formal", "informal", "peer")
"""Which other support a child who chose it goes to (outcome `other_support`)."""


@contract("active_offer.completed", 3)
class ActiveOfferCompletedV3(ActiveOfferCompletedV2):
    """Version 2 with the reason a child declined as a code of NOT_WANTED_REASONS (the advocate's note stays with
    the meeting, so `decline_reason` is null), which other support a child chose (OTHER_SUPPORT_TYPES, on
    `other_support` only), whether the service's contact details were given, and the advocate who met the child on
    every outcome (version 2 said it on take-up only). A version 1 or 2 free-text reason counts as `other`."""

    decline_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=0, error="The words stay with the meeting: say why as decline_reason_code."))
    decline_reason_code = fields.String(load_default=None, allow_none=True,
                                        validate=validate.OneOf(NOT_WANTED_REASONS))
    other_support_type = fields.String(load_default=None, allow_none=True,
                                       validate=validate.OneOf(OTHER_SUPPORT_TYPES))
    contact_details_given = fields.Boolean(load_default=None, allow_none=True)


@contract("active_offer.completed", 4)
class ActiveOfferCompletedV4(ActiveOfferCompletedV3, DoneBy):
    """Version 3 with who recorded the meeting's outcome (`by`)."""


def decline_reason_code(data: dict) -> str | None:
    """The coded reason of an `active_offer.completed` of any version, on `declined` only: a version 1 or 2 reason
    in words counts as `other`, none given as None."""
    if data.get("outcome") != "declined":
        return None
    if data.get("decline_reason_code"):
        return data["decline_reason_code"]
    return OTHER_REASON if (data.get("decline_reason") or "").strip() else None


def support_type(outcome: str | None, other_support_type: str | None = None) -> str | None:
    """The type of support the referrer is told of for an Active Offer's outcome (SUPPORT_TYPES); None before it
    is known, or where other support was recorded before its type was asked."""
    if outcome == "take_up":
        return "issue_based_advocacy"
    if outcome == "other_support":
        return other_support_type
    return "none" if outcome in ("declined", "reflecting") else None


@contract("referral.closed", 1)
class ReferralClosedV1(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    external_ref = fields.String(load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.OneOf(CLOSE_REASONS))
    outcome = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(OUTCOMES))
    follow_on_referral_id = fields.String(load_default=None, allow_none=True)
    meeting_took_place = fields.Boolean(load_default=None, allow_none=True)
    consent = fields.Nested(ConsentFlags, required=True)
    closed_at = fields.AwareDateTime(required=True, format="iso")


@contract("optout.recorded", 1)
class OptOutRecordedV1(Schema):
    """A stage-1 offer the child opted out of, for monitoring: no name, no contact details."""

    optout_id = fields.String(required=True)
    council = fields.String(required=True)
    region = fields.String(required=True)
    basis = fields.String(required=True)
    age = fields.Integer(required=True, strict=True)
    reason = fields.String(load_default=None, allow_none=True)
    offered_at = fields.AwareDateTime(required=True, format="iso")


@contract("optout.recorded", 2)
class OptOutRecordedV2(OptOutRecordedV1):
    """Version 1 with the reason as a code a commissioner can count (NOT_WANTED_REASONS) and never the words: a
    note the social worker added stays with the provider's record of the opt-out. Version 1's free-text `reason`
    is left out; a consumer reading a version 1 counts its words as `other`."""

    reason_code = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(NOT_WANTED_REASONS),
                                metadata={"description": "null: no reason recorded."})


TRANSITION_KINDS = ("looked_after_review", "placement_move", "leaving_care_planning")
"""The key points in a child's care at which they are offered advocacy again (seed 001, "thereafter at key
transitional times"; seed 002, "Future access to advocacy"): a looked-after review, a planned placement move, and
plans being made for them to become a care leaver."""
OFFERED_AGAIN_AFTER = ("opted_out", "declined", "reflecting")
"""How a child's latest Active Offer ended for a transition to bring a renewed offer."""
NOT_OFFERED_AGAIN = ("open_referral", "took_up", "other_ending")
"""Why a transition brought no renewed offer: the child has a referral still open, took up advocacy, or their latest
Active Offer ended in another way (support elsewhere, or closed without a meeting)."""
RENEWED_OFFER_RESULTS = ("referred_again", "opted_out_again", "could_not_be_offered")
"""What came of a renewed offer, as the manager records it once it is done."""


@contract("transition.recorded", 1)
class TransitionRecordedV1(Schema):
    """A council told of a key point in a child's care: its kind and day, and whether it brought a renewed offer
    (and if not, why). Ids and codes only."""

    transition_id = fields.String(required=True)
    council = fields.String(required=True)
    region = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(TRANSITION_KINDS))
    happened_on = fields.Date(required=True)
    offered_again = fields.Boolean(required=True)
    not_offered_because = fields.String(load_default=None, allow_none=True,
                                        validate=validate.OneOf(NOT_OFFERED_AGAIN))
    recorded_at = fields.AwareDateTime(required=True, format="iso")


@contract("renewed_offer.done", 1)
class RenewedOfferDoneV1(Schema):
    """A renewed offer the manager marked done, with what came of it."""

    transition_id = fields.String(required=True)
    council = fields.String(required=True)
    result = fields.String(required=True, validate=validate.OneOf(RENEWED_OFFER_RESULTS))
    done_at = fields.AwareDateTime(required=True, format="iso")
