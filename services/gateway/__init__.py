"""The gateway: the only public entry point. It authenticates council systems and staff, validates the shape of each
request and forwards it to the service that owns it. It holds no domain rules and no child data: its store keeps
users, API clients, tokens, idempotency records and the audit log."""
