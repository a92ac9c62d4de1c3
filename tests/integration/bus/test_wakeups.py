"""A task that waits for work is woken by the handler whose commit gave it some, not by its own timer."""

from __future__ import annotations

import threading

from shared.bus import Periodic, Worker
from tests.integration.bus.support import DRILL, emit, record_effect, wait_for

AN_HOUR = 3600.0


def test_a_task_woken_by_events_runs_as_soon_as_a_handler_commits_and_a_timed_one_waits(
        drill_bus, producer_store, consumer_store, start_worker):
    settings = drill_bus
    woken_runs, timed_runs = [], []
    woken = Periodic("deliver", AN_HOUR, lambda: woken_runs.append(1), woken_by_events=True)
    timed = Periodic("clock", AN_HOUR, lambda: timed_runs.append(1))
    worker = Worker("drill", consumer_store, settings, handlers={DRILL: record_effect}, periodic=[woken, timed])
    worker.start()
    try:
        wait_for(lambda: woken_runs and timed_runs, what="each task's first run")
        start_worker(producer_store, settings, {}, service="drillsource")
        emit(producer_store, 3)
        wait_for(lambda: len(woken_runs) >= 2, timeout=30, what="the woken task to run again after the events")
        assert len(timed_runs) == 1, "a task not woken by events keeps to its interval"
    finally:
        worker.stop()
    assert not any(t.name.startswith("drill-") and t.is_alive() for t in threading.enumerate()), "stop ends every loop"
