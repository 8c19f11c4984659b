"""The injectable checks of the rule contract (CHECKS.md): "RULE-ID.check" → the frameworks it concerns.

Kept here as a literal so a change to the contract is a visible change to the tests."""

IDENTITY = [
    "FRAME-1.framework", "GEN-2.code", "ID-1.format", "ID-1.consistency", "ID-2.student_code",
    "ID-3.level_group", "ID-3.school_year", "ID-3.age", "ID-4.school",
]
TT27 = [
    "TT27-1.subject_level_missing", "TT27-1.subject_level_invalid", "TT27-1.rating_level_missing",
    "TT27-1.rating_h", "TT27-1.rating_level_invalid",
    "TT27-2.score_decimal", "TT27-2.score_range", "TT27-2.score_zero", "TT27-2.score_missing",
    "TT27-2.score_missing_inferred", "TT27-2.score_unexpected",
    "TT27-3.result", "TT27-4.reward_not_allowed", "TT27-4.hsxs_missing", "TT27-5.completion",
    "TT27-6.promotion", "TT27-7.subject_not_in_grade", "TT27-7.subject_missing", "TT27-7.competence_grade",
]
TT22 = [
    "TT22-1.score_in_comment_subject", "TT22-1.comment_in_score_subject", "TT22-1.score_range",
    "TT22-1.score_precision", "TT22-1.unknown_subject",
    "TT22-2.tx_missing", "TT22-2.tx_extra", "TT22-2.gk_missing", "TT22-2.ck_missing", "TT22-2.semester_missing",
    "TT22-3.semester_average", "TT22-3.year_average", "TT22-4.comment_semester", "TT22-4.comment_year",
    "TT22-5.learning_semester", "TT22-5.learning_year", "TT22-6.conduct_year", "TT22-6.conduct_year_inferred",
    "TT22-7.promotion", "TT22-8.title", "TT22-8.title_count",
    "TT22-9.retest_not_allowed", "TT22-9.retest_subject", "TT22-9.after_retest",
    "TT22-10.summer_not_allowed", "TT22-10.summer_missing",
]
INJECTABLE = {"TT27": set(IDENTITY + TT27), "TT22": set(IDENTITY + TT22)}
ALL = set(IDENTITY + TT27 + TT22)
