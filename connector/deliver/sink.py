"""The contract for sinks: where envelopes (later: signed documents) go."""

from __future__ import annotations

from connector.component import Component
from connector.model import Envelope


class Sink(Component):
    """Base class for sinks registered through ``register_sinks``.

    hocba calls :meth:`open`, then :meth:`write` for each envelope, then :meth:`close` with
    ``ok=True`` when everything was written (the sink makes it durable) or ``ok=False`` after a
    failure (the sink discards partial output). State advances only after ``close(ok=True)``.
    """

    def open(self) -> None:
        pass

    def write(self, envelope: Envelope) -> None:
        raise NotImplementedError

    def close(self, ok: bool) -> None:
        pass
