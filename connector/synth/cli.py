"""``hocba generate``: registered through the same register_commands hook as a plugin's command."""

from connector.hookspecs import hookimpl


@hookimpl
def register_commands(cli):
    pass
