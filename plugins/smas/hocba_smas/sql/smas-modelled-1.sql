-- SMAS (Viettel) database schema "smas-modelled-1" for SQL Server, as hocba models it.
-- MODELLED from public information, not vendor-official.
-- Generated from plugins/smas/hocba_smas/schema.py (SQLAlchemy metadata; do not edit by hand):
--   HOCBA_REGENERATE_GOLDEN=1 .venv/bin/pytest plugins/smas/tests/test_smas_golden.py
-- What each table rests on: plugins/smas/README.md.

CREATE TABLE dbo.[HocSinh] (
	[HocSinhID] INTEGER NOT NULL IDENTITY, 
	[MaHocSinh] NVARCHAR(30) NOT NULL, 
	[MaCSDL] NVARCHAR(30) NULL, 
	[HoTen] NVARCHAR(100) NOT NULL, 
	[NgaySinh] DATE NULL, 
	[GioiTinh] SMALLINT NULL, 
	[DanToc] NVARCHAR(50) NULL, 
	[QuocTich] NVARCHAR(50) NULL, 
	[SoDinhDanh] NVARCHAR(20) NULL, 
	[HoTenCha] NVARCHAR(100) NULL, 
	[HoTenMe] NVARCHAR(100) NULL, 
	[HoTenNguoiGiamHo] NVARCHAR(100) NULL, 
	[DoiTuongChinhSach] NVARCHAR(100) NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([HocSinhID]), 
	CONSTRAINT [UQ_HocSinh_MaHocSinh] UNIQUE ([MaHocSinh])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Students of the tenant (one row per student, shared by the schools they attend)', 'schema', dbo, 'table', [HocSinh];
GO

execute sp_addextendedproperty 'MS_Description', N'the system''s student code (stable key)', 'schema', dbo, 'table', [HocSinh], 'column', [MaHocSinh];
GO

execute sp_addextendedproperty 'MS_Description', N'CSDL ngành code once assigned', 'schema', dbo, 'table', [HocSinh], 'column', [MaCSDL];
GO

execute sp_addextendedproperty 'MS_Description', N'1 Nam, 0 Nữ, NULL unknown', 'schema', dbo, 'table', [HocSinh], 'column', [GioiTinh];
GO

execute sp_addextendedproperty 'MS_Description', N'personal ID number; read only when configured', 'schema', dbo, 'table', [HocSinh], 'column', [SoDinhDanh];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [HocSinh], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [HocSinh], 'column', [NgayCapNhat];
GO

CREATE TABLE dbo.[MonHoc] (
	[MonHocID] INTEGER NOT NULL IDENTITY, 
	[MaMon] NVARCHAR(30) NOT NULL, 
	[TenMon] NVARCHAR(100) NOT NULL, 
	[Loai] SMALLINT NOT NULL, 
	[CapHoc] SMALLINT NOT NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([MonHocID]), 
	CONSTRAINT [UQ_MonHoc_Ma] UNIQUE ([MaMon], [CapHoc])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Subjects, qualities and competences (tenant-wide catalogue)', 'schema', dbo, 'table', [MonHoc];
GO

execute sp_addextendedproperty 'MS_Description', N'the name hocba maps to its subject keys', 'schema', dbo, 'table', [MonHoc], 'column', [TenMon];
GO

execute sp_addextendedproperty 'MS_Description', N'1 môn học/hoạt động, 2 phẩm chất, 3 năng lực', 'schema', dbo, 'table', [MonHoc], 'column', [Loai];
GO

execute sp_addextendedproperty 'MS_Description', N'1 tiểu học, 2 THCS/THPT', 'schema', dbo, 'table', [MonHoc], 'column', [CapHoc];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [MonHoc], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [MonHoc], 'column', [NgayCapNhat];
GO

CREATE TABLE dbo.[Truong] (
	[TruongID] INTEGER NOT NULL IDENTITY, 
	[MaTruong] NVARCHAR(20) NOT NULL, 
	[TenTruong] NVARCHAR(200) NULL, 
	[MaSoGD] NVARCHAR(10) NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([TruongID]), 
	CONSTRAINT [UQ_Truong_MaTruong] UNIQUE ([MaTruong])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Schools of the tenant database', 'schema', dbo, 'table', [Truong];
GO

execute sp_addextendedproperty 'MS_Description', N'school code (CSDL ngành); selects the tenant', 'schema', dbo, 'table', [Truong], 'column', [MaTruong];
GO

execute sp_addextendedproperty 'MS_Description', N'Sở GDĐT code', 'schema', dbo, 'table', [Truong], 'column', [MaSoGD];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [Truong], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [Truong], 'column', [NgayCapNhat];
GO

CREATE TABLE dbo.[Lop] (
	[LopID] INTEGER NOT NULL IDENTITY, 
	[TruongID] INTEGER NOT NULL, 
	[NamHoc] SMALLINT NOT NULL, 
	[Khoi] SMALLINT NOT NULL, 
	[MaLop] NVARCHAR(60) NULL, 
	[TenLop] NVARCHAR(50) NOT NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([LopID]), 
	FOREIGN KEY([TruongID]) REFERENCES dbo.[Truong] ([TruongID])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Classes per school and school year', 'schema', dbo, 'table', [Lop];
GO

execute sp_addextendedproperty 'MS_Description', N'start year only: 2024 means 2024-2025', 'schema', dbo, 'table', [Lop], 'column', [NamHoc];
GO

execute sp_addextendedproperty 'MS_Description', N'grade 1-12', 'schema', dbo, 'table', [Lop], 'column', [Khoi];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [Lop], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [Lop], 'column', [NgayCapNhat];
GO

CREATE INDEX [IX_Lop_Truong_NamHoc] ON dbo.[Lop] ([TruongID], [NamHoc]);
GO

CREATE TABLE dbo.[HocSinhLop] (
	[HocSinhLopID] INTEGER NOT NULL IDENTITY, 
	[HocSinhID] INTEGER NOT NULL, 
	[LopID] INTEGER NOT NULL, 
	[TrangThai] SMALLINT NOT NULL, 
	[SoBuoiNghiCoPhep] SMALLINT NULL, 
	[SoBuoiNghiKhongPhep] SMALLINT NULL, 
	[MienDanhGia] BIT NOT NULL DEFAULT 0, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([HocSinhLopID]), 
	FOREIGN KEY([HocSinhID]) REFERENCES dbo.[HocSinh] ([HocSinhID]), 
	FOREIGN KEY([LopID]) REFERENCES dbo.[Lop] ([LopID])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Enrolment of a student in a class for a school year (the student-year)', 'schema', dbo, 'table', [HocSinhLop];
GO

execute sp_addextendedproperty 'MS_Description', N'1 đang học, 2/3 chuyển đến kỳ 1/2, 4/5 chuyển đi kỳ 1/2, 6/7 thôi học kỳ 1/2, 8 nghỉ học xin học lại', 'schema', dbo, 'table', [HocSinhLop], 'column', [TrangThai];
GO

execute sp_addextendedproperty 'MS_Description', N'khuyết tật: không đánh giá', 'schema', dbo, 'table', [HocSinhLop], 'column', [MienDanhGia];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [HocSinhLop], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [HocSinhLop], 'column', [NgayCapNhat];
GO

CREATE INDEX [IX_HocSinhLop_HocSinh] ON dbo.[HocSinhLop] ([HocSinhID]);
GO

CREATE INDEX [IX_HocSinhLop_Lop] ON dbo.[HocSinhLop] ([LopID]);
GO

CREATE TABLE dbo.[DanhGiaTieuHoc] (
	[DanhGiaTieuHocID] BIGINT NOT NULL IDENTITY, 
	[HocSinhLopID] INTEGER NOT NULL, 
	[MonHocID] INTEGER NOT NULL, 
	[Ky] NVARCHAR(5) NOT NULL, 
	[MucDat] NVARCHAR(5) NULL, 
	[DiemKTDK] NVARCHAR(10) NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([DanhGiaTieuHocID]), 
	FOREIGN KEY([HocSinhLopID]) REFERENCES dbo.[HocSinhLop] ([HocSinhLopID]), 
	FOREIGN KEY([MonHocID]) REFERENCES dbo.[MonHoc] ([MonHocID])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. TT27 raw assessments per assessment point', 'schema', dbo, 'table', [DanhGiaTieuHoc];
GO

execute sp_addextendedproperty 'MS_Description', N'GHKI, CHKI, GHKII, CN', 'schema', dbo, 'table', [DanhGiaTieuHoc], 'column', [Ky];
GO

execute sp_addextendedproperty 'MS_Description', N'T/H/C (subjects), T/Đ/C (qualities, competences)', 'schema', dbo, 'table', [DanhGiaTieuHoc], 'column', [MucDat];
GO

execute sp_addextendedproperty 'MS_Description', N'periodic test score as entered', 'schema', dbo, 'table', [DanhGiaTieuHoc], 'column', [DiemKTDK];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [DanhGiaTieuHoc], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [DanhGiaTieuHoc], 'column', [NgayCapNhat];
GO

CREATE INDEX [IX_DanhGiaTieuHoc_HocSinhLop] ON dbo.[DanhGiaTieuHoc] ([HocSinhLopID]);
GO

CREATE TABLE dbo.[DiemChiTiet] (
	[DiemChiTietID] BIGINT NOT NULL IDENTITY, 
	[HocSinhLopID] INTEGER NOT NULL, 
	[MonHocID] INTEGER NOT NULL, 
	[HocKy] SMALLINT NOT NULL, 
	[LoaiDiem] NVARCHAR(10) NOT NULL, 
	[STT] SMALLINT NOT NULL, 
	[Diem] NVARCHAR(10) NULL, 
	[NhanXet] NVARCHAR(5) NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([DiemChiTietID]), 
	FOREIGN KEY([HocSinhLopID]) REFERENCES dbo.[HocSinhLop] ([HocSinhLopID]), 
	FOREIGN KEY([MonHocID]) REFERENCES dbo.[MonHoc] ([MonHocID])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Raw assessments (TT22 and legacy), one row per score entered', 'schema', dbo, 'table', [DiemChiTiet];
GO

execute sp_addextendedproperty 'MS_Description', N'1, 2; 0 = whole year (legacy)', 'schema', dbo, 'table', [DiemChiTiet], 'column', [HocKy];
GO

execute sp_addextendedproperty 'MS_Description', N'TX, GK, CK; legacy M, P, V, HK', 'schema', dbo, 'table', [DiemChiTiet], 'column', [LoaiDiem];
GO

execute sp_addextendedproperty 'MS_Description', N'order within the kind', 'schema', dbo, 'table', [DiemChiTiet], 'column', [STT];
GO

execute sp_addextendedproperty 'MS_Description', N'score as entered (text: ''8'', ''8.0'', ''7,5'')', 'schema', dbo, 'table', [DiemChiTiet], 'column', [Diem];
GO

execute sp_addextendedproperty 'MS_Description', N'comment result Đ/CĐ', 'schema', dbo, 'table', [DiemChiTiet], 'column', [NhanXet];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [DiemChiTiet], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [DiemChiTiet], 'column', [NgayCapNhat];
GO

CREATE INDEX [IX_DiemChiTiet_HocSinhLop] ON dbo.[DiemChiTiet] ([HocSinhLopID]);
GO

CREATE TABLE dbo.[KetQuaNam] (
	[KetQuaNamID] INTEGER NOT NULL IDENTITY, 
	[HocSinhLopID] INTEGER NOT NULL, 
	[ThongTu] NVARCHAR(20) NULL, 
	[HocTapHK1] NVARCHAR(10) NULL, 
	[HocTapHK2] NVARCHAR(10) NULL, 
	[HocTapCN] NVARCHAR(10) NULL, 
	[HocTapSauHe] NVARCHAR(10) NULL, 
	[RenLuyenHK1] NVARCHAR(10) NULL, 
	[RenLuyenHK2] NVARCHAR(10) NULL, 
	[RenLuyenCN] NVARCHAR(10) NULL, 
	[RenLuyenSauHe] NVARCHAR(10) NULL, 
	[KiemTraLai] BIT NOT NULL DEFAULT 0, 
	[RenLuyenHe] BIT NOT NULL DEFAULT 0, 
	[DanhHieu] NVARCHAR(50) NULL, 
	[HocLuc] NVARCHAR(50) NULL, 
	[HanhKiem] NVARCHAR(50) NULL, 
	[KetQuaTieuHoc] NVARCHAR(10) NULL, 
	[KhenThuong] NVARCHAR(100) NULL, 
	[HoanThanhCTTieuHoc] BIT NULL, 
	[LenLop] BIT NULL, 
	[HoanThanhCTLop] BIT NULL, 
	[NhanXetGVCN] NTEXT NULL, 
	[ChucVuKy] NVARCHAR(100) NULL, 
	[DiaDanh] NVARCHAR(100) NULL, 
	[NgayKy] DATE NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([KetQuaNamID]), 
	CONSTRAINT [UQ_KetQuaNam_HocSinhLop] UNIQUE ([HocSinhLopID]), 
	FOREIGN KEY([HocSinhLopID]) REFERENCES dbo.[HocSinhLop] ([HocSinhLopID])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Year results the system computed, per student-year', 'schema', dbo, 'table', [KetQuaNam];
GO

execute sp_addextendedproperty 'MS_Description', N'assessment circular: TT27/2020, TT22/2021; legacy TT30/2014, TT58/2011', 'schema', dbo, 'table', [KetQuaNam], 'column', [ThongTu];
GO

execute sp_addextendedproperty 'MS_Description', N'HSXS/HSG; legacy: the old title words', 'schema', dbo, 'table', [KetQuaNam], 'column', [DanhHieu];
GO

execute sp_addextendedproperty 'MS_Description', N'legacy học lực (word)', 'schema', dbo, 'table', [KetQuaNam], 'column', [HocLuc];
GO

execute sp_addextendedproperty 'MS_Description', N'legacy hạnh kiểm (word)', 'schema', dbo, 'table', [KetQuaNam], 'column', [HanhKiem];
GO

execute sp_addextendedproperty 'MS_Description', N'TT27 year result HTXS/HTT/HT/CHT', 'schema', dbo, 'table', [KetQuaNam], 'column', [KetQuaTieuHoc];
GO

execute sp_addextendedproperty 'MS_Description', N'TT27 reward codes separated by '';''', 'schema', dbo, 'table', [KetQuaNam], 'column', [KhenThuong];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [KetQuaNam], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [KetQuaNam], 'column', [NgayCapNhat];
GO

CREATE TABLE dbo.[TongKetHocKy] (
	[TongKetHocKyID] INTEGER NOT NULL IDENTITY, 
	[HocSinhLopID] INTEGER NOT NULL, 
	[MonHocID] INTEGER NOT NULL, 
	[HocKy] SMALLINT NOT NULL, 
	[DiemTB] NUMERIC(4, 2) NULL, 
	[KetQua] NVARCHAR(5) NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([TongKetHocKyID]), 
	FOREIGN KEY([HocSinhLopID]) REFERENCES dbo.[HocSinhLop] ([HocSinhLopID]), 
	FOREIGN KEY([MonHocID]) REFERENCES dbo.[MonHoc] ([MonHocID])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Per student-year, subject and semester: semester results', 'schema', dbo, 'table', [TongKetHocKy];
GO

execute sp_addextendedproperty 'MS_Description', N'1 or 2', 'schema', dbo, 'table', [TongKetHocKy], 'column', [HocKy];
GO

execute sp_addextendedproperty 'MS_Description', N'ĐTBmhk as computed', 'schema', dbo, 'table', [TongKetHocKy], 'column', [DiemTB];
GO

execute sp_addextendedproperty 'MS_Description', N'comment subject semester result Đ/CĐ', 'schema', dbo, 'table', [TongKetHocKy], 'column', [KetQua];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [TongKetHocKy], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [TongKetHocKy], 'column', [NgayCapNhat];
GO

CREATE INDEX [IX_TongKetHocKy_HocSinhLop] ON dbo.[TongKetHocKy] ([HocSinhLopID]);
GO

CREATE TABLE dbo.[TongKetMon] (
	[TongKetMonID] INTEGER NOT NULL IDENTITY, 
	[HocSinhLopID] INTEGER NOT NULL, 
	[MonHocID] INTEGER NOT NULL, 
	[ThuTu] SMALLINT NOT NULL, 
	[SoTiet] SMALLINT NULL, 
	[TBCN] NUMERIC(4, 2) NULL, 
	[KQCN] NVARCHAR(5) NULL, 
	[DiemThiLai] NVARCHAR(10) NULL, 
	[KQThiLai] NVARCHAR(5) NULL, 
	[NhanXet] NTEXT NULL, 
	[IsDeleted] BIT NOT NULL DEFAULT 0, 
	[NgayCapNhat] DATETIME2(3) NOT NULL, 
	PRIMARY KEY ([TongKetMonID]), 
	FOREIGN KEY([HocSinhLopID]) REFERENCES dbo.[HocSinhLop] ([HocSinhLopID]), 
	FOREIGN KEY([MonHocID]) REFERENCES dbo.[MonHoc] ([MonHocID])
);
GO

execute sp_addextendedproperty 'MS_Description', N'MODELLED from public information, not vendor-official. Per student-year and subject (or TT27 quality/competence): year results', 'schema', dbo, 'table', [TongKetMon];
GO

execute sp_addextendedproperty 'MS_Description', N'order on the transcript', 'schema', dbo, 'table', [TongKetMon], 'column', [ThuTu];
GO

execute sp_addextendedproperty 'MS_Description', N'ĐTBmcn as computed', 'schema', dbo, 'table', [TongKetMon], 'column', [TBCN];
GO

execute sp_addextendedproperty 'MS_Description', N'comment subject year result Đ/CĐ', 'schema', dbo, 'table', [TongKetMon], 'column', [KQCN];
GO

execute sp_addextendedproperty 'MS_Description', N're-test score as entered', 'schema', dbo, 'table', [TongKetMon], 'column', [DiemThiLai];
GO

execute sp_addextendedproperty 'MS_Description', N'1 = deleted in the application (soft delete)', 'schema', dbo, 'table', [TongKetMon], 'column', [IsDeleted];
GO

execute sp_addextendedproperty 'MS_Description', N'last change (server local time)', 'schema', dbo, 'table', [TongKetMon], 'column', [NgayCapNhat];
GO

CREATE INDEX [IX_TongKetMon_HocSinhLop] ON dbo.[TongKetMon] ([HocSinhLopID]);
GO

