"""The `store` fixture: the same contract tests on SQLite, on mongomock, and on a real MongoDB where there is one;
`mongo_store`, the MongoDB two alone."""

from __future__ import annotations

import os
import uuid

import pytest

from shared.store.mongo import MongoStore
from shared.store.sqlite import SQLiteStore


def _real_mongo_url() -> str | None:
    if os.environ.get("MONGO_URL"):
        return os.environ["MONGO_URL"]
    try:
        import docker

        docker.from_env().ping()
    except Exception:  # no Docker engine answers here: the real-MongoDB runs skip below, saying so
        return None
    from testcontainers.mongodb import MongoDbContainer

    container = MongoDbContainer("mongo:7")
    container.start()
    _containers.append(container)
    return container.get_connection_url()


_containers: list = []
_mongo_url: list = []


@pytest.fixture(scope="session")
def mongo_url():
    if not _mongo_url:
        _mongo_url.append(_real_mongo_url())
    yield _mongo_url[0]


def pytest_sessionfinish(session, exitstatus):
    for container in _containers:
        container.stop()


def _mongo_store(request, kind: str):
    """A MongoStore on a database of its own: mongomock's, or the real MongoDB's (skipping, saying why, without one)."""
    if kind == "mongomock":
        import mongomock

        yield MongoStore(mongomock.MongoClient()[f"test_{uuid.uuid4().hex[:8]}"])
        return
    url = request.getfixturevalue("mongo_url")
    if url is None:
        pytest.skip("no real MongoDB here: set MONGO_URL, or run a Docker engine for testcontainers")
    made = MongoStore.connect(url, database=f"llais_test_{uuid.uuid4().hex[:8]}")
    yield made
    made.db.client.drop_database(made.db.name)
    made.close()


@pytest.fixture(params=["sqlite", "mongomock", "mongo"])
def store(request, tmp_path):
    if request.param == "sqlite":
        made = SQLiteStore(tmp_path / "contract.sqlite3")
        yield made
        made.close()
    else:
        yield from _mongo_store(request, request.param)


@pytest.fixture(params=["mongomock", "mongo"])
def mongo_store(request):
    yield from _mongo_store(request, request.param)
