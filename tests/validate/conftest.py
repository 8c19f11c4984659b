from __future__ import annotations

import pytest

from connector.validate import Validator
from connector.validate.packs import identity, tt22, tt27

PACKS = [identity.PACK, tt27.PACK, tt22.PACK]


def make_validator(**settings) -> Validator:
    return Validator(PACKS, settings)


@pytest.fixture(scope="session")
def validator() -> Validator:
    return make_validator()


@pytest.fixture(scope="session")
def fired(validator):
    """``fired(record)`` → the set of "RULE-ID.check" the record triggers."""

    def run(record, v: Validator | None = None) -> set[str]:
        return {f"{f.rule_id}.{f.check}" for f in (v or validator).validate(record)}

    return run
