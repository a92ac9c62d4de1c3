"""What the referral service is asked to do, each as the internal API parses it from its request."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.referral import EQUALITY, ORGANISATION_TYPES


OBJECTS = ("child", "referrer", "consent")
"""The parts of a referral that are objects of their own."""
CHILD_TEXT = ("given_name", "family_name", "date_of_birth")
"""What the child's earlier referrals are found by."""
FLAGS = ("placed_out_of_county", "unaccompanied_asylum_seeking")
"""The child's circumstances a referral may record, true or false, or leave out."""


@dataclass(frozen=True)
class ReceiveReferral:
    request: dict
    """The body as API.md describes it (the gateway checked its shape; the domain checks its rules)."""

    @classmethod
    def parse(cls, body: dict) -> "ReceiveReferral":
        wrong = [name for name in OBJECTS if not isinstance(body.get(name), dict)]
        if wrong:
            raise TypeError(f"{', '.join(wrong)} must each be an object")
        unnamed = [name for name in CHILD_TEXT if not isinstance(body["child"].get(name), str)]
        if unnamed:
            raise TypeError(f"child.{', child.'.join(unnamed)} must each be text")
        unflagged = [name for name in FLAGS if not isinstance(body.get(name, False), (bool, type(None)))]
        if unflagged:
            raise TypeError(f"{', '.join(unflagged)} must each be true or false")
        if body["referrer"].get("organisation_type") not in (None, *ORGANISATION_TYPES):
            raise ValueError(f"referrer.organisation_type must be one of {', '.join(ORGANISATION_TYPES)}")
        equality = body["child"].get("equality", {})
        if not isinstance(equality, dict):
            raise TypeError("child.equality must be an object")
        for question, answer in equality.items():
            if answer not in EQUALITY.get(question, ()):
                raise ValueError(f"child.equality.{question} must be one of "
                                 f"{', '.join(EQUALITY.get(question, ('gender', 'ethnic_group', 'disability')))}")
        return cls(body)


@dataclass(frozen=True)
class RecordOptOut:
    request: dict


@dataclass(frozen=True)
class Allocate:
    referral_id: str
    advocate_email: str
    by: str


@dataclass(frozen=True)
class RecordContactAttempt:
    referral_id: str
    method: str
    result: str
    note: str
    by: str
    role: str | None
    attempted_at: str | None = None
    """When the attempt was made, as the advocate said; None: now."""


@dataclass(frozen=True)
class Close:
    referral_id: str
    reason: str
    by: str
    role: str | None


@dataclass(frozen=True)
class RecordTransition:
    request: dict
    """kind, happened_on, and one of referral_id, optout_id or external_ref, with the council telling of it."""
    by: str


@dataclass(frozen=True)
class RenewedOfferDone:
    transition_id: str
    result: str
    by: str


@dataclass(frozen=True)
class PlaceHold:
    referral_id: str
    reason_code: str
    by: str
    role: str | None


@dataclass(frozen=True)
class LiftHold:
    referral_id: str
    by: str
    role: str | None
