"""The contract of a signer backend (registered through ``register_signers``).

Every backend hands out a pyHanko ``Signer`` (``pyhanko.sign.signers.Signer``), so the XMLDSig, CMS and
PAdES code never cares whether the key is in a file, on a USB token or behind a remote-signing service.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SignerBackend:
    """One backend kind. hocba constructs it with its (validated) configuration, calls :meth:`open` once
    per batch (one PIN entry or one remote authorisation for a whole class), signs through the returned
    pyHanko signer, then calls :meth:`close`."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    config_schema: ClassVar[dict] = {"type": "object"}
    notes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: dict[str, Any]):
        self.config = config

    def open(self) -> Any:
        """Return a ``pyhanko.sign.signers.Signer`` ready to sign (certificate and chain attached)."""
        raise NotImplementedError

    def close(self) -> None:
        pass
