"""`llais backup`, `backup --verify` and `restore` on real SQLite files: a copy taken while a store is written agrees
with itself and comes back whole; every backup or target that cannot be trusted is refused with status 2, saying
what is wrong, and the target is left as it was."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from kombu import Connection, Exchange, Queue

import shared.bus  # noqa: F401  (registers the embedded bus's transport)
from shared.config import Settings
from shared.store import Put
from shared.store.backup import DataFolderLock
from shared.store.sqlite import SQLiteStore
from services.cli import main
from tests.integration.bus.support import drill

PEOPLE = "people"


def llais(data: Path, *args: str):
    return CliRunner().invoke(main, list(args), env={"LLAIS_DATA": str(data), "AMQP_URL": "", "MONGO_URL": ""})


@pytest.fixture
def data(tmp_path) -> Path:
    """A data folder as the embedded mode leaves it: services' stores with documents and an unsent event, and the
    bus's file with a message delivered to a consumer and not yet acked."""
    folder = tmp_path / "data"
    for service in ("referral", "gateway"):
        store = SQLiteStore(folder / f"{service}.sqlite3")
        for n in range(20):
            store.commit(Put.new(PEOPLE, f"{service}-{n:03}", {"n": n}))
        store.commit(events=[drill(1)])
        store.close()
    return folder


def documents(path: Path) -> dict[str, dict]:
    with sqlite3.connect(path) as conn:
        return {id: json.loads(body) for id, body in conn.execute("SELECT id, body FROM documents ORDER BY id")}


def test_a_backup_is_verified_and_restored_into_a_fresh_folder_whole(data, tmp_path):
    taken = llais(data, "backup", str(tmp_path / "backup"))
    assert taken.exit_code == 0, taken.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert {entry["name"] for entry in manifest["files"]} == {"referral.sqlite3", "gateway.sqlite3"}
    assert manifest["llais_version"] and manifest["taken_at"] and manifest["format"] == 1
    for entry in manifest["files"]:
        assert (tmp_path / "backup" / entry["name"]).stat().st_size == entry["bytes"]
    assert not list((tmp_path / "backup").glob("*-wal")), "each copy is one file, whole on its own"

    checked = llais(data, "backup", "--verify", str(tmp_path / "backup"))
    assert checked.exit_code == 0, checked.output
    restored = llais(data, "restore", str(tmp_path / "backup"), "--data", str(tmp_path / "fresh"))
    assert restored.exit_code == 0, restored.output
    for name in ("referral.sqlite3", "gateway.sqlite3"):
        assert documents(tmp_path / "fresh" / name) == documents(data / name)
        with sqlite3.connect(tmp_path / "fresh" / name) as conn:
            assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (1,), "the unsent event comes back"
    assert not list((tmp_path / "fresh").glob(".*.restoring"))


def test_a_backup_taken_while_a_store_is_written_holds_every_write_up_to_a_moment_and_none_after(tmp_path):
    folder = tmp_path / "data"
    store = SQLiteStore(folder / "referral.sqlite3")
    for n in range(3000):  # enough pages that the copy takes many steps while the writer goes on
        store.commit(Put.new(PEOPLE, f"{n:06}", {"n": n, "padding": "x" * 400}))
    stop, written = threading.Event(), [3000]

    def writer():
        while not stop.is_set():
            store.commit(Put.new(PEOPLE, f"{written[0]:06}", {"n": written[0], "padding": "x" * 400}))
            written[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        taken = llais(folder, "backup", str(tmp_path / "backup"))
    finally:
        stop.set()
        thread.join()
        store.close()
    assert taken.exit_code == 0, taken.output
    assert llais(folder, "backup", "--verify", str(tmp_path / "backup")).exit_code == 0
    copied = sorted(int(id) for id in documents(tmp_path / "backup" / "referral.sqlite3"))
    assert copied == list(range(len(copied))), "the copy is the store as it stood at one moment"
    assert 3000 <= len(copied) <= written[0]


def test_restore_releases_the_leases_the_backed_up_processes_held(data, tmp_path):
    settings = Settings(data_dir=data)
    queue = Queue("backup-leases", exchange=Exchange("backup-leases", "direct"), routing_key="k")
    with Connection(settings.bus_url) as connection:
        connection.Producer().publish({"n": 1}, exchange=queue.exchange, routing_key="k", declare=[queue])
        assert queue(connection.channel()).get(no_ack=False) is not None  # delivered, leased to this process
        claimed = SQLiteStore(data / "referral.sqlite3")
        assert claimed.claim_outbox("a-relay-of-the-running-platform")
        claimed.close()
        assert llais(data, "backup", str(tmp_path / "backup")).exit_code == 0
    restored = llais(data, "restore", str(tmp_path / "backup"), "--data", str(tmp_path / "fresh"))
    assert restored.exit_code == 0, restored.output

    with sqlite3.connect(tmp_path / "fresh" / "bus.sqlite3") as conn:
        assert conn.execute("SELECT queue, leased_by FROM messages").fetchall() == [("backup-leases", None)]
    with sqlite3.connect(tmp_path / "fresh" / "referral.sqlite3") as conn:
        assert conn.execute("SELECT claimed_by, claimed_until FROM outbox").fetchall() == [(None, None)]


def _refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture
def backup(data, tmp_path) -> Path:
    assert llais(data, "backup", str(tmp_path / "backup")).exit_code == 0
    return tmp_path / "backup"


def _restore_refused(data: Path, backup: Path, target: Path, *words: str) -> None:
    _refused(llais(data, "backup", "--verify", str(backup)), *words)
    _refused(llais(data, "restore", str(backup), "--data", str(target)), *words)
    assert not target.exists() or not list(target.glob("*.sqlite3")) and not list(target.glob(".*")), \
        "a refused restore writes nothing"


def test_a_tampered_byte_is_refused(data, backup, tmp_path):
    copy = backup / "referral.sqlite3"
    content = bytearray(copy.read_bytes())
    content[len(content) // 2] ^= 0x01
    copy.write_bytes(bytes(content))
    _restore_refused(data, backup, tmp_path / "fresh", "referral.sqlite3", "differs from its checksum")


def test_a_truncated_file_is_refused(data, backup, tmp_path):
    copy = backup / "gateway.sqlite3"
    copy.write_bytes(copy.read_bytes()[:4096])
    _restore_refused(data, backup, tmp_path / "fresh", "gateway.sqlite3", "truncated")


def test_a_missing_file_is_refused(data, backup, tmp_path):
    (backup / "gateway.sqlite3").unlink()
    _restore_refused(data, backup, tmp_path / "fresh", "gateway.sqlite3", "missing")


def test_a_folder_without_a_manifest_is_refused(data, backup, tmp_path):
    (backup / "manifest.json").unlink()
    _restore_refused(data, backup, tmp_path / "fresh", "no manifest.json")


def test_an_unreadable_manifest_is_refused(data, backup, tmp_path):
    (backup / "manifest.json").write_text('{"format": 1, "files": ')
    _restore_refused(data, backup, tmp_path / "fresh", "manifest.json cannot be read")


def test_a_manifest_naming_a_file_outside_the_backup_is_refused(data, backup, tmp_path):
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"][0]["name"] = "../elsewhere.sqlite3"
    (backup / "manifest.json").write_text(json.dumps(manifest))
    _restore_refused(data, backup, tmp_path / "fresh", "'../elsewhere.sqlite3'", "not a file of a backup")


def test_a_backup_of_a_newer_llais_is_refused(data, backup, tmp_path):
    manifest = json.loads((backup / "manifest.json").read_text())
    (backup / "manifest.json").write_text(json.dumps({**manifest, "llais_version": "999.0.0"}))
    _restore_refused(data, backup, tmp_path / "fresh", "Llais 999.0.0", "newer than this Llais")


def test_a_folder_holding_stores_is_replaced_only_when_forced(data, backup, tmp_path):
    target = tmp_path / "target"
    store = SQLiteStore(target / "referral.sqlite3")
    store.commit(Put.new(PEOPLE, "kept-until-forced", {"n": -1}))
    SQLiteStore(target / "reporting.sqlite3").close()
    _refused(llais(data, "restore", str(backup), "--data", str(target)), "holds stores already", "--force")
    assert "kept-until-forced" in documents(target / "referral.sqlite3")

    store.close()
    forced = llais(data, "restore", str(backup), "--data", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert documents(target / "referral.sqlite3") == documents(data / "referral.sqlite3")
    assert sorted(path.name for path in target.glob("*.sqlite3*")) == ["gateway.sqlite3", "referral.sqlite3"]


def test_a_data_folder_in_use_is_not_restored_into(data, backup, tmp_path):
    target = tmp_path / "target"
    with DataFolderLock(target):  # what a running platform holds; the e2e test restores under a real one
        _refused(llais(data, "restore", str(backup), "--data", str(target)), str(target), "in use",
                 "stop the platform")
    assert not list(target.glob("*.sqlite3"))


def test_a_backup_is_never_written_over(data, backup):
    _refused(llais(data, "backup", str(backup)), "already holds files")


def test_a_folder_without_stores_is_not_backed_up(tmp_path):
    _refused(llais(tmp_path / "nothing", "backup", str(tmp_path / "backup")), "holds no Llais store", "LLAIS_DATA")
