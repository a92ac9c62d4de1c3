"""Waking a thread that waits for work as soon as something in this process gives it some, instead of polling."""

from __future__ import annotations

import threading


class Wakeup:
    """A signal many threads can wait on. A waiter reads `generation` before it looks for work and passes it to
    `wait`, so a signal that comes between the look and the wait is not missed; `wait` returns at the latest after
    `timeout`, for work that no signal announces (another process's)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.generation = 0

    def notify(self) -> None:
        with self._condition:
            self.generation += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        with self._condition:
            if self.generation == seen:
                self._condition.wait(timeout)
