"""Built-in ``jsonl`` sink: canonical JSON Lines, one envelope or removal notice per line (``kind``), to a
file or stdout.

A file is written beside its final name and renamed into place only when the run succeeds, so a
failed run never leaves a half-written file that looks complete."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from connector.deliver.sink import Sink
from connector.hookspecs import hookimpl
from connector.model import Envelope, RemovalNotice, canonical_json


class JsonlSink(Sink):
    name = "jsonl"
    description = "Canonical records as JSON Lines (one envelope or removal notice per line)"
    config_schema = {
        "type": "object",
        "properties": {"path": {"type": "string", "description": "Output file, or - for standard output"}},
        "additionalProperties": False,
    }

    def open(self) -> None:
        path = self.config.get("path", "-")
        self._final = None if path == "-" else Path(path)
        if self._final is None:
            self._out: IO[str] = sys.stdout
        elif self._final.exists() and not self._final.is_file():
            # /dev/null, a FIFO …: write straight into it; a rename would replace the device itself.
            self._out = open(self._final, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            self._final = None
        else:
            self._final.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = self._final.with_name(self._final.name + ".partial")
            self._out = open(self._tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115

    def write(self, envelope: Envelope) -> None:
        self._out.write(canonical_json(envelope))
        self._out.write("\n")

    def remove(self, notice: RemovalNotice) -> None:
        self.write(notice)

    def close(self, ok: bool) -> None:
        if self._final is None:
            self._out.flush()
            if self._out is not sys.stdout:
                self._out.close()
            return
        self._out.close()
        if ok:
            os.replace(self._tmp, self._final)
        else:
            self._tmp.unlink(missing_ok=True)


@hookimpl
def register_sinks(register):
    register(JsonlSink)
