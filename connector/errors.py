"""Errors a user can act on. Each carries a message key (see ``data/messages.toml``) and an exit code.

The CLI prints ``str(error)`` in the chosen language and exits with ``exit_code``: never a traceback.
Fields must not contain personal data: these messages may reach service logs.
"""

from __future__ import annotations

from connector.i18n import t

EXIT_OK = 0
EXIT_FINDINGS = 1  # validation found error-level findings
EXIT_USAGE = 2  # usage, configuration or input error


class HocbaError(Exception):
    exit_code = EXIT_USAGE

    def __init__(self, key: str, /, **fields: object):
        self.key, self.fields = key, fields
        super().__init__(key)

    def message(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.fields)

    def __str__(self) -> str:
        return self.message()


class ConfigError(HocbaError):
    """Configuration is missing, malformed or refers to something that does not exist."""


class InputError(HocbaError):
    """Input cannot be read at all (missing file, unknown format). Row-level problems are not errors:
    sources report them as :class:`connector.extract.Problem` and go on with the good rows."""


class SourceError(HocbaError):
    """The source system cannot be reached or used (wrong host, credentials, privileges, schema)."""


class PluginError(HocbaError):
    """A plugin is missing, broken or registers something invalid."""
