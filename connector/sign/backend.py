"""The contract of a signer backend (registered through ``register_signers``).

Every backend hands out a pyHanko ``Signer`` (``pyhanko.sign.signers.Signer``), so the XMLDSig, CMS and
PAdES code never cares whether the key is in a file, on a USB token or behind a remote-signing service.
"""

from __future__ import annotations

from typing import Any

from connector.component import Component
from connector.errors import HocbaError


class SignerError(HocbaError):
    """A signer backend failed in a way the signer can act on (wrong PIN, token unplugged, request
    rejected on the phone …): a message key with vi/en text, exit code 2. Fields never carry PINs, access
    tokens or personal data. (Not a pyHanko ``SigningError``: importing pyHanko here would add about a
    second to every ``hocba`` command, since backends register at start-up.)"""


class SignerBackend(Component):
    """One backend kind. hocba constructs it with its (validated) configuration, calls :meth:`open` once
    per batch (one PIN entry or one remote authorisation for a whole class), signs through the returned
    pyHanko signer, then calls :meth:`close`."""

    def workers(self) -> int:
        """How many processes may sign one batch in parallel with the signer :meth:`open` returned. Only a
        signer that works in processes forked after it was opened (a key held in memory) may answer more
        than 1; a token session or a remote-signing client must stay in one process."""
        return 1

    def open(self) -> Any:
        """Return a ``pyhanko.sign.signers.Signer`` ready to sign (certificate and chain attached)."""
        raise NotImplementedError

    def close(self) -> None:
        pass
