"""What may be sent, how it is signed, and when a failed delivery is tried again. Pure: no I/O, no clock.

Webhooks follow the Standard Webhooks specification: `webhook-id`, `webhook-timestamp` and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping, Sequence

from shared.contracts.referral import ARRANGEMENTS, OUTCOME, SELF_REFERRAL, TAKE_UP, support_type
from shared.errors import Refused
from shared.retention import Policy, day_of

from services.notify.words import LONDON

WEBHOOK_TYPES = ("referral.acknowledged", "meeting.arranged", "meeting.took_place", "meeting.not_held",
                 "active_offer.completed", "referral.closed")
"""The event types a council's webhook receives (API.md)."""

BACKOFF = (timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10),
           timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2))
STEADY = timedelta(hours=4)
RETRY_FOR = timedelta(hours=24)
"""A delivery is tried again until an attempt has failed 24 hours or more after the first; then it is parked."""


class InvalidSecret(Refused):
    """A secret that cannot sign webhooks (422)."""

    detail_format = "The secret cannot sign webhooks."

    def __init__(self, why: str):
        super().__init__({"secret": [why]})


def signing_key(secret: str) -> bytes:
    """A `whsec_`-prefixed secret is base64 (as Standard Webhooks issues them); any other is used as its bytes."""
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret[len("whsec_"):], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidSecret("a whsec_ secret must be base64 after the prefix") from None
    return secret.encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(signing_key(secret), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def webhook_payload(envelope: dict[str, Any]) -> bytes:
    """The body a council receives: `{id, type, occurred_at, data}`, compact JSON."""
    return json.dumps({"id": envelope["id"], "type": envelope["type"], "occurred_at": envelope["occurred_at"],
                       "data": envelope["data"]}, separators=(",", ":")).encode()


def webhook_headers(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of a delivery signed with each of `secrets` (signing_secrets), space-separated as Standard
    Webhooks allows, so a receiver holding any one of them verifies it."""
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(secret, message_id, timestamp, body) for secret in secrets),
            "content-type": "application/json"}


LONGEST_SECRET_OVERLAP = timedelta(days=30)


def webhook_set(current: dict | None, url: str, secret: str, previous_secret_hours: float, at: datetime) -> dict:
    """A council's webhook as set now (`current`: as it stood). A new secret replaces the old one at once, or, with
    `previous_secret_hours`, after that overlap: until then each delivery is signed with both, so the council's
    receiver may move to the new secret whenever it likes and never meets a delivery it cannot verify. Setting the
    same secret again (to change the URL) leaves an overlap in progress as it is."""
    if not 0 <= previous_secret_hours <= LONGEST_SECRET_OVERLAP / timedelta(hours=1):
        raise Refused({"previous_secret_expires_in_hours": ["Give between 0 and 720 hours."]})
    signing_key(secret)  # refuse a secret that cannot sign before keeping it
    current = current or {}
    previous, until = current.get("previous_secret"), current.get("previous_secret_expires_at")
    if current.get("secret") and current["secret"] != secret:
        previous, until = (current["secret"], (at + timedelta(hours=previous_secret_hours)).isoformat()) \
            if previous_secret_hours > 0 else (None, None)
    if until and datetime.fromisoformat(until) <= at:
        previous, until = None, None
    return {**current, "url": url, "secret": secret, "previous_secret": previous,
            "previous_secret_expires_at": until}


def signing_secrets(webhook: dict, at: datetime) -> list[str]:
    """The secrets a delivery at `at` is signed with: the webhook's secret, and its previous one while the overlap
    after a change lasts."""
    until = webhook.get("previous_secret_expires_at")
    overlapping = webhook.get("previous_secret") and until and datetime.fromisoformat(until) > at
    return [webhook["secret"], webhook["previous_secret"]] if overlapping else [webhook["secret"]]


def next_attempt(first_attempt_at: datetime, attempts: int, failed_at: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries; None when the window is over and the delivery parks."""
    if failed_at - first_attempt_at >= RETRY_FOR:
        return None
    return failed_at + (BACKOFF[attempts - 1] if attempts <= len(BACKOFF) else STEADY)


def delivered(status_code: int) -> bool:
    return 200 <= status_code < 300


# what may leave: consent or duty

DUTY = "duty"


class Withheld(Exception):
    """Consent does not allow this message to be sent; the reason is recorded instead, in words for operators and
    as a code (`code`, shared/words `withheld_reason`) that the child's own records say in their language."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def consent_applying(known: dict[str, bool], given: dict[str, bool] | None) -> dict[str, bool]:
    """Which of the child's consents governs an event: the one it carries, when it carries one (an outcome's, as the
    child gave it at the meeting), else the latest notify was told of. Notify keeps what this returns."""
    return dict(given) if given else dict(known)


def council_may_know(source: str | None, consent: dict[str, bool]) -> None:
    """Raise Withheld unless the referral's council may know the referral exists at all.

    The second check of the referral service's rule (`council_may_see`), made again here from what notify was told,
    because nothing leaves without consent: a referral the council made is its own; a self-referral is told to the
    council only if the child agreed to share with it; a take-up's follow-on only with the outcome's consent, since
    it tells the outcome by existing. Every message about the referral obeys this, acknowledgements and duties too.
    """
    if source == TAKE_UP and not consent.get(OUTCOME):
        raise Withheld("take_up_not_shared", "a referral opened by a take-up would tell the outcome, which the child "
                       f"has not agreed to share ({OUTCOME})")
    if source == SELF_REFERRAL and not (consent.get(ARRANGEMENTS) or consent.get(OUTCOME)):
        raise Withheld("self_referral_not_shared", "the child referred themselves and has not agreed to the council "
                       f"being told ({ARRANGEMENTS}, {OUTCOME})")


def still_allowed(basis: str, source: str | None, consent: dict[str, bool]) -> None:
    """Raise Withheld if a message made earlier may no longer leave: the child has since withdrawn the consent it
    was made under (a duty needs only that the council may know the referral)."""
    council_may_know(source, consent)
    if basis in (ARRANGEMENTS, OUTCOME) and not consent.get(basis):
        raise Withheld("consent_withdrawn", f"the child no longer agrees to share this ({basis})")


def disclose(event_type: str, data: dict[str, Any], consent: dict[str, bool]) -> tuple[dict[str, Any], str]:
    """What the referring council may be told of an event, and on what basis: (data, basis).

    Raises Withheld when the child's consent does not allow the message at all. Whether the Active Offer meeting
    took place may always be confirmed (a duty of the service); arrangements and the outcome only with consent.
    """
    ids = {k: data[k] for k in ("referral_id", "council", "meeting_id", "external_ref") if k in data}
    if event_type == "referral.acknowledged":
        return {**ids, **{k: data[k] for k in ("status", "received_at", "acknowledged_at") if k in data}}, DUTY
    if event_type in ("meeting.arranged", "meeting.rescheduled", "meeting.cancelled"):
        if not consent.get(ARRANGEMENTS):
            raise Withheld("arrangements_not_shared",
                           f"the child has not agreed to share the meeting's arrangements ({ARRANGEMENTS})")
        shown = {k: data[k] for k in ("starts_at", "venue", "previous_starts_at") if k in data}
        return {**ids, **shown}, ARRANGEMENTS
    if event_type == "meeting.took_place":
        return {**ids, "meeting_took_place": True}, DUTY
    if event_type == "meeting.not_held":
        return {**ids, "meeting_took_place": False}, DUTY
    if event_type == "active_offer.completed":
        if not consent.get(OUTCOME):
            raise Withheld("outcome_not_shared", f"the child has not agreed to share the outcome ({OUTCOME})")
        return {**ids, "outcome": data["outcome"], "follow_on_referral_id": data.get("follow_on_referral_id"),
                **told_with_the_outcome(data)}, OUTCOME
    if event_type == "referral.closed":
        shown = {"reason": data["reason"], "closed_at": data["closed_at"]}
        if data.get("meeting_took_place") is not None:
            shown["meeting_took_place"] = data["meeting_took_place"]
        if consent.get(OUTCOME) and data.get("outcome"):
            shown.update(outcome=data["outcome"], follow_on_referral_id=data.get("follow_on_referral_id"))
        return {**ids, **shown}, DUTY
    raise Withheld("not_for_councils", f"{event_type} is not a message councils receive")


def told_with_the_outcome(data: dict[str, Any]) -> dict[str, Any]:
    """What the referrer is told beside the outcome (API.md): the advocate who met the child, by their work email
    (notify knows no staff names; the council's API view names them), the type of support they go on to, and
    whether the service's contact details were left with them; what an older event does not say is left out."""
    told = {"named_advocate": data.get("advocate_email"),
            "support_type": support_type(data["outcome"], data.get("other_support_type")),
            "contact_details_given": data.get("contact_details_given")}
    return {field: value for field, value in told.items() if value is not None}


# notify's own mail: who it is for, on what basis, and when

REFERRER, ADVOCATE, MANAGERS, COMPLAINANT = "referrer", "advocate", "managers", "complainant"
"""Who an email is for. Only the referrer's is governed by the child's consent to share with the referrer."""
SERVICE = "service"
"""The basis of an email to the service's own staff: their work, not a disclosure outside the service."""
REPLY_ASKED = "reply_asked"
"""The basis of an email to a complainant: they asked for a reply and gave this address for it."""
BOTH = "cy+en"
"""The language of a message written in Welsh and English together (to staff, whose language notify does not
know)."""
MORNING = "07:30"
"""When, in London time, the morning's mail is made, unless the settings say otherwise."""
PAGES = {"referral": "referrals", "complaint": "complaints"}
"""Where staff read a referral or a complaint: /referrals/<id>, /complaints/<id>."""


def page(public_url: str, section: str, id: str) -> str:
    """The link to a page of the service; a path alone where its address is not set."""
    return f"{public_url.rstrip('/')}/{section}/{id}"


def _morning(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def morning_come(local: datetime, morning: str) -> bool:
    """Whether the morning's mail is due at `local` (a London time)."""
    return local.time() >= _morning(morning)


def remind_at(starts_at: str, morning: str) -> str:
    """When the day's email for a meeting is due: the morning of its day in London, as UTC RFC 3339 text."""
    day = datetime.fromisoformat(starts_at).astimezone(LONDON).date()
    due = datetime.combine(day, _morning(morning), tzinfo=LONDON)
    return due.astimezone(timezone.utc).isoformat(timespec="microseconds")


def meeting_kept(current: dict, event_type: str, data: dict[str, Any], event_id: str,
                 morning: str) -> dict | None:
    """What notify keeps of a meeting after an event about it: its advocate and time, and whether its day's email
    is waiting (from the morning of the day it is now on), made, or not to be (cancelled). None: nothing changes
    (an event heard before, or an arrangement of a meeting already kept)."""
    if event_id in current.get("heard", []):
        return None
    heard = [*current.get("heard", []), event_id][-20:]
    if event_type == "meeting.arranged":
        if current:
            return None
        return {"referral_id": data["referral_id"], "council": data["council"],
                "advocate_email": data["advocate_email"], "starts_at": data["starts_at"], "status": "arranged",
                "reminder": "waiting", "remind_at": remind_at(data["starts_at"], morning), "heard": heard}
    if event_type == "meeting.rescheduled":
        return {**current, "starts_at": data["starts_at"], "status": "arranged", "reminder": "waiting",
                "remind_at": remind_at(data["starts_at"], morning), "heard": heard}
    if event_type == "meeting.cancelled":
        return {**current, "status": "cancelled", "reminder": "cancelled", "heard": heard}
    return None


def reminder_stale(meeting: dict | None, starts_at: str) -> Withheld | None:
    """Why a meeting-day email made earlier may no longer leave: the meeting was cancelled or moved since."""
    if meeting is None or meeting.get("status") == "cancelled":
        return Withheld("meeting_cancelled", "the meeting was cancelled")
    if meeting["starts_at"] != starts_at:
        return Withheld("meeting_moved", "the meeting was moved to another time")
    return None


def alert(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the managers' digest keeps of a deadline at risk or missed: whose, which, when due, and its state."""
    about = "complaint" if event_type.startswith("complaint.") else "referral"
    return {"about": about, "subject_id": data["complaint_id" if about == "complaint" else "referral_id"],
            "council": data.get("council"), "deadline": data["deadline"], "due_at": data["due_at"],
            "state": "missed" if event_type.endswith("missed") else "at_risk"}


def worst_first(alerts: list[dict]) -> list[dict]:
    """One line for each deadline, in its worst state since the last digest (one that went at risk and then was
    missed is missed), the earliest due first."""
    worst: dict[tuple, dict] = {}
    for one in alerts:
        key = (one["about"], one["subject_id"], one["deadline"])
        if key not in worst or one["state"] == "missed":
            worst[key] = one
    return sorted(worst.values(),
                  key=lambda a: (datetime.fromisoformat(a["due_at"]), a["about"], a["subject_id"], a["deadline"]))


def delivery_erase_on(record: Mapping[str, Any], policy: Policy) -> date | None:
    """When a delivery record (a webhook or an email, or the note of one not sent) falls due: `delivery_days` after
    it was delivered, parked or withheld (a note of one not sent: after it was made); None while it is pending."""
    ended = record.get("delivered_at") or record.get("parked_at") or record.get("withheld_at")
    if record.get("status") is None:  # not sent at all: nothing more happens to it
        ended = record.get("created_at")
    return policy.delivery_due(day_of(ended)) if ended else None  # type: ignore[arg-type]
