"""Entry point ``csv = "hocba_csv.plugin"``: registers the csv source through hocba's hook."""

from connector.hookspecs import hookimpl

from hocba_csv.source import CsvSource


@hookimpl
def register_sources(register):
    register(CsvSource)
