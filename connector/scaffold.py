"""``hocba new-plugin NAME``: a vendor's plugin skeleton from the template in data/new_plugin/."""

from connector.hookspecs import hookimpl


@hookimpl
def register_commands(cli):
    pass
