"""The contract for sinks: where envelopes (later: signed documents) go."""

from __future__ import annotations

from typing import Any, ClassVar

from connector.model import Envelope


class Sink:
    """Base class for sinks registered through ``register_sinks``.

    hocba calls :meth:`open`, then :meth:`write` for each envelope, then :meth:`close` with
    ``ok=True`` when everything was written (the sink makes it durable) or ``ok=False`` after a
    failure (the sink discards partial output). State advances only after ``close(ok=True)``.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    config_schema: ClassVar[dict] = {"type": "object"}
    notes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: dict[str, Any]):
        self.config = config

    def open(self) -> None:
        pass

    def write(self, envelope: Envelope) -> None:
        raise NotImplementedError

    def close(self, ok: bool) -> None:
        pass
