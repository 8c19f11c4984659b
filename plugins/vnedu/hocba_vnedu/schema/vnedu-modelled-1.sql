-- =====================================================================================================
-- vnedu-modelled-1 — MODELLED from public information, not vendor-official.
--
-- vnEdu (VNPT) does not publish its database schema. These tables are hocba's model of what a vnEdu
-- school database plausibly holds, built from the few public facts (domain brief 08 §2: the parent
-- "sổ liên lạc" JSON API's vocabulary — ma_hoc_sinh, nam_hoc as the start year "2022", truong_id,
-- khoi, cap, tinh_id, huyen_id, score arrays keyed TX/GK/CK and, for pre-TT22 years, M/P/V/HK, each an
-- array of {diem}; comment results Đ/CĐ) and from the ministry's field names (brief 02 §4). Even the
-- engine (MySQL/MariaDB) is an assumption. plugins/vnedu/README.md says which public fact each table
-- and column rests on. Never present this as vnEdu's real schema.
--
-- One database holds several schools (a vendor-hosted tenant, truong_id on every per-school table),
-- several school years, soft deletes (da_xoa) and change times (updated_at) on every table.
-- MariaDB ≥ 10.5 / MySQL ≥ 8.0, InnoDB, utf8mb4.
-- =====================================================================================================

CREATE TABLE truong (
  truong_id   INT UNSIGNED NOT NULL AUTO_INCREMENT,
  ma_truong   VARCHAR(20)  NOT NULL COMMENT 'School code (CSDL ngành matruong)',
  ten_truong  VARCHAR(255) NOT NULL,
  ma_so       VARCHAR(10)  NULL COMMENT 'Sở GDĐT code (masogd)',
  tinh_id     INT          NULL COMMENT 'Province id (API field tinh_id)',
  huyen_id    INT          NULL COMMENT 'District id (API field huyen_id): district level abolished 1/7/2025, history only',
  da_xoa      TINYINT(1)   NOT NULL DEFAULT 0 COMMENT 'Soft delete',
  created_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (truong_id),
  UNIQUE KEY uq_truong_ma_truong (ma_truong),
  KEY ix_truong_updated_at (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: schools of the tenant';

CREATE TABLE mon_hoc (
  mon_hoc_id  INT UNSIGNED NOT NULL AUTO_INCREMENT,
  ma_mon      VARCHAR(30)  NOT NULL COMMENT 'Vendor code of a subject (MH), quality (PC) or competence (NL)',
  ten_mon     VARCHAR(150) NOT NULL,
  loai        CHAR(2)      NOT NULL DEFAULT 'MH' COMMENT 'MH subject, PC phẩm chất, NL năng lực (primary)',
  da_xoa      TINYINT(1)   NOT NULL DEFAULT 0,
  updated_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (mon_hoc_id),
  UNIQUE KEY uq_mon_hoc_ma_mon (ma_mon),
  KEY ix_mon_hoc_updated_at (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: subject and criteria catalogue';

CREATE TABLE hoc_sinh (
  hoc_sinh_id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  truong_id             INT UNSIGNED    NOT NULL COMMENT 'Each school keeps its own student list',
  ma_hoc_sinh           VARCHAR(30)     NULL COMMENT 'CSDL ngành student code (API field ma_hoc_sinh); NULL or TAM-… before assigned',
  ho_ten                VARCHAR(150)    NOT NULL,
  ngay_sinh             DATE            NULL,
  gioi_tinh             TINYINT         NULL COMMENT '1 Nam, 0 Nữ, NULL unknown (one public codebase uses 1/0)',
  dan_toc               VARCHAR(50)     NULL,
  quoc_tich             VARCHAR(50)     NULL,
  so_dinh_danh          VARCHAR(20)     NULL COMMENT 'Personal ID (CCCD); read only when the configuration opts in',
  ho_ten_cha            VARCHAR(150)    NULL,
  ho_ten_me             VARCHAR(150)    NULL,
  ho_ten_nguoi_giam_ho  VARCHAR(150)    NULL,
  doi_tuong_chinh_sach  VARCHAR(150)    NULL,
  da_xoa                TINYINT(1)      NOT NULL DEFAULT 0,
  created_at            DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at            DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (hoc_sinh_id),
  UNIQUE KEY uq_hoc_sinh_truong_ma (truong_id, ma_hoc_sinh),
  KEY ix_hoc_sinh_updated_at (updated_at),
  CONSTRAINT fk_hoc_sinh_truong FOREIGN KEY (truong_id) REFERENCES truong (truong_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: students';

CREATE TABLE lop (
  lop_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  truong_id   INT UNSIGNED    NOT NULL,
  nam_hoc     CHAR(4)         NOT NULL COMMENT 'School year as its START year: "2022" is 2022-2023 (API field nam_hoc)',
  khoi        TINYINT         NOT NULL COMMENT 'Grade 1-12 (API field khoi)',
  cap         TINYINT         NOT NULL COMMENT 'Level: 1 tiểu học, 2 THCS, 3 THPT (API field cap; numbering inferred)',
  ma_lop      VARCHAR(50)     NULL,
  ten_lop     VARCHAR(50)     NOT NULL,
  da_xoa      TINYINT(1)      NOT NULL DEFAULT 0,
  updated_at  DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (lop_id),
  UNIQUE KEY uq_lop_truong_nam_ten (truong_id, nam_hoc, ten_lop),
  KEY ix_lop_updated_at (updated_at),
  CONSTRAINT fk_lop_truong FOREIGN KEY (truong_id) REFERENCES truong (truong_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: classes per school year';

-- One student in one class in one school year. A transfer, a class change or a repeated grade is a new
-- row; a mid-year transfer keeps the old row with trang_thai "chuyển đi" and ngay_roi.
CREATE TABLE hoc_sinh_lop (
  hoc_sinh_lop_id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  truong_id                  INT UNSIGNED    NOT NULL COMMENT 'Tenant column, denormalised as multi-school systems do',
  hoc_sinh_id                BIGINT UNSIGNED NOT NULL,
  lop_id                     BIGINT UNSIGNED NOT NULL,
  trang_thai                 TINYINT         NOT NULL DEFAULT 1 COMMENT 'The 12 CSDL ngành statuses, numbered 1-12 (numbering is this model''s)',
  ngay_vao                   DATE            NULL COMMENT 'Date the student joined the class (transfers in)',
  ngay_roi                   DATE            NULL COMMENT 'Date the student left (transfer out, left school)',
  che_do_danh_gia            VARCHAR(10)     NOT NULL COMMENT 'Assessment regulation of the year: TT27, TT22, or legacy TT30/TT22-2016/TT58/TT26',
  khong_danh_gia_khuyet_tat  TINYINT(1)      NOT NULL DEFAULT 0 COMMENT 'Disabled student exempted from assessment (TT22-11)',
  nghi_co_phep               SMALLINT        NULL COMMENT 'Absences with permission (buổi)',
  nghi_khong_phep            SMALLINT        NULL COMMENT 'Absences without permission (buổi)',
  da_xoa                     TINYINT(1)      NOT NULL DEFAULT 0,
  updated_at                 DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (hoc_sinh_lop_id),
  KEY ix_hsl_truong (truong_id, hoc_sinh_lop_id),
  KEY ix_hsl_hoc_sinh (hoc_sinh_id),
  KEY ix_hsl_lop (lop_id),
  KEY ix_hsl_updated_at (updated_at),
  CONSTRAINT fk_hsl_truong FOREIGN KEY (truong_id) REFERENCES truong (truong_id),
  CONSTRAINT fk_hsl_hoc_sinh FOREIGN KEY (hoc_sinh_id) REFERENCES hoc_sinh (hoc_sinh_id),
  CONSTRAINT fk_hsl_lop FOREIGN KEY (lop_id) REFERENCES lop (lop_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: enrolments (student-years)';

-- Year results as the system computed them (hocba recomputes and compares, never trusts them).
-- TT22: hoc_luc_* / hanh_kiem_* hold T/K/Đ/CĐ; legacy years hold the old words (Giỏi, Khá …) in *_cn.
CREATE TABLE ket_qua_nam (
  hoc_sinh_lop_id          BIGINT UNSIGNED NOT NULL,
  hoc_luc_hk1              VARCHAR(20)  NULL,
  hoc_luc_hk2              VARCHAR(20)  NULL,
  hoc_luc_cn               VARCHAR(20)  NULL,
  hoc_luc_sau_thi_lai      VARCHAR(20)  NULL,
  hanh_kiem_hk1            VARCHAR(20)  NULL,
  hanh_kiem_hk2            VARCHAR(20)  NULL,
  hanh_kiem_cn             VARCHAR(20)  NULL,
  hanh_kiem_sau_he         VARCHAR(20)  NULL,
  thi_lai                  TINYINT(1)   NOT NULL DEFAULT 0 COMMENT 'Took the summer re-test',
  ren_luyen_he             TINYINT(1)   NOT NULL DEFAULT 0 COMMENT 'Summer conduct training',
  danh_hieu                VARCHAR(50)  NULL COMMENT 'TT22 HSXS/HSG; legacy words',
  ket_qua_tieu_hoc         VARCHAR(10)  NULL COMMENT 'TT27 HTXS/HTT/HT/CHT',
  khen_thuong              VARCHAR(255) NULL COMMENT 'TT27 reward codes separated by ;',
  len_lop                  TINYINT(1)   NULL COMMENT 'duoclenlop',
  hoan_thanh_ct_lop        TINYINT(1)   NULL COMMENT 'dahthanhctrinhlophoc',
  hoan_thanh_ct_tieu_hoc   TINYINT(1)   NULL,
  nhan_xet_gvcn            TEXT         NULL,
  da_xoa                   TINYINT(1)   NOT NULL DEFAULT 0,
  updated_at               DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (hoc_sinh_lop_id),
  KEY ix_kqn_updated_at (updated_at),
  CONSTRAINT fk_kqn_hsl FOREIGN KEY (hoc_sinh_lop_id) REFERENCES hoc_sinh_lop (hoc_sinh_lop_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: computed year results';

-- The học bạ page of a student-year (the hocbadientu module): who signs, where, when.
CREATE TABLE hoc_ba (
  hoc_sinh_lop_id      BIGINT UNSIGNED NOT NULL,
  ma_dinh_danh_hoc_ba  VARCHAR(50)  NULL COMMENT 'madinhdanhhocba, when an acknowledgement returned one',
  chuc_vu_nguoi_ky     VARCHAR(100) NULL COMMENT 'chucvugiamhieu',
  dia_danh             VARCHAR(100) NULL COMMENT 'diadanhphathanh',
  ngay_ky              DATE         NULL,
  da_xoa               TINYINT(1)   NOT NULL DEFAULT 0,
  updated_at           DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (hoc_sinh_lop_id),
  KEY ix_hoc_ba_updated_at (updated_at),
  CONSTRAINT fk_hoc_ba_hsl FOREIGN KEY (hoc_sinh_lop_id) REFERENCES hoc_sinh_lop (hoc_sinh_lop_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: transcript page metadata';

-- Grade book of one subject in one semester, arrays keyed as in the parent API (which wraps each mark
-- as {"diem": …}; the reader accepts both forms):
--   {"TX":[8,7.5,9],"GK":[8],"CK":[9.0]}            (TT22)
--   {"M":[8,9],"P":[7,8],"V":[6.5],"HK":[7]}         (pre-TT22)
-- Comment-only subjects carry "Đ"/"CĐ" (JSON texts) in the same arrays. The column is LONGTEXT (MariaDB's
-- JSON is an alias of it; MySQL's native JSON type would rewrite numbers): a score's digits come back
-- exactly as entered ("8" and "8.0" both occur). The computed columns below are text for the same reason.
CREATE TABLE diem_hoc_ky (
  hoc_sinh_lop_id  BIGINT UNSIGNED  NOT NULL,
  mon_hoc_id       INT UNSIGNED     NOT NULL,
  hoc_ky           TINYINT          NOT NULL COMMENT '1 or 2',
  stt              SMALLINT         NOT NULL DEFAULT 0 COMMENT 'Display order of the subject',
  diem             LONGTEXT         NOT NULL COMMENT 'JSON: score arrays keyed TX/GK/CK (or M/P/V/HK)' CHECK (JSON_VALID(diem)),
  tbm              VARCHAR(10)      NULL COMMENT 'Semester average as the system computed it (ĐTBmhk)',
  ket_qua_nx       VARCHAR(10)      NULL COMMENT 'Comment-subject semester result Đ/CĐ as computed',
  da_xoa           TINYINT(1)       NOT NULL DEFAULT 0,
  updated_at       DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (hoc_sinh_lop_id, mon_hoc_id, hoc_ky),
  KEY ix_dhk_mon_hoc (mon_hoc_id),
  KEY ix_dhk_updated_at (updated_at),
  CONSTRAINT fk_dhk_hsl FOREIGN KEY (hoc_sinh_lop_id) REFERENCES hoc_sinh_lop (hoc_sinh_lop_id),
  CONSTRAINT fk_dhk_mon_hoc FOREIGN KEY (mon_hoc_id) REFERENCES mon_hoc (mon_hoc_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: semester grade book (TX/GK/CK, legacy M/P/V/HK)';

-- Year summary of one subject (secondary and legacy years).
CREATE TABLE tong_ket_mon (
  hoc_sinh_lop_id  BIGINT UNSIGNED  NOT NULL,
  mon_hoc_id       INT UNSIGNED     NOT NULL,
  stt              SMALLINT         NOT NULL DEFAULT 0,
  so_tiet          SMALLINT         NULL COMMENT 'Periods per year when the school states it',
  tb_ca_nam        VARCHAR(10)      NULL COMMENT 'ĐTBmcn as computed',
  kq_ca_nam        VARCHAR(10)      NULL COMMENT 'Comment-subject year result Đ/CĐ as computed',
  diem_thi_lai     VARCHAR(10)      NULL COMMENT 'Summer re-test score',
  kq_thi_lai       VARCHAR(10)      NULL COMMENT 'Summer re-test result of a comment subject',
  nhan_xet         TEXT             NULL,
  da_xoa           TINYINT(1)       NOT NULL DEFAULT 0,
  updated_at       DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (hoc_sinh_lop_id, mon_hoc_id),
  KEY ix_tkm_mon_hoc (mon_hoc_id),
  KEY ix_tkm_updated_at (updated_at),
  CONSTRAINT fk_tkm_hsl FOREIGN KEY (hoc_sinh_lop_id) REFERENCES hoc_sinh_lop (hoc_sinh_lop_id),
  CONSTRAINT fk_tkm_mon_hoc FOREIGN KEY (mon_hoc_id) REFERENCES mon_hoc (mon_hoc_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: subject year summary';

-- Primary (TT27) book: one row per subject, quality or competence, one column pair per assessment
-- point (giữa kỳ I, cuối kỳ I, giữa kỳ II, cuối năm), as the paper "sổ theo dõi chất lượng" is laid out.
CREATE TABLE danh_gia_tieu_hoc (
  hoc_sinh_lop_id  BIGINT UNSIGNED  NOT NULL,
  mon_hoc_id       INT UNSIGNED     NOT NULL,
  stt              SMALLINT         NOT NULL DEFAULT 0,
  muc_dat_gk1      VARCHAR(5)       NULL COMMENT 'T/H/C (subjects) or T/Đ/C (qualities, competences)',
  muc_dat_ck1      VARCHAR(5)       NULL,
  muc_dat_gk2      VARCHAR(5)       NULL,
  muc_dat_cn       VARCHAR(5)       NULL,
  diem_gk1         VARCHAR(10)      NULL COMMENT 'Periodic test (KTĐK) score',
  diem_ck1         VARCHAR(10)      NULL,
  diem_gk2         VARCHAR(10)      NULL,
  diem_cn          VARCHAR(10)      NULL,
  nhan_xet         TEXT             NULL,
  da_xoa           TINYINT(1)       NOT NULL DEFAULT 0,
  updated_at       DATETIME(6)      NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (hoc_sinh_lop_id, mon_hoc_id),
  KEY ix_dgth_mon_hoc (mon_hoc_id),
  KEY ix_dgth_updated_at (updated_at),
  CONSTRAINT fk_dgth_hsl FOREIGN KEY (hoc_sinh_lop_id) REFERENCES hoc_sinh_lop (hoc_sinh_lop_id),
  CONSTRAINT fk_dgth_mon_hoc FOREIGN KEY (mon_hoc_id) REFERENCES mon_hoc (mon_hoc_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='MODELLED from public information, not vendor-official: primary assessments (TT27)';
