"""Deliver stage: sinks. Now the JSON Lines sink; the durable outbox, file package, CSDL ngành
Excel and HTTP sinks come with the delivery work."""

from connector.deliver.sink import Sink

__all__ = ["Sink"]
