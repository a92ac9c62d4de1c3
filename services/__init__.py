"""The Llais services. Each folder is one independently deployable service; they never import each other.

Every service module has the same surface in its `app.py`: `NAME`, `create_app(settings=None, *, store=None)` for
its API role and, where it consumes events or relays an outbox, `create_worker(settings=None, *, store=None)`.
"""

from shared.config import INTERNAL_SERVICES, SERVICES

__all__ = ["INTERNAL_SERVICES", "SERVICES"]
