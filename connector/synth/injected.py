"""The list of deliberately injected errors, written beside a synthetic school (``injected_errors.jsonl``).

The recall test matches each entry to the validator's findings on (rule_id, student_key, nam_hoc), and
on subject too when the entry names one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class InjectedError:
    rule_id: str
    check: str
    student_key: str
    nam_hoc: str
    subject: str | None = None

    @property
    def key(self) -> str:
        """"RULE-ID.check", as in CHECKS.md and the injector table."""
        return f"{self.rule_id}.{self.check}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> "InjectedError":
        return cls(**json.loads(line))


class InjectedErrorWriter:
    """Writes one JSON line per injected error; usable as the ``on_error`` callback of generate_school."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.count = 0
        self._file: IO[str] = self.path.open("w", encoding="utf-8", newline="\n")

    def __call__(self, error: InjectedError) -> None:
        self._file.write(error.to_json() + "\n")
        self.count += 1

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "InjectedErrorWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_injected_errors(path: str | Path) -> Iterator[InjectedError]:
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield InjectedError.from_json(line)
