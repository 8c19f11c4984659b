"""History years before TT27/TT22 reached a grade (FRAME-1 "LEGACY"): read-only old profile.

A legacy year is generated like a TT27/TT22 year (so the student's progression follows the same
computed decisions) and then written in the old shape: scores keyed TX/GK/CK, học lực and hạnh kiểm
words, the old titles.
"""

from __future__ import annotations

from connector.model import LegacyAssessment, LegacySubject, PrimaryAssessment, SecondaryAssessment
from connector.synth.data import synth


def to_legacy(a: PrimaryAssessment | SecondaryAssessment) -> LegacyAssessment:
    words = synth()["legacy"]
    if a.framework == "TT27":
        return LegacyAssessment(
            mon_hoc=[LegacySubject(mon=s.mon, diem={"KTĐK": [s.diem_ktdk["CN"]]} if "CN" in s.diem_ktdk else {})
                     for s in a.mon_hoc],
            hoc_luc=words["primary"].get(a.ket_qua),
        )
    subjects = []
    for s in a.mon_hoc:
        diem = {}
        if s.hk1 and s.hk2 and s.hk1.tx:
            diem = {"TX": [*s.hk1.tx, *s.hk2.tx], "GK": [s.hk1.gk, s.hk2.gk], "CK": [s.hk1.ck, s.hk2.ck]}
            diem = {k: [v for v in vs if v is not None] for k, vs in diem.items()}
        subjects.append(LegacySubject(mon=s.mon, diem=diem, tb_ca_nam=s.tb_ca_nam))
    learning, conduct = a.hoc_tap.ca_nam, a.ren_luyen.ca_nam
    title = words["titles"].get(a.danh_hieu or "")
    if title is None and learning == "K" and conduct in ("T", "K"):
        title = words["titles"]["K"]
    return LegacyAssessment(mon_hoc=subjects, hoc_luc=words["learning"].get(learning or ""),
                            hanh_kiem=words["conduct"].get(conduct or ""), danh_hieu=title)
