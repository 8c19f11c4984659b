"""The signing roles of the provisional profile, in order (data: ``connector/data/signing.toml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from connector.catalogue import load_data
from connector.errors import ConfigError

FROZEN = "FROZEN"


@dataclass(frozen=True)
class Role:
    key: str  # --role value: gvcn, hieu_truong, don_vi
    slot: str  # element of DSCKS: GVCN, HieuTruong, DonVi
    kind: str  # "person" | "organisation"
    required: bool
    awaits: str  # workflow state before this role signs
    becomes: str  # workflow state after
    vi: str
    en: str

    @property
    def signature_id(self) -> str:
        return signature_id(self.slot)

    def label(self, lang: str | None) -> str:
        return self.en if lang == "en" else self.vi


def signature_id(slot: str) -> str:
    return f"SIG-{slot}"


def object_id(slot: str) -> str:
    return f"Object-{slot}"


@cache
def signing_data() -> dict:
    return load_data("signing.toml")


@cache
def roles() -> tuple[Role, ...]:
    return tuple(Role(**r) for r in signing_data()["role"])


def role(key: str) -> Role:
    for r in roles():
        if r.key == key or r.slot == key:
            return r
    raise ConfigError("sign_role_unknown", role=key, available=", ".join(r.key for r in roles()))


def role_of_slot(slot: str) -> Role | None:
    return next((r for r in roles() if r.slot == slot), None)


def slot_label(slot: str, lang: str | None) -> str:
    r = role_of_slot(slot)
    if r:
        return r.label(lang)
    extra = signing_data().get("optional_slots", {}).get(slot)
    return (extra or {}).get("en" if lang == "en" else "vi", slot)


def states() -> tuple[str, ...]:
    """FROZEN, then the state each role leads to, in order (the last one is 'done')."""
    return (FROZEN, *(r.becomes for r in roles()))


def done_state() -> str:
    return roles()[-1].becomes
