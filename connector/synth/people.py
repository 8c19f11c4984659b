"""Synthetic students: names with diacritics, gender, ethnicity, birth date, parents, opt-in personal ID.

Everything is drawn from ``data/names.toml``; nobody real is described.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date

from connector.synth.data import Province, Weighted, clamp, ethnic_table, family_names, name_table, spread, synth
from connector.text import nfc

MALE, FEMALE = 1, 2  # QCVN 109:2017 gender codes (gioi_tinh)
_GENDER_WORD = {MALE: "male", FEMALE: "female"}


@dataclass(frozen=True)
class Pupil:
    """What stays the same for a student across school years."""

    index: int
    code: str  # ma_hoc_sinh as assigned (or a temporary "TAM-…" code when asked for)
    ho_ten: str
    gioi_tinh: int
    birth_day: tuple[int, int]  # (month, day); the year follows from the first grade seen
    dan_toc: str
    father: str | None
    mother: str | None
    id_prefix: str  # where the birth was registered (opening digits of a personal ID)
    id_serial: str  # the six random digits of a personal ID
    ability: int  # 0–100: centre of the student's results
    diligence: str  # "high" | "middle" | "low": conduct band
    age_offset: int  # school start year − birth year − grade; 5 is on time (brief 04, ID-3)
    disabled: bool  # co_khuyet_tat_khong_danh_gia in TT22 years


def _part(rng: random.Random, own: Weighted | None, general: Weighted) -> str:
    return (own or general).pick(rng)


def _given(rng: random.Random, word: str, ethnicity: str, middle: str) -> str:
    """A given name different from the middle name ("Ngọc Ngọc" is not a name)."""
    table = ethnic_table(ethnicity, f"given_{word}") or name_table("given", word)
    given = table.pick(rng)
    while given == middle:
        given = table.pick(rng)
    return given


def _join(*parts: str) -> str:
    return nfc(" ".join(p for p in parts if p))


def child_name(rng: random.Random, family: str, gender: int, ethnicity: str) -> str:
    word = _GENDER_WORD[gender]
    middle = _part(rng, ethnic_table(ethnicity, f"middle_{word}"), name_table("middle", word))
    return _join(family, middle, _given(rng, word, ethnicity, middle))


def parent_name(rng: random.Random, family: str, gender: int, ethnicity: str) -> str:
    word = _GENDER_WORD[gender]
    middle = _part(rng, ethnic_table(ethnicity, f"middle_{word}"), name_table("parents", "middle", word))
    return _join(family, middle, _given(rng, word, ethnicity, middle))


def family_name(rng: random.Random, province: Province, ethnicity: str) -> str:
    return _part(rng, ethnic_table(ethnicity, "family"), family_names(province.region))


def _ability(rng: random.Random) -> int:
    """Mostly around 62, with a thin tail of students who struggle."""
    if rng.random() < 0.03:
        return rng.randint(10, 45)
    return clamp(62 + spread(rng, 13, 3), 0, 100)


def _diligence(rng: random.Random, ability: int) -> str:
    roll = rng.random() * 100
    if roll < 25 + ability // 2:
        return "high"
    return "middle" if roll < 94 + ability // 20 else "low"


def make_pupil(rng: random.Random, index: int, code: str, province: Province, other: list[Province]) -> Pupil:
    shares = synth()["shares"]
    gender = MALE if rng.random() < shares["male"] else FEMALE
    ethnicity = province.ethnicity.pick(rng)
    family = family_name(rng, province, ethnicity)
    father = None if rng.random() < shares["father_unknown"] else parent_name(rng, family, MALE, ethnicity)
    mother_family = family_name(rng, province, ethnicity)
    mother = None if rng.random() < shares["mother_unknown"] else parent_name(rng, mother_family, FEMALE, ethnicity)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28 if month == 2 else calendar.monthrange(2001, month)[1])
    born_elsewhere = bool(other) and rng.random() < shares["born_elsewhere"]
    ability = _ability(rng)
    late = rng.random() < shares["late_start"]
    return Pupil(
        index=index,
        code=code,
        ho_ten=child_name(rng, family, gender, ethnicity),
        gioi_tinh=gender,
        birth_day=(month, day),
        dan_toc=ethnicity,
        father=father,
        mother=mother,
        id_prefix=(rng.choice(other) if born_elsewhere else province).id_prefix,
        id_serial=f"{rng.randrange(1_000_000):06d}",
        ability=ability,
        diligence=_diligence(rng, ability),
        age_offset=6 if late else 5,
        disabled=rng.random() < shares["disabled_not_assessed"],
    )


def birth_date(pupil: Pupil, year: int) -> date:
    month, day = pupil.birth_day
    return date(year, month, day)


def century_gender_digit(birth_year: int, gioi_tinh: int) -> int:
    """Digit 4 of a personal ID: 0/1 for 1900–1999 male/female, 2/3 for 2000–2099 … (brief 04 §1)."""
    return 2 * ((birth_year - 1900) // 100) + (0 if gioi_tinh == MALE else 1)


def personal_id(prefix: str, birth_year: int, gioi_tinh: int, serial: str) -> str:
    """A synthetic 12-digit personal ID: place prefix, century/gender digit, year, six random digits."""
    return f"{prefix}{century_gender_digit(birth_year, gioi_tinh)}{birth_year % 100:02d}{serial}"
