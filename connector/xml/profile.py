"""The contract of a serialisation profile (registered through ``register_profiles``)."""

from __future__ import annotations

from typing import ClassVar

from connector.model import StudentYear


class Profile:
    """Turns one canonical student-year into the bytes that will be signed.

    ``provisional`` is True for every profile that is not the official QĐ 3016/QĐ-BGDĐT format, and
    every output of such a profile says so. Profiles are data-driven where possible: element names and
    the XSD live under ``schemas/``.
    """

    id: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str] = ""
    provisional: ClassVar[bool] = True
    notes: ClassVar[tuple[str, ...]] = ()

    def serialize(self, record: StudentYear) -> bytes:
        """The unsigned document (UTF-8, NFC), with empty signature slots for the roles to come."""
        raise NotImplementedError

    def validate(self, document: bytes) -> list[str]:
        """XSD problems of ``document`` (empty when valid)."""
        raise NotImplementedError
