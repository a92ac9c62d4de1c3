"""The events the casework service consumes."""

HANDLERS: dict = {}
