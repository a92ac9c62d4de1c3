"""What every Llais service shares: contracts, bus, store, telemetry, configuration and web helpers.

Nothing here knows about any one service, and nothing here imports a service.
"""
