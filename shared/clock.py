"""The one clock and the one id generator of the project."""

from __future__ import annotations

import os
import secrets
import threading
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
"""Wales's and England's clock: the local time of meetings, deadlines and the days people read."""


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def timestamp(moment: datetime | None = None) -> str:
    """An RFC 3339 timestamp with offset, as the public API and the events carry them."""
    return (moment or now()).isoformat(timespec="milliseconds")


_last = [0, 0]
_id_lock = threading.Lock()


def new_id() -> str:
    """A UUIDv7: sortable by creation time, so paging by id pages by age.

    Within one process ids strictly increase: in the same millisecond the 12-bit counter field (RFC 9562's
    method 1) counts up from a random start, moving into the next millisecond if it overflows.
    """
    with _id_lock:
        millis = max(time.time_ns() // 1_000_000, _last[0])
        if millis == _last[0]:
            counter = _last[1] + 1
            if counter > 0x0FFF:
                millis, counter = millis + 1, int.from_bytes(os.urandom(1), "big")
        else:
            counter = int.from_bytes(os.urandom(1), "big")
        _last[0], _last[1] = millis, counter
    return _uuid7(millis, counter, int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF)


def least_id_at(moment: datetime) -> str:
    """The least id `new_id` can give a record made at `moment`: ids after it were made then or later, ids before
    it earlier, so records are read between two moments through their ids' order (the audit log, by date)."""
    return _uuid7(max(int(moment.timestamp() * 1000), 0), 0, 0)


def _uuid7(millis: int, counter: int, random_bits: int) -> str:
    """A UUIDv7's text: the millisecond, the version, the counter, the variant and the random bits."""
    value = (millis & 0xFFFF_FFFF_FFFF) << 80 | (0x7 << 76) | counter << 64 | (0b10 << 62) | random_bits
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
