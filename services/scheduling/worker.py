"""The events the scheduling service consumes."""

HANDLERS: dict = {}
