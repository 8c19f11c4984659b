"""A whole synthetic school as a stream of student-year records, class by class.

Memory stays flat whatever the size: only the plan of classes is held (a few numbers per class); each
student is drawn from their own seeded random stream, their school years are built and yielded one by
one, and nothing is kept afterwards. The same seed gives byte-identical canonical JSON.

Several school years (``years`` > 1) end with ``nam_hoc``: students advance a grade when the computed
decision promotes them and repeat it otherwise; new students enter the lowest grade each year, a few
transfer in or out, and the top grade leaves. Years before TT27/TT22 reached a grade are written in the
read-only legacy profile (FRAME-1).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from connector import catalogue
from connector.model import Student, StudentYear
from connector.synth.data import Province, pick, provinces, seeded, spread, synth, weighted
from connector.synth.inject import ErrorPlanter, Tools
from connector.synth.injected import InjectedError
from connector.synth.legacy import to_legacy
from connector.synth.people import Pupil, birth_date, make_pupil, personal_id
from connector.synth.primary import band, build_primary, derive_primary
from connector.synth.secondary import build_secondary, derive_secondary
from connector.text import nfc

LEVELS: dict[str, list[int]] = synth()["levels"]
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True)
class School:
    seed: str
    level: str
    grades: tuple[int, ...]
    province: Province
    ma_so_gd: str | None
    ma_truong: str
    place: str
    signer: str
    code_prefix: str  # opens every ma_hoc_sinh of the school (opaque: 3 digits + a 7-digit sequence)
    foreign_language_early: bool  # Ngoại ngữ 1 in grades 1–2 (optional subject)
    ethnic_language: bool  # Tiếng dân tộc thiểu số for minority pupils (optional subject)


@dataclass(frozen=True)
class Entry:
    """Students who first appear at the school in the same school year and class."""

    year_index: int
    grade: int
    class_no: int
    size: int
    status: str | None  # "chuyen_den" for students transferring in after the first year


def plan_school(seed: object, level: str, ma_truong: str | None, ma_so_gd: str | None) -> School:
    rng = seeded(seed, level, "school")
    province = pick(rng, provinces())
    shares = synth()["shares"]
    return School(
        seed=str(seed),
        level=level,
        grades=tuple(LEVELS[level]),
        province=province,
        ma_so_gd=province.so if ma_so_gd is None else ma_so_gd,
        ma_truong=ma_truong or f"{province.so}{rng.randrange(10**6):06d}",
        place=pick(rng, province.places),
        signer=weighted("signing", "titles").pick(rng),
        code_prefix=f"{rng.randrange(100, 1000)}",
        foreign_language_early=rng.random() < shares["primary_foreign_language_grades_1_2"],
        ethnic_language=rng.random() < shares["primary_ethnic_language"],
    )


def school_years(nam_hoc: str, years: int) -> list[str]:
    """The ``years`` school years ending with ``nam_hoc``, oldest first."""
    last = int(nam_hoc[:4])
    return [f"{y}-{y + 1}" for y in range(last - years + 1, last + 1)]


def split_evenly(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def grade_counts(rng: random.Random, students: int, grades: tuple[int, ...]) -> dict[int, int]:
    """Students per grade: an even share, each grade off by a few per cent, adding up exactly."""
    width = synth()["classes"]["grade_spread_percent"]
    weights = [100 + rng.randint(-width, width) for _ in grades]
    counts = [students * w // sum(weights) for w in weights]
    for i in range(students - sum(counts)):  # hand out what integer division left over
        counts[i % len(counts)] += 1
    return dict(zip(grades, counts))


def class_count(students: int) -> int:
    """Classes for a grade: about the target size, never above the maximum when avoidable."""
    cfg = synth()["classes"]
    k = max(1, (students + cfg["target_size"] // 2) // cfg["target_size"])
    while students > k * cfg["max_size"]:
        k += 1
    return k


def plan_entries(school: School, students: int, years: int) -> tuple[list[Entry], dict[int, int]]:
    """Who enters when: the whole school in the first year, then each year a new lowest grade and a few
    transfers. Returns the entries and the number of classes per grade."""
    rng = seeded(school.seed, school.level, "plan")
    counts = grade_counts(rng, students, school.grades)
    classes = {g: class_count(n) for g, n in counts.items()}
    entries = [Entry(0, g, c + 1, size, None)
               for g in school.grades for c, size in enumerate(split_evenly(counts[g], classes[g]))]
    lowest = school.grades[0]
    transfers = int(students * synth()["shares"]["transfers_in_per_year"])
    for y in range(1, years):
        intake = max(1, counts[lowest] + spread(rng, 2, 2))
        entries += [Entry(y, lowest, c + 1, size, None)
                    for c, size in enumerate(split_evenly(intake, classes[lowest]))]
        for _ in range(transfers):
            grade = pick(rng, school.grades)
            entries.append(Entry(y, grade, rng.randint(1, classes[grade]), 1, "chuyen_den"))
    return entries, classes


# --- one student-year -----------------------------------------------------------------------------


def derive(record: StudentYear, rng: random.Random) -> None:
    """Every derived value of a record, in place, from its raw assessments (compute.py only)."""
    (derive_primary if record.framework == "TT27" else derive_secondary)(record, rng)


def _absences(rng: random.Random) -> tuple[int, int]:
    """(excused, unexcused) buổi for a school year."""
    cfg = synth()["absences"]
    if rng.random() < cfg["long"]:
        return rng.randint(*cfg["long_range"]), rng.randint(0, cfg["unexcused_max"])
    excused = 0 if rng.random() < cfg["none_excused"] else rng.randint(1, cfg["excused_max"])
    unexcused = 0 if rng.random() < cfg["none_unexcused"] else rng.randint(1, cfg["unexcused_max"])
    return excused, unexcused


def build_record(school: School, pupil: Pupil, student: Student, nam_hoc: str, grade: int, class_no: int,
                 status: str) -> StudentYear:
    """A clean student-year: raw data drawn from the pupil's stream for that year, the rest computed."""
    rng = seeded(school.seed, school.level, "year", pupil.index, nam_hoc)
    framework = catalogue.framework_for(grade, nam_hoc)
    primary = grade <= 5
    disabled = pupil.disabled and not primary
    if primary:
        ethnic = school.ethnic_language and pupil.dan_toc != "Kinh"
        danh_gia = build_primary(rng, grade, pupil.ability, pupil.diligence, school.foreign_language_early, ethnic)
    else:
        danh_gia = build_secondary(rng, grade, class_no, pupil.ability, pupil.diligence, disabled)
    excused, unexcused = _absences(rng)
    lop = f"{grade}A{class_no}"
    start = int(nam_hoc[:4])
    record = StudentYear(
        student_key=pupil.code,
        student=student,
        ma_so_gd=school.ma_so_gd,
        ma_truong=school.ma_truong,
        nam_hoc=nam_hoc,
        khoi=grade,
        nhom_cap_hoc=catalogue.level_group(grade),
        ma_lop=f"{school.ma_truong}.{start}.{lop}",
        lop=lop,
        trang_thai=status,
        nghi_co_phep=excused,
        nghi_khong_phep=unexcused,
        co_khuyet_tat_khong_danh_gia=disabled,
        chuc_vu_giam_hieu=school.signer,
        dia_danh_phat_hanh=school.place,
        danh_gia=danh_gia,
    )
    derive(record, rng)
    record.nhan_xet_gvcn = pick(rng, synth()["comments"]["gvcn"][band(record)])
    late = record.framework == "TT22" and (record.danh_gia.kiem_tra_lai or record.danh_gia.ren_luyen_he)
    # Re-tests and summer training finish in August; the others are signed at the end of May.
    record.ngay_ky = date(start + 1, 8, rng.randint(10, 25)) if late else date(start + 1, 5, rng.randint(20, 31))
    if framework == "LEGACY":
        record.danh_gia = to_legacy(record.danh_gia)
    return record


# --- students over the years ----------------------------------------------------------------------


def _student(pupil: Pupil, birth_year: int, personal_ids: bool) -> Student:
    return Student(
        ma_hoc_sinh=pupil.code,
        ho_ten=pupil.ho_ten,
        ngay_sinh=birth_date(pupil, birth_year),
        gioi_tinh=pupil.gioi_tinh,
        dan_toc=pupil.dan_toc,
        quoc_tich="Việt Nam",
        so_dinh_danh_ca_nhan=personal_id(pupil.id_prefix, birth_year, pupil.gioi_tinh, pupil.id_serial)
        if personal_ids else None,
        ho_ten_cha=pupil.father,
        ho_ten_me=pupil.mother,
    )


@dataclass(frozen=True)
class Options:
    personal_ids: bool = False
    temporary_codes: float = 0.0
    canary: str | None = None


def student_years(school: School, pupil: Pupil, entry: Entry, years: list[str], classes: dict[int, int],
                  options: Options) -> Iterator[StudentYear]:
    """One student's records at this school, oldest first, following the computed promotion decisions."""
    life = seeded(school.seed, school.level, "life", pupil.index)
    shares = synth()["shares"]
    grade, first = entry.grade, entry.year_index
    birth_year = int(years[first][:4]) - grade - pupil.age_offset
    student = _student(pupil, birth_year, options.personal_ids)
    for y in range(first, len(years)):
        if y == first:
            status = entry.status or ("chuyen_den" if life.random() < shares["transfer_in"] else "dang_hoc")
        else:
            status = "dang_hoc"
        leaving = life.random() < shares["transfer_out"]
        class_no = min(entry.class_no, classes[grade])
        record = build_record(school, pupil, student, years[y], grade, class_no, "chuyen_di" if leaving else status)
        promoted = record.duoc_len_lop
        yield record
        if leaving:
            return
        if promoted:
            grade += 1
            if grade not in school.grades:
                return  # finished the school's last grade
        elif y + 1 < len(years) and int(years[y + 1][:4]) - birth_year - grade > 9:
            return  # would be implausibly old for the grade (ID-3): leaves school


def _pupil(school: School, index: int, options: Options) -> Pupil:
    rng = seeded(school.seed, school.level, "student", index)
    temporary = options.temporary_codes > 0 and rng.random() < options.temporary_codes
    code = f"TAM-{index:07d}" if temporary else f"{school.code_prefix}{index:07d}"
    others = [p for p in provinces() if p != school.province]
    pupil = make_pupil(rng, index, code, school.province, others)
    if index == 0 and options.canary:
        pupil = replace(pupil, ho_ten=nfc(options.canary))
    return pupil


def valid_school_year(nam_hoc: str) -> bool:
    """"YYYY-YYYY" with the end year the start year plus one (ID-3)."""
    m = _SCHOOL_YEAR.match(nam_hoc)
    return bool(m) and int(m[2]) == int(m[1]) + 1


def check_arguments(level: str, students: int, nam_hoc: str, years: int, error_share: float) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if students < 1 or years < 1:
        raise ValueError("students and years must be at least 1")
    if not valid_school_year(nam_hoc):
        raise ValueError("nam_hoc must look like 2025-2026")
    if not 0 <= error_share <= 1:
        raise ValueError("error_share must be between 0 and 1")


def generate(seed: object, level: str = "primary", students: int = 400, nam_hoc: str = "2025-2026",
             years: int = 1, error_share: float = 0.0, ma_truong: str | None = None, ma_so_gd: str | None = None,
             *, personal_ids: bool = False, temporary_codes: float = 0.0, canary: str | None = None,
             ) -> Iterator[tuple[StudentYear, InjectedError | None]]:
    """Records of a synthetic school, each with the error planted in it (None for a clean record).

    Whether a student-year gets an error is drawn from its own stream, so the same seed with and without
    errors gives the same school: only the injected records differ."""
    check_arguments(level, students, nam_hoc, years, error_share)
    school = plan_school(seed, level, ma_truong, ma_so_gd)
    options = Options(personal_ids, temporary_codes, canary)
    all_years = school_years(nam_hoc, years)
    entries, classes = plan_entries(school, students, years)
    planter = ErrorPlanter()
    index = 0
    for entry in entries:
        for _ in range(entry.size):
            pupil = _pupil(school, index, options)
            index += 1
            for record in student_years(school, pupil, entry, all_years, classes, options):
                yield _maybe_inject(school, pupil, record, error_share, planter)


def _maybe_inject(school: School, pupil: Pupil, record: StudentYear, share: float,
                  planter: ErrorPlanter) -> tuple[StudentYear, InjectedError | None]:
    rng = seeded(school.seed, school.level, "inject", pupil.index, record.nam_hoc)
    # Legacy years carry no TT27/TT22 rules, and TT22-11 waives most rules for disabled students.
    eligible = record.framework in ("TT27", "TT22") and not record.co_khuyet_tat_khong_danh_gia
    if share <= 0 or not eligible or rng.random() >= share:
        return record, None
    tools = Tools(rng=rng, rederive=lambda r: derive(r, rng), id_prefix=pupil.id_prefix)
    planted = planter.plant(record, tools)
    return planted if planted else (record, None)


def generate_school(seed: object, level: str = "primary", students: int = 400, nam_hoc: str = "2025-2026",
                    years: int = 1, error_share: float = 0.0, ma_truong: str | None = None,
                    ma_so_gd: str | None = None, *, personal_ids: bool = False, temporary_codes: float = 0.0,
                    canary: str | None = None, on_error: Callable[[InjectedError], None] | None = None,
                    ) -> Iterator[StudentYear]:
    """Stream the records of a synthetic school; each injected error is passed to ``on_error``
    (e.g. an :class:`~connector.synth.injected.InjectedErrorWriter`) as its record goes out.

    ``level``: primary (grades 1–5), thcs (6–9), thpt (10–12) or secondary (6–12, a combined school).
    ``students``: students per school year. ``years``: school years of history ending with ``nam_hoc``.
    ``error_share``: share of student-years that get one deliberate error. ``personal_ids``: add
    synthetic personal ID numbers (off by default, as in production). ``temporary_codes``: share of
    students with a temporary "TAM-…" code (ID-2 warns). ``canary``: a name given to one student.
    """
    for record, error in generate(seed, level, students, nam_hoc, years, error_share, ma_truong, ma_so_gd,
                                  personal_ids=personal_ids, temporary_codes=temporary_codes, canary=canary):
        if error is not None and on_error is not None:
            on_error(error)
        yield record
