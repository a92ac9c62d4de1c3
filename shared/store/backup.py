"""Backup and restore of a data folder of SQLite files (the embedded mode's stores and its bus), while it serves.

Each file is copied with SQLite's online backup, a few hundred pages a step with a pause between steps, from a read
transaction opened before the first page is copied: in WAL mode a reader holds up no writer, so requests carry on,
and the copy is the file as it stood when that transaction began. The read transactions of every file begin
together while the bus takes no write (see `_snapshots`), so the copies agree with one another as well: whatever a
store's copy says was published is in the bus's copy, and whatever the bus's copy says was handled is in the
consumer's inbox. The manifest (`manifest.json`) is written last; a folder without one is not a backup.

The platform holds a shared lock on `llais.lock` in its data folder while it runs, and so does a backup; a restore
takes it exclusively, so it never writes under a running platform and a platform never starts on a half-restored
folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import shutil
import sqlite3
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Iterator

from packaging.version import InvalidVersion, Version

MANIFEST = "manifest.json"
FORMAT = 1
"""The manifest's own layout; a backup in a later layout is refused rather than half understood."""
STORE_FORMAT = 1
"""The layout of the stores' and the bus's tables; raised when a release changes them in a way an earlier release
could not read."""
LOCK = "llais.lock"
BUS = "bus.sqlite3"
PAGES_PER_STEP = 256
PAUSE_SECONDS = 0.002
"""Between two steps of a file's copy, so a backup never takes the disk from the requests for long."""
SYNC_EVERY_STEPS = 4
"""The copy goes to the disk as it is made (4 MB at a time with 4 kB pages), never in one flush of the whole file
that would queue the platform's own writes behind it."""


class BackupRefused(Exception):
    """What is wrong with a backup, a restore's target or a data folder, and what to do about it."""


def installed_version() -> str:
    return metadata.version("llais")


def stores_in(folder: Path) -> list[Path]:
    """The SQLite files of a data folder: one per service and the bus."""
    return sorted(folder.glob("*.sqlite3"))


class DataFolderInUse(BackupRefused):
    """The data folder's lock is held in a way that rules out what was asked."""


class DataFolderLock:
    """The data folder's lock: shared for a running platform or a backup, exclusive for a restore. Taken without
    waiting, so whoever cannot have it is told at once why; the kernel lets it go when its process ends, a
    SIGKILL included."""

    def __init__(self, folder: Path, *, exclusive: bool = False):
        folder.mkdir(parents=True, exist_ok=True)
        self._descriptor: int | None = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._descriptor, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            raise DataFolderInUse(
                f"{folder} is in use by a running Llais or a backup of it: stop the platform (or let the backup "
                "finish), then restore" if exclusive else
                f"{folder} is being restored: start Llais once the restore has finished") from None

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __enter__(self) -> "DataFolderLock":
        return self

    def __exit__(self, *_) -> None:
        self.release()


# taking a backup


def take(data_dir: Path, dest: Path) -> dict:
    """Copy every store of `data_dir` (and its bus) into the new folder `dest`, then write the manifest; return it.

    Refused when `dest` already holds anything (a backup is never written over) or `data_dir` holds no store."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupRefused(f"{dest} already holds files: back up into a new or empty folder")
    if not data_dir.is_dir() or not stores_in(data_dir):
        raise BackupRefused(f"{data_dir} holds no Llais store: set LLAIS_DATA to the platform's data folder")
    dest.mkdir(parents=True, exist_ok=True)
    files = []
    with DataFolderLock(data_dir), _snapshots(stores_in(data_dir)) as snapshots:
        taken_at = datetime.now(timezone.utc).isoformat(timespec="seconds")  # the moment the copies are of
        for path, source in snapshots:
            files.append(_copy(source, dest / path.name))
            _let_go(source)
    manifest = {"format": FORMAT, "llais_version": installed_version(), "store_format": STORE_FORMAT,
                "sqlite_version": sqlite3.sqlite_version, "taken_at": taken_at, "files": files}
    _write_durably(dest / MANIFEST, json.dumps(manifest, indent=2).encode())
    return manifest


@contextmanager
def _snapshots(paths: list[Path]) -> Iterator[list[tuple[Path, sqlite3.Connection]]]:
    """A read transaction on every file, all begun while the bus takes no write, the bus's last.

    The bus is where the two hand-overs between files happen: a relay publishes an event to the bus and only then
    deletes it from its store's outbox; a consumer commits its effects and its inbox entry and only then acks the
    event on the bus. Copies begun at different moments could fall between the two steps of either: a store's
    copy without an event it had just published, beside a bus copy from before the publish; or a bus copy without
    an event just acked, beside a consumer's copy from before it was handled. Either way the event would be lost.
    Holding the bus's write lock while every file's transaction begins (a millisecond or two, during which a
    publish or an ack waits) leaves no hand-over half done across the copies: an event is in the bus's copy, or
    still in its producer's outbox, or already in its consumer's inbox. Stores that the bus does not join (the
    gateway's) are each consistent on their own."""
    with ExitStack() as stack:
        bus = next((path for path in paths if path.name == BUS), None)
        ordered = [path for path in paths if path != bus] + ([bus] if bus else [])
        snapshots = []
        pause = stack.enter_context(_connected(bus)) if bus else None
        if pause is not None:
            pause.execute("BEGIN IMMEDIATE")
        try:
            for path in ordered:
                conn = stack.enter_context(_connected(path))
                conn.execute("BEGIN")
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot begins at a read
                snapshots.append((path, conn))
        finally:
            if pause is not None:
                pause.execute("ROLLBACK")
        yield snapshots


@contextmanager
def _connected(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, isolation_level=None, timeout=15)
    try:
        yield conn
    finally:
        conn.close()


def _copy(source: sqlite3.Connection, target: Path) -> dict:
    """Copy one file in steps from its snapshot, under a temporary name until it is whole; its manifest entry."""
    partial = target.with_name(f".{target.name}.partial")
    steps = itertools.count(1)

    def between_steps(*_) -> None:
        if next(steps) % SYNC_EVERY_STEPS == 0:
            _fsync(partial)
        time.sleep(PAUSE_SECONDS)

    with _connected(partial) as copy:
        source.backup(copy, pages=PAGES_PER_STEP, progress=between_steps)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, with no -wal beside it
    _fsync(partial)
    os.replace(partial, target)
    return {"name": target.name, "bytes": target.stat().st_size, "sha256": _sha256(target)}


def _let_go(source: sqlite3.Connection) -> None:
    """End a file's snapshot once it is copied, and move what was written meanwhile from its WAL into the file here:
    left to the platform, that checkpoint would run inside whichever request commits next, and hold it up."""
    source.execute("COMMIT")
    source.execute("PRAGMA wal_checkpoint(PASSIVE)")


# checking one


def verify(source: Path) -> dict:
    """The manifest of the backup in `source`, once every file it names is there, whole and unchanged; refused,
    naming what is wrong, otherwise."""
    manifest = _manifest(source)
    for entry in manifest["files"]:
        path = source / entry["name"]
        if not path.is_file():
            raise BackupRefused(f"{path} is missing from the backup: it cannot be restored")
        if path.stat().st_size != entry["bytes"]:
            raise BackupRefused(f"{path} is {path.stat().st_size} bytes where the manifest says {entry['bytes']}: "
                                "the copy is truncated or damaged; use another backup")
        if _sha256(path) != entry["sha256"]:
            raise BackupRefused(f"{path} differs from its checksum in the manifest: the copy has been changed or "
                                "damaged; use another backup")
    return manifest


def _manifest(source: Path) -> dict:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupRefused(f"{source} holds no {MANIFEST}: it is not a backup, or one whose taking did not finish")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        formats = (int(manifest["format"]), int(manifest["store_format"]))
        version = Version(manifest["llais_version"])
        if not all(isinstance(entry["name"], str) and isinstance(entry["bytes"], int) and
                   isinstance(entry["sha256"], str) for entry in files):
            raise ValueError("a file without its name, size and checksum")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, InvalidVersion) as exc:
        raise BackupRefused(f"{path} cannot be read ({exc}): use another backup") from None
    for entry in files:
        if entry["name"] != Path(entry["name"]).name or entry["name"] in ("", ".", ".."):
            raise BackupRefused(f"{path} names {entry['name']!r}, which is not a file of a backup: use another backup")
    if version > Version(installed_version()) or formats > (FORMAT, STORE_FORMAT):
        raise BackupRefused(f"the backup in {source} was taken by Llais {version}, newer than this Llais "
                            f"{installed_version()}: restore it with Llais {version} or later")
    return manifest


# restoring one


def restore(source: Path, data_dir: Path, *, force: bool = False) -> dict:
    """Bring the backup in `source` back into `data_dir`; its manifest.

    Refused, changing nothing, when the backup does not verify, when a platform (or a backup) is using `data_dir`,
    or when `data_dir` holds stores already and `force` is not given; with `force`, the folder's stores are
    replaced and any store the backup does not hold is removed, so the folder holds the backup and nothing else.
    Every file is copied under a temporary name and checked first; only when all are whole do they take their
    names, so a restore that fails leaves the folder as it was."""
    manifest = verify(source)
    with DataFolderLock(data_dir, exclusive=True):
        present = stores_in(data_dir)
        if present and not force:
            raise BackupRefused(f"{data_dir} holds stores already ({', '.join(p.name for p in present)}): restore "
                                "into an empty folder, or give --force to replace them")
        restoring = []
        try:
            for entry in manifest["files"]:
                partial = data_dir / f".{entry['name']}.restoring"
                restoring.append(partial)
                shutil.copyfile(source / entry["name"], partial)
                if _sha256(partial) != entry["sha256"]:
                    raise BackupRefused(f"{entry['name']} changed while it was being restored: restore again")
                _forget_leases(partial)
                _fsync(partial)
        except BaseException:
            for partial in restoring:
                partial.unlink(missing_ok=True)
            raise
        for path in present:
            _remove_with_journal(path)
        for entry, partial in zip(manifest["files"], restoring):
            target = data_dir / entry["name"]
            _remove_with_journal(target)
            os.replace(partial, target)
        _fsync(data_dir)
    return manifest


def _forget_leases(path: Path) -> None:
    """A restore brings back data, not processes: leases on bus messages and claims on outbox entries were taken by
    processes of the platform that was backed up, which may even run still. Released here, the restored platform
    delivers and relays them at once rather than when the leases run out."""
    with _connected(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "messages" in tables:
            conn.execute("UPDATE messages SET leased_by = NULL, leased_until = NULL WHERE leased_by IS NOT NULL")
        if "outbox" in tables:
            conn.execute("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL")


def _remove_with_journal(path: Path) -> None:
    """A store and its WAL files: a restored file beside an older file's WAL would be read through that WAL."""
    for leftover in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        leftover.unlink(missing_ok=True)


# files


def _sha256(path: Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_durably(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    _fsync(partial)
    os.replace(partial, path)
    _fsync(path.parent)
