"""Notify: everything that leaves Llais for a person or a council system (webhooks now; email next), each message
checked against consent or a recorded duty, signed, retried, and recorded."""
