"""Every find a service declares is answered from its index, on SQLite and MongoDB alike.

The declarations are each service's `INDEXES` (services/<name>/store.py), which its composition root hands the store
at start-up; the strict-mode tests (test_declared_finds.py) hold the services to finding by nothing else. Here SQLite
says, for the very SQL `find` writes, how it answers: a SEARCH of the declared index, never a SCAN, and never a walk
of the whole collection along the primary key (which SQLite reports as a SEARCH on `collection=?`, and which is what
it chose for every filtered find before the indexes).
"""

from __future__ import annotations

import importlib
import json
import sqlite3
from dataclasses import replace

import pytest
from pymongo import MongoClient

from shared import erasure
from shared.config import Settings
from shared.store import AtMost, Index, Put
from shared.store.sqlite import SQLiteStore
from services import SERVICES
from services.platform import retained, service_app


def declared(name: str) -> tuple[Index, ...]:
    """The service's INDEXES, and those its erasure reads through (shared/erasure.py)."""
    module = importlib.import_module(f"services.{name}.store")
    erasing = erasure.indexes(retained(name), getattr(module, "ABOUT_REFERRAL", ()))
    return tuple(dict.fromkeys((*module.INDEXES, *erasing)))


def started(name: str, tmp_path) -> SQLiteStore:
    """The service's store as its composition root leaves it once the API has started."""
    store = SQLiteStore(tmp_path / f"{name}.sqlite3")
    service_app(name).create_app(replace(Settings(), data_dir=tmp_path, internal_token="internal"), store=store)
    return store


def assert_answered_from(plan: list[str], index: Index, *, in_id_order: bool) -> None:
    text = "\n".join(plan)
    assert f"USING INDEX {index.name} (" in text or f"USING COVERING INDEX {index.name} (" in text, text
    assert "SCAN" not in text, text
    assert "PRIMARY KEY" not in text, text
    if in_id_order:
        assert "TEMP B-TREE" not in text, f"the index gives id order, no sort needed: {text}"


@pytest.mark.parametrize("name", SERVICES)
def test_every_declared_find_is_answered_from_its_index(name, tmp_path):
    store = started(name, tmp_path)
    assert declared(name), f"{name} declares the fields it finds by"
    assert store.indexes == declared(name), "the composition root hands the store its service's declaration"
    for index in store.indexes:
        collection, first, last = index.collection, index.fields[0], index.fields[-1]
        equal = {field: "x" for field in index.fields}
        assert_answered_from(store.query_plan(collection, equal), index, in_id_order=True)
        assert_answered_from(store.query_plan(collection, equal, after="x"), index, in_id_order=True)
        assert_answered_from(store.query_plan(collection, dict(reversed(equal.items()))), index, in_id_order=True)
        assert_answered_from(store.query_plan(collection, {field: None for field in index.fields}), index,
                             in_id_order=True)
        assert_answered_from(store.query_plan(collection, {**equal, first: ["x", "y"]}), index, in_id_order=False)
        assert_answered_from(store.query_plan(collection, {**equal, last: AtMost("x")}, after="x"), index,
                             in_id_order=False)
    store.close()


def test_the_check_sees_a_find_that_walks_the_whole_collection(tmp_path):
    """What the indexes replaced: an undeclared filter is answered along the primary key, reading every document of
    the collection to test it, and the check above fails on it."""
    store = SQLiteStore(tmp_path / "lenient.sqlite3")
    index = Index("referrals", ("council",))
    plan = store.query_plan("referrals", {"council": "CARDIFF"})
    assert any("PRIMARY KEY (collection=?)" in line for line in plan), plan
    with pytest.raises(AssertionError):
        assert_answered_from(plan, index, in_id_order=True)
    store.ensure_indexes([index])
    assert_answered_from(store.query_plan("referrals", {"council": "CARDIFF"}), index, in_id_order=True)
    store.close()


def test_indexed_finds_answer_as_before_with_documents_of_other_collections_beside(tmp_path):
    store = SQLiteStore(tmp_path / "answers.sqlite3")
    store.ensure_indexes([Index("deliveries", ("status", "next_attempt_at")), Index("deliveries", ("council",))],
                         strict=True)
    for n in range(30):
        body = {"status": "pending" if n % 3 else "delivered", "next_attempt_at": f"2026-11-23T09:{n:02d}:00+00:00",
                "council": "CARDIFF" if n % 2 else "NEWPORT"}
        store.commit(Put.new("deliveries", f"d{n:02d}", body))
        store.commit(Put.new("other", f"d{n:02d}", body))  # same fields, another collection: never found here
    due = store.find("deliveries", {"status": "pending", "next_attempt_at": AtMost("2026-11-23T09:10:00+00:00")})
    assert [d.id for d in due] == ["d01", "d02", "d04", "d05", "d07", "d08", "d10"]
    paged = store.find("deliveries", {"council": "CARDIFF"}, limit=4, after="d05")
    assert [d.id for d in paged] == ["d07", "d09", "d11", "d13"]
    assert store.find("deliveries", {"status": ["nothing"], "next_attempt_at": None}) == []
    store.close()


def test_a_new_store_on_a_database_with_the_indexes_finds_through_them(tmp_path):
    """The API and the worker of one service (or a restart) each declare; the indexes are made once and kept."""
    path = tmp_path / "twice.sqlite3"
    first, second = SQLiteStore(path), SQLiteStore(path)
    index = Index("cases", ("clock_open", "next_due_at"))
    first.ensure_indexes([index])
    first.commit(Put.new("cases", "c1", {"clock_open": True, "next_due_at": "2026-11-23T09:00:00.000000+00:00"}))
    second.ensure_indexes([index, index])
    assert [d.id for d in second.find("cases", {"clock_open": True, "next_due_at": AtMost("2026-11-24")})] == ["c1"]
    assert_answered_from(second.query_plan("cases", {"clock_open": True, "next_due_at": None}), index,
                         in_id_order=True)
    first.close()
    second.close()
    with sqlite3.connect(path) as database:
        names = database.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'find:%'")
        assert [row[0] for row in names] == [index.name]


# MongoDB: the same indexes, on body.<field> and the id


@pytest.mark.parametrize("name", SERVICES)
def test_mongodb_has_the_same_indexes_at_start_up(name, mongo_store):
    mongo_store.ensure_indexes(declared(name), strict=True)
    for index in declared(name):
        made = mongo_store.db[index.collection].index_information()
        assert index.name in made, f"{index.name} made at start-up, before any document is written"
        assert [tuple(key) for key in made[index.name]["key"]] == [
            *((f"body.{field}", 1) for field in index.fields), ("_id", 1)]


def test_mongodb_answers_a_declared_find_from_its_index(mongo_store):
    index = Index("deliveries", ("status", "next_attempt_at"))
    mongo_store.ensure_indexes([index], strict=True)
    for n in range(12):
        mongo_store.commit(Put.new("deliveries", f"d{n:02d}", {
            "status": "pending" if n % 2 else "delivered", "next_attempt_at": f"2026-11-23T09:{n:02d}:00+00:00"}))
    where = {"status": "pending", "next_attempt_at": AtMost("2026-11-23T09:06:00+00:00")}
    assert [d.id for d in mongo_store.find("deliveries", where)] == ["d01", "d03", "d05"]
    assert [d.id for d in mongo_store.find("deliveries", where, after="d01", limit=1)] == ["d03"]
    if isinstance(mongo_store.db.client, MongoClient):  # a real MongoDB (mongomock cannot explain)
        plan = json.dumps(mongo_store.db["deliveries"].find(
            {"body.status": "pending", "body.next_attempt_at": {"$lte": "2026-11-23T09:06:00+00:00"}}
        ).sort("_id", 1).hint(index.name).explain()["queryPlanner"]["winningPlan"], default=str)
        assert "IXSCAN" in plan and index.name in plan and "COLLSCAN" not in plan
