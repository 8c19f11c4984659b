"""The source settings (``config_schema``), checked once and turned into typed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.errors import ConfigError

from hocba_csv.encoding import resolve_name
from hocba_csv.spec import header_key, vocab
from hocba_csv.values import BadValue, parse_grade, parse_school_year

CONFIG_SCHEMA: dict = {
    "type": "object",
    "required": ["path"],
    "additionalProperties": False,
    "properties": {
        "path": {"type": "string", "description": "Folder of CSV files, an .xlsx workbook, or a CSDL ngành template (.xlsx/.xls)"},
        "encoding": {"type": "string", "description": "Text encoding of the CSV files (default: detected). utf-8, utf-16, cp1258, tcvn3"},
        "delimiter": {"type": "string", "description": "CSV delimiter (default: detected): , ; tab |"},
        "school": {"type": ["string", "integer"], "description": "Mã trường for files without that column (the CSDL template)"},
        "nam_hoc": {"type": ["string", "integer"], "description": "Năm học for files without that column: 2025-2026 or 2025"},
        "ma_so_gd": {"type": ["string", "integer"], "description": "Mã Sở GDĐT for rows that do not name one"},
        "khoi": {"type": ["integer", "string"], "description": "Khối (1-12) for rows that do not name one"},
        "period": {"type": "string", "description": "CSDL template assessment point: GHKI, CHKI, GHKII or CN (default: from the file name)"},
        "include_personal_id": {"type": ["boolean", "string"], "default": False,
                                "description": "Read the personal ID (CCCD) column; off by default (data minimisation)"},
    },
}

DELIMITER_WORDS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def _bad(key: str, expected: str) -> ConfigError:
    return ConfigError("csv_config_bad_value", key=key, expected=expected)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = vocab()["bool"].get(header_key(str(value)))
    if word is None:
        raise _bad("include_personal_id", "true/false")
    return word == "true"


@dataclass(frozen=True)
class Settings:
    path: Path
    encoding: str | None = None
    delimiter: str | None = None
    school: str | None = None
    nam_hoc: str | None = None
    ma_so_gd: str | None = None
    khoi: int | None = None
    period: str | None = None
    include_personal_id: bool = False
    defaults: dict = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Settings":
        encoding = config.get("encoding") or None
        if encoding:
            try:
                resolve_name(encoding)
            except LookupError:
                raise ConfigError("csv_config_encoding", encoding=encoding) from None
        delimiter = config.get("delimiter") or None
        if delimiter:
            delimiter = DELIMITER_WORDS.get(delimiter.lower(), delimiter)
            if len(delimiter) != 1:
                raise _bad("delimiter", ", ; tab |")
        try:
            nam_hoc = parse_school_year(str(config["nam_hoc"])) if config.get("nam_hoc") else None
        except BadValue:
            raise _bad("nam_hoc", "2025-2026") from None
        try:
            khoi = parse_grade(str(config["khoi"])) if config.get("khoi") not in (None, "") else None
        except BadValue:
            raise _bad("khoi", "1-12") from None
        period = config.get("period") or None
        if period:
            period = vocab()["period"].get(header_key(period))
            if period is None:
                raise _bad("period", "GHKI, CHKI, GHKII, CN")
        # codes may arrive as numbers (`school = 79000001` in TOML, --set school=79000001)
        school = str(config.get("school") or "").strip() or None
        ma_so_gd = str(config.get("ma_so_gd") or "").strip() or None
        return cls(
            path=Path(config["path"]).expanduser(),
            encoding=encoding, delimiter=delimiter, school=school, nam_hoc=nam_hoc, ma_so_gd=ma_so_gd,
            khoi=khoi, period=period, include_personal_id=_truthy(config.get("include_personal_id", False)),
            defaults={"school": school, "nam_hoc": nam_hoc},
        )
