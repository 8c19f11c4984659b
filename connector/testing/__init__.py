"""Conformance kit for source plugins, usable from any plugin's own pytest suite::

    from connector.testing import SourceConformance

    class TestMySource(SourceConformance):
        source_class = MySource
        ...

:class:`SourceMetadataConformance` holds the checks that need only the class (metadata, configuration
schema, registration); :class:`SourceConformance` adds check/discover/extract against a fixture.
The pytest plugin (:mod:`connector.testing.pytest_plugin`, loaded automatically when hocba is
installed) adds the ``hocba_registry`` fixture. Guide: docs/writing-a-plugin.md.
"""

import pytest

# The kit's assertions are in its own module; have pytest explain them as it does in test files.
pytest.register_assert_rewrite("connector.testing.conformance", "connector.testing.checks")

from connector.testing.conformance import (  # noqa: E402 — after the rewrite registration
    FAR_FUTURE_STATE, SourceConformance, SourceMetadataConformance,
)

__all__ = ["FAR_FUTURE_STATE", "SourceConformance", "SourceMetadataConformance"]
