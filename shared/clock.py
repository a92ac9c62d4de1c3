"""The one clock and the one id generator of the project."""

from __future__ import annotations

import os
import secrets
import time
from datetime import datetime, timezone


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def timestamp(moment: datetime | None = None) -> str:
    """An RFC 3339 timestamp with offset, as the public API and the events carry them."""
    return (moment or now()).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A UUIDv7-shaped id: sortable by creation time, so that paging by id pages by age."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & 0xFFFF_FFFF_FFFF) << 80 | (0x7 << 76) | ((rand >> 68) & 0x0FFF) << 64
    value |= (0b10 << 62) | (rand & 0x3FFF_FFFF_FFFF_FFFF)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
