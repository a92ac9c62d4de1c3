"""What the referral service is asked to do, each as the internal API parses it from its request."""

from __future__ import annotations

from dataclasses import dataclass


OBJECTS = ("child", "referrer", "consent")
"""The parts of a referral that are objects of their own."""
CHILD_TEXT = ("given_name", "family_name", "date_of_birth")
"""What the child's earlier referrals are found by."""


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


@dataclass(frozen=True)
class Close:
    referral_id: str
    reason: str
    by: str
    role: str | None
