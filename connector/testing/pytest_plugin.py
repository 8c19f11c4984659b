"""pytest plugin (entry point ``pytest11: hocba``): loaded in every pytest run where hocba is installed.

It stays small and passive (no autouse fixtures): a header line naming the hocba version the kit
comes from, and the ``hocba_registry`` fixture. The test classes live in :mod:`connector.testing`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


def pytest_report_header(config) -> str:
    from connector import __version__

    return f"hocba conformance kit: hocba {__version__}"


@pytest.fixture
def hocba_registry(monkeypatch) -> Callable:
    """Factory: ``hocba_registry("myvendor")`` loads a fresh plugin registry with hocba's built-ins and
    only the named installed plugins (as ``HOCBA_LOAD_PLUGINS=myvendor`` would); no names = built-ins only.
    """
    from connector.plugins import load_registry

    def load(*names: str):
        monkeypatch.setenv("HOCBA_LOAD_PLUGINS", ",".join(names))
        return load_registry()

    return load
