"""The events the complaints service consumes."""

HANDLERS: dict = {}
