"""What casework is asked to do, each as the internal API parses it from its request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OpenCase:
    referral_id: str
    consents_to_case_file: bool
    by: str
    role: str | None


@dataclass(frozen=True)
class ChangeCase:
    """A step on an open case (a plan agreed, an issue raised, ...): its body as API.md describes it."""

    case_id: str
    body: dict
    by: str
    role: str | None
    part_id: str | None = None
    """The issue or request to change advocate the step is about, where it is about one."""
