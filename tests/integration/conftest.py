"""What the integration tests of one service share: its own store on a real SQLite file."""

from __future__ import annotations

import pytest

from shared.store.sqlite import SQLiteStore


@pytest.fixture
def service_store(tmp_path):
    """A service's store on a SQLite file of its own, closed when the test ends."""
    store = SQLiteStore(tmp_path / "service.sqlite3")
    yield store
    store.close()
