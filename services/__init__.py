"""The Llais services. Each folder is one independently deployable service; they never import each other.

Every service module has the same surface in its `app.py`: `NAME`, `create_app(settings=None, *, store=None)` for
its API role and, where it consumes events or relays an outbox, `create_worker(settings=None, *, store=None)`.
"""

SERVICES = ("gateway", "referral", "scheduling", "casework", "complaints", "notify")
"""Every service, the gateway first."""

WORKER_SERVICES = ("referral", "scheduling", "casework", "complaints", "notify")
"""The services with a worker role (the gateway has an API role only)."""
