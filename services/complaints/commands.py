"""What the complaints service is asked to do, each as the internal API parses it from its request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReceiveComplaint:
    request: dict
    """The body as API.md describes it (the gateway checked its shape)."""
    by: str


@dataclass(frozen=True)
class ChangeComplaint:
    """A step in handling a complaint (acknowledge, respond, escalate, close, withdraw), with its body."""

    complaint_id: str
    body: dict
    by: str


@dataclass(frozen=True)
class AskForReview:
    """The complainant, by the private key they follow their complaint with, asks for the answer to be looked at
    again, saying what they are still not happy about."""

    key: str
    reason: str
