"""Validate everything a source yields, streaming: findings are spooled to a temporary file so
memory stays flat however many students and findings there are."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from connector.extract import Problem, Run
from connector.model import Envelope
from connector.validate.engine import Validator


@dataclass
class Outcome:
    records: int = 0
    errors: int = 0
    warnings: int = 0
    needs_review: int = 0
    problems: int = 0
    problem_errors: int = 0
    by_rule: Counter = field(default_factory=Counter)
    _findings: IO[str] | None = None
    _problems: IO[str] | None = None

    def findings(self) -> Iterator[dict[str, Any]]:
        """Findings as dicts (``Finding.as_dict``), in the order they were found."""
        self._findings.seek(0)
        for line in self._findings:
            yield json.loads(line)

    def input_problems(self) -> Iterator[dict[str, Any]]:
        self._problems.seek(0)
        for line in self._problems:
            yield json.loads(line)

    def summary(self) -> dict[str, Any]:
        return {
            "records": self.records, "errors": self.errors, "warnings": self.warnings,
            "needs_review": self.needs_review, "input_problems": self.problems,
            "by_rule": dict(sorted(self.by_rule.items())),
        }

    def close(self) -> None:
        for f in (self._findings, self._problems):
            if f:
                f.close()


def problem_dict(p: Problem, lang: str) -> dict[str, Any]:
    return {"key": p.key, "severity": p.severity, "file": p.file, "row": p.row, "column": p.column,
            "value": p.value, "message": p.message(lang)}


def validate_run(run: Run, validator: Validator, lang: str = "vi",
                 progress: Callable[[int], None] | None = None) -> Outcome:
    out = Outcome(
        _findings=tempfile.TemporaryFile("w+", encoding="utf-8"),
        _problems=tempfile.TemporaryFile("w+", encoding="utf-8"),
    )
    for message in run:
        if isinstance(message, Envelope):
            out.records += 1
            for f in validator.validate(message.payload):
                out.by_rule[f.rule_id] += 1
                if f.severity == "error":
                    out.errors += 1
                else:
                    out.warnings += 1
                    out.needs_review += f.needs_review
                out._findings.write(json.dumps(f.as_dict(lang), ensure_ascii=False) + "\n")
            if progress:
                progress(out.records)
        elif isinstance(message, Problem):
            out.problems += 1
            out.problem_errors += message.severity == "error"
            out._problems.write(json.dumps(problem_dict(message, lang), ensure_ascii=False) + "\n")
    return out
