from __future__ import annotations

import pytest

from shared.bus import Worker, declare_topology
from shared.store.sqlite import SQLiteStore
from tests.integration.bus.support import DRILL, record_effect


@pytest.fixture
def producer_store(tmp_path):
    store = SQLiteStore(tmp_path / "producer.sqlite3")
    yield store
    store.close()


@pytest.fixture
def consumer_store(tmp_path):
    store = SQLiteStore(tmp_path / "consumer.sqlite3")
    yield store
    store.close()


@pytest.fixture
def drill_topology(broker_settings):
    declare_topology(broker_settings, {"drill": [DRILL]})
    return broker_settings


@pytest.fixture(params=["rabbitmq", "embedded"])
def drill_bus(request):
    """The drill topology on each bus the platform runs on: the real RabbitMQ, and the embedded mode's SQLite file."""
    settings = request.getfixturevalue("broker_settings" if request.param == "rabbitmq" else "settings")
    declare_topology(settings, {"drill": [DRILL]})
    return settings


@pytest.fixture
def start_worker():
    """Start workers in threads of this process; all are stopped at the end of the test."""
    started = []

    def start(store, settings, handlers=None, service="drill"):
        worker = Worker(service, store, settings, handlers=handlers if handlers is not None else {DRILL: record_effect})
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
