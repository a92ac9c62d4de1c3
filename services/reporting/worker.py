"""The events the reporting service consumes: every fact the National Reporting Template counts."""

from services.reporting import domain, handlers

HANDLERS = {event_type: handlers.record for event_type in domain.KEPT}
