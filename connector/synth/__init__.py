"""Seeded generator of synthetic Vietnamese schools (no real student data anywhere).

>>> from connector.synth import generate_school, InjectedErrorWriter
>>> with InjectedErrorWriter("injected_errors.jsonl") as errors:             # doctest: +SKIP
...     for record in generate_school(7, level="thcs", students=300, error_share=0.1, on_error=errors):
...         ...
"""

from connector.synth.inject import INJECTORS
from connector.synth.injected import InjectedError, InjectedErrorWriter, read_injected_errors
from connector.synth.school import LEVELS, generate, generate_school

__all__ = ["INJECTORS", "LEVELS", "InjectedError", "InjectedErrorWriter", "generate", "generate_school",
           "read_injected_errors"]
