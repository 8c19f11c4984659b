"""``hocba validate --json``: one JSON document, streamed (findings are not held in memory)."""

from __future__ import annotations

import json
from typing import IO


def write_json(outcome, out: IO[str], lang: str = "vi") -> None:
    out.write('{"summary": ')
    out.write(json.dumps(outcome.summary(), ensure_ascii=False))
    out.write(', "input_problems": [')
    for i, p in enumerate(outcome.input_problems()):
        out.write((", " if i else "") + json.dumps(p, ensure_ascii=False))
    out.write('], "findings": [')
    for i, f in enumerate(outcome.findings()):
        out.write((",\n " if i else "\n ") + json.dumps(f, ensure_ascii=False))
    out.write("\n]}\n")
