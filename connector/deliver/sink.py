"""The contract for sinks: where envelopes (later: signed documents) go."""

from __future__ import annotations

from connector.component import Component
from connector.model import Envelope, RemovalNotice


class Sink(Component):
    """Base class for sinks registered through ``register_sinks``.

    hocba calls :meth:`open`, then :meth:`write` for each envelope and :meth:`remove` for each removal
    notice (in the order the source reported them), then :meth:`close` with ``ok=True`` when everything was
    written (the sink makes it durable) or ``ok=False`` after a failure (the sink discards partial output).
    State advances only after ``close(ok=True)``.
    """

    def open(self) -> None:
        pass

    def write(self, envelope: Envelope) -> None:
        raise NotImplementedError

    def remove(self, notice: RemovalNotice) -> None:
        """The source removed a student-year (deleted, or the student left: ``notice.reason``). A sink that
        cannot carry removals must refuse them rather than drop them silently."""
        raise NotImplementedError

    def close(self, ok: bool) -> None:
        pass
