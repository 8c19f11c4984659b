"""Extract stage: the source contract and the runner that turns source output into envelopes."""

from connector.extract.runner import Run, Stats
from connector.extract.source import (
    CheckResult, ClassInfo, Message, Problem, Record, Removal, SchoolInfo, SchoolYearInfo, Source, SourceState,
)

__all__ = [
    "CheckResult", "ClassInfo", "Message", "Problem", "Record", "Removal", "Run", "SchoolInfo", "SchoolYearInfo",
    "Source", "SourceState", "Stats",
]
