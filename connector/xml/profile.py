"""The contract of a serialisation profile (registered through ``register_profiles``)."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from connector.errors import HocbaError
from connector.model import StudentYear


def document_id(record: StudentYear) -> str:
    """Opaque, stable id of a record's document: 24 hex digits of SHA-256 over the record key.

    Used for Ids inside documents and for file names, so that no name, birth date or code appears where
    logs or directory listings could show it."""
    return hashlib.sha256(f"hocba:{record.key}".encode("utf-8")).hexdigest()[:24]


class ProfileError(HocbaError):
    """A record the profile cannot represent (a legacy year, text with control characters …).

    Its fields name the field, never the value: the message may reach logs."""


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
        """The unsigned document (UTF-8, NFC), with empty signature slots for the roles to come.

        Raises :class:`ProfileError` for a record the profile cannot represent."""
        raise NotImplementedError

    def validate(self, document: bytes) -> list[str]:
        """XSD problems of ``document`` (empty when valid). Fast: used on every document."""
        raise NotImplementedError

    def explain(self, document: bytes) -> list[str]:
        """The same problems worded for people (element path, line, reason). May be slow: reports only."""
        return self.validate(document)
