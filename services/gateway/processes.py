"""Which process holds an Idempotency-Key reservation, and whether it still runs.

A reservation names the process of the request that made it: its machine (host name and boot), its pid and the
moment it started (Linux's /proc; a pid handed to a new process later has another start). A gateway can then tell,
for a reservation made on its own machine, whether the request that made it died with its process (a crash, a
restart, a gunicorn worker killed for taking too long): at start-up and whenever the key is used again. Of a process
on another machine nothing can be known from here; its reservation lapses with age (domain.ABANDONED_AFTER).
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path

_PROC = Path("/proc")
_GONE = ("Z", "X")
"""A zombie or dead process runs no request any more, though its pid is not yet free."""


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks after boot) of a running pid, from /proc; None if there is no such process
    (or no /proc)."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (name) ": state is field 3 of stat(5), starttime 22
    return fields[0], fields[19]


def _boot() -> str:
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def this_process() -> dict:
    """This process as a reservation names its holder (worked out again in a forked child, whose pid differs)."""
    return _process(os.getpid())


@functools.lru_cache(maxsize=1)
def _process(pid: int) -> dict:
    stat = _stat(pid)
    return {"host": socket.gethostname(), "boot": _boot(), "pid": pid, "started": stat[1] if stat else None}


def alive(holder: object) -> bool | None:
    """Whether the process a reservation names still runs: True or False on this machine, None when it cannot be
    known from here (another machine, or a reservation that names no process)."""
    if not isinstance(holder, dict) or not isinstance(holder.get("pid"), int):
        return None
    me = this_process()
    if holder.get("host") != me["host"]:
        return None
    if holder.get("boot") and me["boot"] and holder["boot"] != me["boot"]:
        return False  # the machine has restarted since: every process of that boot is gone
    if me["started"] is not None:  # /proc tells both whether the pid runs and whether it is the same process
        stat = _stat(holder["pid"])
        return stat is not None and stat[0] not in _GONE and stat[1] == holder.get("started")
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return None  # another user's process has that pid: whether it is the holder cannot be told
    return True
