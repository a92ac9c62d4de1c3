"""`llais backup` of an embedded platform holding 100,000 referrals, taken while a council system keeps POSTing: how
long it takes and how much it writes, beside a plain copy of the same files, and the longest request while it ran,
beside the longest in a spell just before it.

The referrals are seeded straight into the referral service's store, as the gateway bench seeds them. Prints
figures; asserts nothing. Talks to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.figures import against, beside
from bench.gateway_bench import LLAIS, _admin, _environment, _free_port, _wait, distinct_child, seed

REFERRALS = 100_000
WARM_UP = 2.0
"""Seconds of requests before any is counted: the platform's first requests open its connections."""
SPELL_BEFORE = 5.0


def _requests(url: str, headers: dict, stop: threading.Event, answered: list) -> None:
    """One council system POSTing referrals back to back: (start, seconds, status) of each."""
    session = requests.Session()
    while not stop.is_set():
        began = time.monotonic()
        status = session.post(url, json=distinct_child(), headers=headers, timeout=30).status_code
        answered.append((began, time.monotonic() - began, status))


def _longest(answered: list, start: float, end: float) -> tuple[float, float]:
    """The longest request under way at any moment between `start` and `end`, in milliseconds, and when it began,
    in seconds after `start`."""
    during = [(seconds, began) for began, seconds, _ in answered if began < end and began + seconds > start]
    seconds, began = max(during, default=(0.0, start))
    return seconds * 1000, began - start


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


def main() -> dict:
    env = _environment()
    data = Path(env["LLAIS_DATA"])
    seed(data, REFERRALS)
    council = {"Authorization": f"Bearer {_admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
    port = _free_port()
    env["PORT"] = str(port)
    platform = subprocess.Popen([LLAIS, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    answered: list = []
    stop = threading.Event()
    client = threading.Thread(target=_requests, args=(f"http://127.0.0.1:{port}/api/v1/referrals", council, stop,
                                                      answered))
    out = Path(tempfile.mkdtemp(prefix="llais-bench-backup-"))
    try:
        _wait(f"http://127.0.0.1:{port}/healthz")
        client.start()
        time.sleep(WARM_UP + SPELL_BEFORE)
        backup_began = time.monotonic()
        backed_up = subprocess.run([LLAIS, "backup", str(out / "backup")], env=env, capture_output=True, text=True)
        backup_ended = time.monotonic()
        time.sleep(1.0)
    finally:
        stop.set()
        client.join(60)
        platform.terminate()
        platform.wait(60)
    if backed_up.returncode != 0:
        raise SystemExit(f"llais backup failed: {backed_up.stderr}")
    copy_began = time.monotonic()
    (out / "copy").mkdir()
    for path in sorted(data.glob("*.sqlite3")):
        shutil.copy(path, out / "copy" / path.name)
    took, copied = backup_ended - backup_began, time.monotonic() - copy_began
    during = [status for began, _, status in answered if backup_began <= began < backup_ended]
    longest_during, longest_began = _longest(answered, backup_began, backup_ended)
    longest_before, _ = _longest(answered, backup_began - SPELL_BEFORE, backup_began)
    figures = {"referrals": REFERRALS, "backup_seconds": round(took, 2), "plain_copy_seconds": round(copied, 2),
               "backup_bytes": _size(out / "backup"), "plain_copy_bytes": _size(out / "copy"),
               "requests_during_backup": len(during), "not_201_during_backup": sum(s != 201 for s in during),
               "longest_request_during_ms": round(longest_during, 1),
               "longest_request_began_s_into_backup": round(longest_began, 2),
               "longest_request_before_ms": round(longest_before, 1)}
    beside(f"backup of {REFERRALS:,} referrals", took, "a plain copy of the same files", copied, "s",
           "target: under 60 s")
    beside("bytes written", figures["backup_bytes"] / 1e6, "the plain copy", figures["plain_copy_bytes"] / 1e6, "MB",
           "the same stores, with a manifest")
    beside("longest request while the backup ran", longest_during, f"the longest in the {SPELL_BEFORE:.0f} s before",
           longest_before, "ms", "target: none held more than 100 ms by the backup")
    against("requests answered while the backup ran", len(during), "requests",
            f"{figures['not_201_during_backup']} not answered 201")
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    return figures


if __name__ == "__main__":
    main()
