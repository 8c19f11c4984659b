"""Rows staged in a temporary SQLite file, so files in any order can be joined student-year by
student-year with bounded memory (11-performance.md §3.7).

The file lives in a private temporary folder (mode 0700) and is deleted on :meth:`Staging.close`.
Tables: ``hs`` (students), ``lop`` (classes), ``kq`` (year rows), ``detail`` (assessment rows of the
three detail tables), ``bad`` / ``bad_student`` (student-years and students whose rows had errors:
they are not emitted). Values are JSON (scores as decimal strings).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BATCH = 5000

SCHEMA = """
CREATE TABLE files (id INTEGER PRIMARY KEY, label TEXT, name TEXT, sha256 TEXT);
CREATE TABLE hs (sk TEXT, file INT, rownum INT, data TEXT);
CREATE TABLE lop (mt TEXT, nh TEXT, lop TEXT, file INT, rownum INT, data TEXT);
CREATE TABLE kq (mt TEXT, nh TEXT, sk TEXT, part INT, file INT, rownum INT, data TEXT);
CREATE TABLE detail (tbl TEXT, mt TEXT, nh TEXT, sk TEXT, item TEXT, sub TEXT, file INT, rownum INT, data TEXT);
CREATE TABLE bad (mt TEXT, nh TEXT, sk TEXT);
CREATE TABLE bad_student (sk TEXT);
"""
INDEXES = """
CREATE INDEX hs_key ON hs (sk);
CREATE INDEX lop_key ON lop (mt, nh, lop);
CREATE INDEX kq_key ON kq (mt, nh, sk, part);
CREATE INDEX detail_key ON detail (mt, nh, sk, tbl, item, sub);
CREATE INDEX bad_key ON bad (mt, nh, sk);
CREATE INDEX bad_student_key ON bad_student (sk);
"""

INSERTS = {
    "hs": "INSERT INTO hs VALUES (?, ?, ?, ?)",
    "lop": "INSERT INTO lop VALUES (?, ?, ?, ?, ?, ?)",
    "kq": "INSERT INTO kq VALUES (?, ?, ?, ?, ?, ?, ?)",
    "detail": "INSERT INTO detail VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "bad": "INSERT INTO bad VALUES (?, ?, ?)",
    "bad_student": "INSERT INTO bad_student VALUES (?)",
}

# Which columns make a row's identity, for duplicate checks: (table, key columns, what the key means).
DUPLICATE_KEYS = {
    "hs": ("sk",),
    "lop": ("mt", "nh", "lop"),
    "kq": ("mt", "nh", "sk", "part"),
    "detail": ("mt", "nh", "sk", "tbl", "item", "sub"),  # the index order: grouping reads the index
}


@dataclass(frozen=True)
class Staged:
    file: int
    rownum: int
    data: dict[str, Any]


@dataclass(frozen=True)
class Duplicate:
    table: str
    key: tuple
    file: int
    rownum: int
    first_file: int
    first_rownum: int
    identical: bool


class Staging:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hocba-csv-"))
        self.db = sqlite3.connect(self.dir / "staging.sqlite3")
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-4000;"
                              "PRAGMA temp_store=FILE;" + SCHEMA)
        self._pending: dict[str, list[tuple]] = {name: [] for name in INSERTS}
        self.files: dict[int, tuple[str, str, str | None]] = {}

    # --- writing ---------------------------------------------------------------------------------

    def add_file(self, label: str, name: str, sha256: str | None) -> int:
        file_id = len(self.files) + 1
        self.files[file_id] = (label, name, sha256)
        self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?)", (file_id, label, name, sha256))
        return file_id

    def _add(self, table: str, row: tuple) -> None:
        pending = self._pending[table]
        pending.append(row)
        if len(pending) >= BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        if self._pending[table]:
            self.db.executemany(INSERTS[table], self._pending[table])
            self._pending[table] = []

    def flush(self) -> None:
        for table in INSERTS:
            self._flush(table)

    @staticmethod
    def _json(data: dict) -> str:
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def add_student(self, sk: str, file: int, rownum: int, data: dict) -> None:
        self._add("hs", (sk, file, rownum, self._json(data)))

    def add_class(self, mt: str, nh: str, lop: str, file: int, rownum: int, data: dict) -> None:
        self._add("lop", (mt, nh, lop, file, rownum, self._json(data)))

    def add_year(self, mt: str, nh: str, sk: str, part: int, file: int, rownum: int, data: dict) -> None:
        self._add("kq", (mt, nh, sk, part, file, rownum, self._json(data)))

    def add_detail(self, tbl: str, key: tuple[str, str, str], item: str, sub: str, file: int, rownum: int,
                   data: dict) -> None:
        self._add("detail", (tbl, *key, item, sub, file, rownum, self._json(data)))

    def mark_bad(self, key: tuple[str, str, str]) -> None:
        self._add("bad", key)

    def mark_bad_student(self, sk: str) -> None:
        self._add("bad_student", (sk,))

    def finish(self) -> None:
        """All rows are in: build the indexes the queries below need."""
        self.flush()
        self.db.executescript(INDEXES)

    # --- checks over everything staged -----------------------------------------------------------

    def duplicates(self) -> Iterator[Duplicate]:
        """Rows that repeat a key: identical ones are noted, differing ones make the key unusable."""
        for table, key in DUPLICATE_KEYS.items():
            cols = ", ".join(key)
            groups = self.db.execute(
                f"SELECT {cols}, COUNT(DISTINCT data) FROM {table} GROUP BY {cols} HAVING COUNT(*) > 1")
            for *values, distinct in groups.fetchall():
                where = " AND ".join(f"{c} = ?" for c in key)
                rows = self.db.execute(f"SELECT file, rownum FROM {table} WHERE {where} ORDER BY rowid",
                                       values).fetchall()
                first = rows[0]
                for file, rownum in rows[1:]:
                    yield Duplicate(table, tuple(values), file, rownum, first[0], first[1], distinct == 1)

    def orphans(self) -> Iterator[tuple[str, tuple, int, int]]:
        """Detail rows whose student-year has no ket_qua_nam row: (detail table, key, file, first row)."""
        rows = self.db.execute(
            "SELECT d.tbl, d.mt, d.nh, d.sk, MIN(d.file), MIN(d.rownum) FROM detail d "
            "WHERE NOT EXISTS (SELECT 1 FROM kq k WHERE k.mt = d.mt AND k.nh = d.nh AND k.sk = d.sk) "
            "GROUP BY d.tbl, d.mt, d.nh, d.sk ORDER BY d.tbl, d.mt, d.nh, d.sk")
        for tbl, mt, nh, sk, file, rownum in rows:
            yield tbl, (mt, nh, sk), file, rownum

    # --- reading, student-year by student-year ---------------------------------------------------

    def year_keys(self, school: str | None = None) -> Iterator[tuple[str, str, str]]:
        sql = ("SELECT DISTINCT k.mt, k.nh, k.sk FROM kq k WHERE "
               "NOT EXISTS (SELECT 1 FROM bad b WHERE b.mt = k.mt AND b.nh = k.nh AND b.sk = k.sk) AND "
               "NOT EXISTS (SELECT 1 FROM bad_student s WHERE s.sk = k.sk)")
        params: tuple = ()
        if school is not None:
            sql += " AND k.mt = ?"
            params = (school,)
        yield from self.db.execute(sql + " ORDER BY k.mt, k.nh, k.sk", params)

    def _staged(self, sql: str, params: tuple) -> list[Staged]:
        return [Staged(f, r, json.loads(d)) for f, r, d in self.db.execute(sql, params)]

    def years(self, key: tuple[str, str, str]) -> list[Staged]:
        """The year rows of a student-year, later parts (a bundle row after template rows) last."""
        return self._staged("SELECT file, rownum, data FROM kq WHERE mt = ? AND nh = ? AND sk = ? "
                            "ORDER BY part, rowid", key)

    def student(self, sk: str) -> Staged | None:
        rows = self._staged("SELECT file, rownum, data FROM hs WHERE sk = ? ORDER BY rowid LIMIT 1", (sk,))
        return rows[0] if rows else None

    def school_class(self, mt: str, nh: str, lop: str) -> Staged | None:
        rows = self._staged("SELECT file, rownum, data FROM lop WHERE mt = ? AND nh = ? AND lop = ? "
                            "ORDER BY rowid LIMIT 1", (mt, nh, lop))
        return rows[0] if rows else None

    def details(self, key: tuple[str, str, str]) -> dict[str, list[tuple[str, str, Staged]]]:
        """Detail rows of a student-year by detail table, in file order: (item, sub, row)."""
        out: dict[str, list] = {}
        rows = self.db.execute("SELECT tbl, item, sub, file, rownum, data FROM detail "
                               "WHERE mt = ? AND nh = ? AND sk = ? ORDER BY rowid", key)
        for tbl, item, sub, file, rownum, data in rows:
            out.setdefault(tbl, []).append((item, sub, Staged(file, rownum, json.loads(data))))
        return out

    def school_names(self) -> dict[str, str]:
        """Tên trường of each school, from the class list (for discover)."""
        names: dict[str, str] = {}
        for mt, data in self.db.execute("SELECT mt, data FROM lop ORDER BY rowid"):
            name = json.loads(data).get("ten_truong")
            if name:
                names.setdefault(mt, name)
        return names

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
