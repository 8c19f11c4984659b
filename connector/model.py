"""The canonical transcript model: what every source produces and every later stage consumes.

One record is one student's one school year (a page of the paper học bạ, the unit that is signed and
delivered). A học bạ is the sequence of a student's year records within one level.

Design rules (domain brief 02 §7):
- field names follow the ministry's data-service names where one is known (``ma_hoc_sinh``,
  ``gioi_tinh``, ``nam_hoc`` …) so mapping to the official format is a transform, not a redesign;
- codes are stored as codes (``T``, ``Đ``, ``CĐ``, ``HTXS`` …); labels live in ``data/codes.toml``;
  a code outside its list is kept as found so the validator can report it (GEN-2), never dropped;
- scores are :class:`~decimal.Decimal`, serialised as JSON strings so no float ever touches them;
- every string is Unicode NFC (inputs may be NFD);
- provenance lives in the :class:`Envelope`, beside the payload, never inside it.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

SCHEMA_VERSION = "0.1"


def to_nfc(value: Any) -> Any:
    """NFC-normalise strings; leave anything else for pydantic to judge."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(to_nfc)]
# A score keeps its exact decimal text through JSON ("7.25" stays 7.25, never 7.249999…).
Score = Annotated[
    Decimal,
    Field(allow_inf_nan=False),
    PlainSerializer(lambda d: str(d), return_type=str, when_used="json"),
]
SchoolYear = Annotated[str, Field(pattern=r"^\d{4}-\d{4}$")]

#: TT27 assessment points: mid and end of semester I, mid semester II, end of year.
PrimaryPeriod = Literal["GHKI", "CHKI", "GHKII", "CN"]
PRIMARY_PERIODS: tuple[str, ...] = ("GHKI", "CHKI", "GHKII", "CN")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


# --- identity -----------------------------------------------------------------------------------


class Student(Model):
    """Who the học bạ is about. Minimised: no phones, addresses, photos (brief 07 §3.1)."""

    ma_hoc_sinh: Text | None = Field(
        None, description="CSDL ngành student code (mahocsinh); None or a temporary code before assigned"
    )
    ho_ten: Text = Field(description="Full name (hovaten)")
    ngay_sinh: date | None = Field(None, description="Date of birth")
    gioi_tinh: Literal[0, 1, 2] = Field(0, description="QCVN 109:2017: 0 unknown, 1 Nam, 2 Nữ")
    dan_toc: Text | None = None
    quoc_tich: Text | None = None
    so_dinh_danh_ca_nhan: Text | None = Field(None, description="Personal ID (CCCD); opt-in, off by default")
    ho_ten_cha: Text | None = None
    ho_ten_me: Text | None = None
    ho_ten_nguoi_giam_ho: Text | None = None
    doi_tuong_chinh_sach: Text | None = None


# --- primary (TT27/2020) ------------------------------------------------------------------------


class PrimarySubject(Model):
    """One subject or educational activity: level T/H/C per point, KTĐK test score where tested."""

    mon: Text = Field(description="hocba subject key, see data/subjects.toml")
    muc_dat: dict[PrimaryPeriod, Text] = Field(default_factory=dict, description="T/H/C per point")
    diem_ktdk: dict[PrimaryPeriod, Score] = Field(default_factory=dict, description="Periodic test score")
    nhan_xet: Text | None = None


class PrimaryRating(Model):
    """A quality (phẩm chất) or competence (năng lực): T/Đ/C per point, never H."""

    ma: Text = Field(description="hocba key, see data/subjects.toml [qualities]/[competences]")
    muc_dat: dict[PrimaryPeriod, Text] = Field(default_factory=dict)
    nhan_xet: Text | None = None


class PrimaryAssessment(Model):
    framework: Literal["TT27"] = "TT27"
    mon_hoc: list[PrimarySubject] = Field(default_factory=list)
    pham_chat: list[PrimaryRating] = Field(default_factory=list)
    nang_luc: list[PrimaryRating] = Field(default_factory=list)
    ket_qua: Text | None = Field(None, description="Year result as stored: HTXS/HTT/HT/CHT")
    khen_thuong: list[Text] = Field(default_factory=list, description="Reward codes: HSXS, HSTB")
    hoan_thanh_chuong_trinh_tieu_hoc: bool | None = Field(None, description="dahthanhctrinhtieuhoc (grade 5)")


# --- secondary (TT22/2021) ----------------------------------------------------------------------


class Semester(Model):
    """One semester of one subject: raw assessments and what the school system computed.

    Scored subjects fill ``tx``/``gk``/``ck``/``tb``; comment-only subjects fill the ``*_nx`` fields
    with Đ/CĐ. A value in the wrong family is kept where it was found so TT22-1 can report it.
    """

    tx: list[Score] = Field(default_factory=list, description="ĐĐGtx, regular assessment scores")
    gk: Score | None = Field(None, description="ĐĐGgk, mid-term score")
    ck: Score | None = Field(None, description="ĐĐGck, end-of-term score")
    tb: Score | None = Field(None, description="ĐTBmhk as stored by the school system")
    tx_nx: list[Text] = Field(default_factory=list, description="Regular comment results Đ/CĐ")
    gk_nx: Text | None = None
    ck_nx: Text | None = None
    kq_nx: Text | None = Field(None, description="Comment-subject semester result as stored (Đ/CĐ)")


class SecondarySubject(Model):
    mon: Text = Field(description="hocba subject key, see data/subjects.toml")
    so_tiet: int | None = Field(None, ge=0, description="Periods per year, when the source states it")
    hk1: Semester | None = None
    hk2: Semester | None = None
    tb_ca_nam: Score | None = Field(None, description="ĐTBmcn as stored")
    kq_ca_nam: Text | None = Field(None, description="Comment-subject year result as stored (Đ/CĐ)")
    kiem_tra_lai: Score | None = Field(None, description="Re-test score (replaces the year value)")
    kiem_tra_lai_nx: Text | None = Field(None, description="Re-test result of a comment subject (Đ/CĐ)")
    nhan_xet: Text | None = None


class TermResults(Model):
    """T/K/Đ/CĐ per semester and year, plus the value after re-test or summer training."""

    hk1: Text | None = None
    hk2: Text | None = None
    ca_nam: Text | None = None
    sau_he: Text | None = Field(None, description="After re-test (learning) or summer training (conduct)")


class SecondaryAssessment(Model):
    framework: Literal["TT22"] = "TT22"
    mon_hoc: list[SecondarySubject] = Field(default_factory=list)
    hoc_tap: TermResults = Field(default_factory=TermResults, description="Kết quả học tập as stored")
    ren_luyen: TermResults = Field(default_factory=TermResults, description="Kết quả rèn luyện as stored")
    kiem_tra_lai: bool = Field(False, description="Student took the summer re-test")
    ren_luyen_he: bool = Field(False, description="Student had summer conduct training")
    danh_hieu: Text | None = Field(None, description="Title code: HSXS or HSG")


# --- legacy (TT58/TT26), read-only history ------------------------------------------------------


class LegacySubject(Model):
    mon: Text
    diem: dict[Text, list[Score]] = Field(default_factory=dict, description="Keyed M/P/V/HK (or TX/GK/CK)")
    tb_ca_nam: Score | None = None


class LegacyAssessment(Model):
    """Pre-TT22/TT27 years: kept for history, never emitted as a new Học bạ số (FRAME-1)."""

    framework: Literal["LEGACY"] = "LEGACY"
    mon_hoc: list[LegacySubject] = Field(default_factory=list)
    hoc_luc: Text | None = None
    hanh_kiem: Text | None = None
    danh_hieu: Text | None = None


Assessment = Annotated[
    Union[PrimaryAssessment, SecondaryAssessment, LegacyAssessment], Field(discriminator="framework")
]


# --- the record ---------------------------------------------------------------------------------


class StudentYear(Model):
    """One student's one school year at one school: the unit that is validated, signed, delivered.

    Keyed by (student_key, nam_hoc, ma_truong): a student who transfers mid-year has two.
    """

    schema_version: Literal["0.1"] = SCHEMA_VERSION
    student_key: Text = Field(
        description="Stable opaque key: ma_hoc_sinh once assigned, else a provisional source key"
    )
    student: Student
    ma_so_gd: Text | None = Field(None, description="Sở GDĐT code")
    ma_truong: Text = Field(description="School code (CSDL ngành), per year so transfers show")
    nam_hoc: SchoolYear
    khoi: int = Field(ge=1, le=12, description="Grade 1–12")
    nhom_cap_hoc: Literal["02", "03", "04"] = Field(description="02 TH, 03 THCS, 04 THPT")
    ma_lop: Text | None = None
    lop: Text = Field(description="Class name as the school writes it")
    trang_thai: Text = Field("dang_hoc", description="Enrolment status key, see data/codes.toml")
    nghi_co_phep: int | None = Field(None, ge=0, description="Absences with permission (buổi)")
    nghi_khong_phep: int | None = Field(None, ge=0, description="Absences without permission (buổi)")
    co_khuyet_tat_khong_danh_gia: bool = False
    duoc_len_lop: bool | None = None
    hoan_thanh_chuong_trinh_lop: bool | None = None
    nhan_xet_gvcn: Text | None = None
    chuc_vu_giam_hieu: Text | None = None
    dia_danh_phat_hanh: Text | None = None
    ngay_ky: date | None = None
    danh_gia: Assessment

    @property
    def framework(self) -> str:
        return self.danh_gia.framework

    @property
    def key(self) -> str:
        return record_key(self.student_key, self.nam_hoc, self.ma_truong)


def record_key(student_key: str, nam_hoc: str, ma_truong: str) -> str:
    return f"{student_key}|{nam_hoc}|{ma_truong}"


class Provenance(Model):
    """Where a record came from. Beside the payload, never part of what gets signed."""

    source_system: Text
    plugin: Text
    plugin_version: Text
    source_record_id: Text
    source_file: Text | None = Field(None, description="File name (no directories) when read from a file")
    source_file_sha256: Text | None = None
    extracted_at: datetime
    content_sha256: Text = Field(description="SHA-256 of the canonical JSON of the payload")


class Envelope(Model):
    """One line of an extraction's output: a student-year record with its provenance."""

    schema_version: Literal["0.1"] = SCHEMA_VERSION
    kind: Literal["record"] = "record"
    provenance: Provenance
    payload: StudentYear


class RemovalNotice(Model):
    """One line of an extraction's output: the source says a student-year is gone. ``deleted``: the record
    should not exist (removed or soft-deleted in the source); ``chuyen_di`` / ``thoi_hoc``: the student
    transferred out or left during the year, after the record of that (partial) year, which stays valid."""

    schema_version: Literal["0.1"] = SCHEMA_VERSION
    kind: Literal["removal"] = "removal"
    record_key: Text = Field(description="student_key|nam_hoc|ma_truong of the student-year")
    reason: Literal["deleted", "chuyen_di", "thoi_hoc"]
    source_system: Text
    plugin: Text
    plugin_version: Text
    extracted_at: datetime


def canonical_json(model: BaseModel) -> str:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 text, Decimals as strings."""
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(payload: StudentYear) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


#: One line of ``hocba extract``'s JSON Lines output, told apart by ``kind``.
OutputLine = Annotated[Union[Envelope, RemovalNotice], Field(discriminator="kind")]


def json_schema() -> dict:
    """The JSON Schema of one output line (a record envelope, payload included, or a removal notice), as
    exported to ``schemas/``."""
    from pydantic import TypeAdapter

    schema = TypeAdapter(OutputLine).json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://hocba.invalid/schemas/canonical-{SCHEMA_VERSION}.json"
    schema["description"] = (
        "One line of hocba's canonical JSON Lines: a transcript record (one student-year) in its provenance "
        "envelope (kind \"record\"), or a notice that the source removed a student-year (kind \"removal\"). "
        "hocba's own model, not a ministry format."
    )
    return schema


if __name__ == "__main__":  # python -m connector.model > schemas/canonical-0.1.json
    print(json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True))
