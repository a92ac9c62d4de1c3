"""Reading one's own writes across services: what a command set travelling, and waiting for it to arrive.

A command's owner answers at once, but some of its effects reach other services as events (a referral's deadlines
come back from scheduling; a recorded meeting closes the referral). So that a caller's next call sees them:

- every internal API names, in its answer's `Llais-Events` header, the events its command committed;
- the gateway keeps those as *in flight* for the command's subject (and its caller) until they have settled;
- before it forwards a later call on that subject, the gateway asks each service to `settle` them: a service answers
  once it has handled every one it consumes, with the events that handling committed in turn, and the gateway
  follows those too, until nothing is left travelling. Only when that cannot happen in time (the bus or a worker
  is down) is the call answered 503 with `Retry-After`, and nothing has been forwarded.

Waiting costs nothing when the events have long arrived, which is nearly always: one indexed read of the inbox.
"""

from __future__ import annotations

import contextvars
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Mapping, Sequence

from flask import Flask, Response, g, request

from shared.http import ServiceUnavailable
from shared.store import EventRef, Store, collecting_events
from shared.web import Problem

EVENTS_HEADER = "Llais-Events"
SETTLE_PATH = "/internal/settle"
MAX_EVENTS = 500
"""Events one settle call may name: far more than any caller's back-to-back calls leave travelling."""
RETRY_AFTER_SECONDS = 2
MAX_ROUNDS = 8
"""Steps of consequence followed (an event, what handling it caused, what that caused...): the journey's longest
chain has three."""


class Unsettled(Exception):
    """Some events did not arrive in time: the bus or a service's worker is not moving them."""


# the header


def header_value(events: Sequence[EventRef]) -> str:
    return ", ".join(f"{event_type} {event_id}" for event_id, event_type in events)


def parse_header(value: str | None) -> list[EventRef]:
    """The events an internal answer names; anything that is not `type id` pairs is ignored."""
    events = []
    for part in (value or "").split(","):
        words = part.split()
        if len(words) == 2:
            events.append((words[1], words[0]))
    return events


# the service's side


def install(app: Flask, store: Store, consumes: Iterable[str]) -> None:
    """Name each command's events in its answer, and answer `POST /internal/settle` for the events this service
    consumes (`consumes`, its queue's bindings)."""
    consumed = frozenset(consumes)

    @app.before_request
    def _collect() -> None:
        g.llais_collecting = collecting_events()
        g.llais_committed = g.llais_collecting.__enter__()

    @app.after_request
    def _name_events(response: Response) -> Response:
        committed = g.get("llais_committed")
        if committed and committed.events and response.status_code < 400:
            response.headers[EVENTS_HEADER] = header_value(committed.events)
        return response

    @app.teardown_request
    def _stop_collecting(_exc: BaseException | None) -> None:
        collecting = g.pop("llais_collecting", None)
        if collecting is not None:
            collecting.__exit__(None, None, None)

    @app.post(SETTLE_PATH)
    def settle():
        events, wait = _settle_request(request.get_json(silent=True))
        mine = [event_id for event_id, event_type in events if event_type in consumed]
        caused = wait_for(store, mine, wait)
        if caused is None:
            raise Problem(503, "Some of these events have not been handled here yet.",
                          headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        return {"consumes": sorted(consumed), "caused": [list(ref) for ref in caused]}


def _settle_request(body: Any) -> tuple[list[EventRef], float]:
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise Problem(422, "Send {\"events\": [[id, type], ...], \"wait\": seconds}.",
                      errors={"events": ["A list of [id, type] pairs is required."]})
    events = body["events"]
    if len(events) > MAX_EVENTS:
        raise Problem(422, f"Name at most {MAX_EVENTS} events.", errors={"events": ["Too many."]})
    if not all(isinstance(e, list) and len(e) == 2 and all(isinstance(part, str) and 0 < len(part) <= 100
                                                           for part in e) for e in events):
        raise Problem(422, "Each event is an [id, type] pair of short strings.",
                      errors={"events": ["Each event is an [id, type] pair of short strings."]})
    wait = body.get("wait", 0)
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 0 <= wait <= 30:
        raise Problem(422, "wait is a number of seconds from 0 to 30.", errors={"wait": ["From 0 to 30 seconds."]})
    return [(e[0], e[1]) for e in events], float(wait)


def wait_for(store: Store, event_ids: Sequence[str], seconds: float) -> list[EventRef] | None:
    """The events that handling `event_ids` committed, once every one is handled; None if that takes longer than
    `seconds`. Woken by this process's commits (a worker sharing the store); otherwise it looks every few ms."""
    deadline = time.monotonic() + seconds
    waiting = list(dict.fromkeys(event_ids))
    caused: list[EventRef] = []
    pause = 0.001
    while True:
        seen = store.changes.generation
        found = store.consequences(waiting) if waiting else {}
        for event_id in waiting:
            caused.extend(found.get(event_id, ()))
        waiting = [event_id for event_id in waiting if event_id not in found]
        remaining = deadline - time.monotonic()
        if not waiting:
            return caused
        if remaining <= 0:
            return None
        store.changes.wait(seen, min(pause, remaining))
        pause = min(pause * 2, 0.02)


# the gateway's side


_calls = ThreadPoolExecutor(max_workers=8, thread_name_prefix="llais-settle")


LEARN_AGAIN_SECONDS = 60.0
"""How long the gateway trusts what it learnt of which events each service consumes (a new release may bind more)."""


class Settler:
    """Follows events from service to service until all have arrived, asking the services in parallel. It learns
    from their answers which events each consumes, so after the first call it asks only those that do."""

    def __init__(self, clients: Mapping[str, Any], seconds: float):
        self.clients = dict(clients)
        self.seconds = seconds
        self._consumes: dict[str, frozenset[str]] = {}
        self._learnt_at = time.monotonic()

    def settle(self, events: Sequence[EventRef]) -> None:
        """Return once `events` and everything they caused have been handled; Unsettled if not within the bound."""
        if time.monotonic() - self._learnt_at > LEARN_AGAIN_SECONDS:
            self._consumes, self._learnt_at = {}, time.monotonic()
        deadline = time.monotonic() + self.seconds
        pending, seen = list(dict.fromkeys(events)), set(events)
        for _ in range(MAX_ROUNDS):
            if not pending:
                return
            asks = {name: [e for e in pending if name not in self._consumes or e[1] in self._consumes[name]]
                    for name in self.clients}
            calls = {name: _calls.submit(contextvars.copy_context().run, self._ask, name, mine, deadline)
                     for name, mine in asks.items() if mine}
            caused: list[EventRef] = []
            for call in calls.values():
                caused.extend(call.result())
            pending = [e for e in dict.fromkeys(caused) if e not in seen]
            seen.update(pending)
        if pending:
            raise Unsettled(f"{len(pending)} events still causing more after {MAX_ROUNDS} steps")

    def _ask(self, name: str, events: list[EventRef], deadline: float) -> list[EventRef]:
        caused: list[EventRef] = []
        for start in range(0, len(events), MAX_EVENTS):
            wait = max(0.0, deadline - time.monotonic())
            try:
                answer = self.clients[name].request("POST", SETTLE_PATH, json={
                    "events": [list(e) for e in events[start:start + MAX_EVENTS]], "wait": round(wait, 3)})
            except ServiceUnavailable:
                raise Unsettled(f"the {name} service did not answer") from None
            if answer.status_code != 200:
                raise Unsettled(f"the {name} service has not handled them yet ({answer.status_code})")
            body = answer.json()
            self._consumes[name] = frozenset(body["consumes"])
            caused.extend((ref[0], ref[1]) for ref in body["caused"])
        return caused
