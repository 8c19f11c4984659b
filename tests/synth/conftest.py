"""Schools shared by the synth tests (small: a few hundred students, generated once per session)."""

from __future__ import annotations

import pytest

from connector.synth import generate


def school(seed, level, students, error_share=0.0, **options):
    """[(record, injected error or None)] of a generated school."""
    return list(generate(seed, level=level, students=students, error_share=error_share, **options))


@pytest.fixture(scope="session")
def injected_schools():
    """The schools the brief names: 400 students, error share 0.25, one primary and one secondary."""
    return {level: school(11, level, 400, 0.25) for level in ("primary", "secondary")}


@pytest.fixture(scope="session")
def large_schools():
    """Clean schools big enough for class sizes and the rarer cases (re-tests, transfers …)."""
    return {level: [r for r, _ in school(5, level, 700)] for level in ("primary", "thcs", "thpt")}
