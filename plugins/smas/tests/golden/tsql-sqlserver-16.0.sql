-- T-SQL the smas plugin sends to SQL Server (16, 0) through mssql+pyodbc (SQLAlchemy 2.1), in the order first sent.
-- ? are bound parameters; __[POSTCOMPILE_ids] expands to one ? per key of the chunk.
-- Regenerate: HOCBA_REGENERATE_GOLDEN=1 .venv/bin/pytest plugins/smas/tests/test_smas_golden.py

-- statement 1
SELECT 1;

-- statement 2
SELECT dbo.[HocSinhLop].[HocSinhLopID], dbo.[HocSinhLop].[HocSinhID], dbo.[HocSinhLop].[LopID], dbo.[HocSinhLop].[TrangThai], dbo.[HocSinhLop].[SoBuoiNghiCoPhep], dbo.[HocSinhLop].[SoBuoiNghiKhongPhep], dbo.[HocSinhLop].[MienDanhGia], dbo.[HocSinhLop].[IsDeleted], dbo.[HocSinhLop].[NgayCapNhat] 
FROM dbo.[HocSinhLop] 
WHERE 0 = 1;

-- statement 3
SELECT dbo.[Lop].[LopID], dbo.[Lop].[TruongID], dbo.[Lop].[NamHoc], dbo.[Lop].[Khoi], dbo.[Lop].[MaLop], dbo.[Lop].[TenLop], dbo.[Lop].[IsDeleted], dbo.[Lop].[NgayCapNhat] 
FROM dbo.[Lop] 
WHERE 0 = 1;

-- statement 4
SELECT dbo.[Truong].[TruongID], dbo.[Truong].[MaTruong], dbo.[Truong].[TenTruong], dbo.[Truong].[MaSoGD], dbo.[Truong].[IsDeleted], dbo.[Truong].[NgayCapNhat] 
FROM dbo.[Truong] 
WHERE 0 = 1;

-- statement 5
SELECT dbo.[HocSinh].[HocSinhID], dbo.[HocSinh].[MaHocSinh], dbo.[HocSinh].[MaCSDL], dbo.[HocSinh].[HoTen], dbo.[HocSinh].[NgaySinh], dbo.[HocSinh].[GioiTinh], dbo.[HocSinh].[DanToc], dbo.[HocSinh].[QuocTich], dbo.[HocSinh].[SoDinhDanh], dbo.[HocSinh].[HoTenCha], dbo.[HocSinh].[HoTenMe], dbo.[HocSinh].[HoTenNguoiGiamHo], dbo.[HocSinh].[DoiTuongChinhSach], dbo.[HocSinh].[IsDeleted], dbo.[HocSinh].[NgayCapNhat] 
FROM dbo.[HocSinh] 
WHERE 0 = 1;

-- statement 6
SELECT dbo.[KetQuaNam].[KetQuaNamID], dbo.[KetQuaNam].[HocSinhLopID], dbo.[KetQuaNam].[ThongTu], dbo.[KetQuaNam].[HocTapHK1], dbo.[KetQuaNam].[HocTapHK2], dbo.[KetQuaNam].[HocTapCN], dbo.[KetQuaNam].[HocTapSauHe], dbo.[KetQuaNam].[RenLuyenHK1], dbo.[KetQuaNam].[RenLuyenHK2], dbo.[KetQuaNam].[RenLuyenCN], dbo.[KetQuaNam].[RenLuyenSauHe], dbo.[KetQuaNam].[KiemTraLai], dbo.[KetQuaNam].[RenLuyenHe], dbo.[KetQuaNam].[DanhHieu], dbo.[KetQuaNam].[HocLuc], dbo.[KetQuaNam].[HanhKiem], dbo.[KetQuaNam].[KetQuaTieuHoc], dbo.[KetQuaNam].[KhenThuong], dbo.[KetQuaNam].[HoanThanhCTTieuHoc], dbo.[KetQuaNam].[LenLop], dbo.[KetQuaNam].[HoanThanhCTLop], dbo.[KetQuaNam].[NhanXetGVCN], dbo.[KetQuaNam].[ChucVuKy], dbo.[KetQuaNam].[DiaDanh], dbo.[KetQuaNam].[NgayKy], dbo.[KetQuaNam].[IsDeleted], dbo.[KetQuaNam].[NgayCapNhat] 
FROM dbo.[KetQuaNam] 
WHERE 0 = 1;

-- statement 7
SELECT dbo.[MonHoc].[MonHocID], dbo.[MonHoc].[MaMon], dbo.[MonHoc].[TenMon], dbo.[MonHoc].[Loai], dbo.[MonHoc].[NgayCapNhat] 
FROM dbo.[MonHoc] 
WHERE 0 = 1;

-- statement 8
SELECT dbo.[TongKetMon].[TongKetMonID], dbo.[TongKetMon].[HocSinhLopID], dbo.[TongKetMon].[MonHocID], dbo.[TongKetMon].[ThuTu], dbo.[TongKetMon].[SoTiet], dbo.[TongKetMon].[TBCN], dbo.[TongKetMon].[KQCN], dbo.[TongKetMon].[DiemThiLai], dbo.[TongKetMon].[KQThiLai], dbo.[TongKetMon].[NhanXet], dbo.[TongKetMon].[IsDeleted], dbo.[TongKetMon].[NgayCapNhat] 
FROM dbo.[TongKetMon] 
WHERE 0 = 1;

-- statement 9
SELECT dbo.[TongKetHocKy].[TongKetHocKyID], dbo.[TongKetHocKy].[HocSinhLopID], dbo.[TongKetHocKy].[MonHocID], dbo.[TongKetHocKy].[HocKy], dbo.[TongKetHocKy].[DiemTB], dbo.[TongKetHocKy].[KetQua], dbo.[TongKetHocKy].[IsDeleted], dbo.[TongKetHocKy].[NgayCapNhat] 
FROM dbo.[TongKetHocKy] 
WHERE 0 = 1;

-- statement 10
SELECT dbo.[DiemChiTiet].[DiemChiTietID], dbo.[DiemChiTiet].[HocSinhLopID], dbo.[DiemChiTiet].[MonHocID], dbo.[DiemChiTiet].[HocKy], dbo.[DiemChiTiet].[LoaiDiem], dbo.[DiemChiTiet].[STT], dbo.[DiemChiTiet].[Diem], dbo.[DiemChiTiet].[NhanXet], dbo.[DiemChiTiet].[IsDeleted], dbo.[DiemChiTiet].[NgayCapNhat] 
FROM dbo.[DiemChiTiet] 
WHERE 0 = 1;

-- statement 11
SELECT dbo.[DanhGiaTieuHoc].[DanhGiaTieuHocID], dbo.[DanhGiaTieuHoc].[HocSinhLopID], dbo.[DanhGiaTieuHoc].[MonHocID], dbo.[DanhGiaTieuHoc].[Ky], dbo.[DanhGiaTieuHoc].[MucDat], dbo.[DanhGiaTieuHoc].[DiemKTDK], dbo.[DanhGiaTieuHoc].[IsDeleted], dbo.[DanhGiaTieuHoc].[NgayCapNhat] 
FROM dbo.[DanhGiaTieuHoc] 
WHERE 0 = 1;

-- statement 12
SELECT dbo.[Truong].[MaTruong], count(*) AS count_1 
FROM dbo.[HocSinhLop] JOIN dbo.[Lop] ON dbo.[HocSinhLop].[LopID] = dbo.[Lop].[LopID] JOIN dbo.[Truong] ON dbo.[Lop].[TruongID] = dbo.[Truong].[TruongID] JOIN dbo.[HocSinh] ON dbo.[HocSinhLop].[HocSinhID] = dbo.[HocSinh].[HocSinhID] 
WHERE (dbo.[HocSinhLop].[IsDeleted] IS NULL OR dbo.[HocSinhLop].[IsDeleted] != ?) AND (dbo.[Lop].[IsDeleted] IS NULL OR dbo.[Lop].[IsDeleted] != ?) AND (dbo.[Truong].[IsDeleted] IS NULL OR dbo.[Truong].[IsDeleted] != ?) AND (dbo.[HocSinh].[IsDeleted] IS NULL OR dbo.[HocSinh].[IsDeleted] != ?) GROUP BY dbo.[Truong].[MaTruong];

-- statement 13
SELECT dbo.[Truong].[MaTruong], dbo.[Truong].[TenTruong], dbo.[Lop].[NamHoc], dbo.[Lop].[MaLop], dbo.[Lop].[TenLop], dbo.[Lop].[Khoi], count(*) AS count_1 
FROM dbo.[HocSinhLop] JOIN dbo.[Lop] ON dbo.[HocSinhLop].[LopID] = dbo.[Lop].[LopID] JOIN dbo.[Truong] ON dbo.[Lop].[TruongID] = dbo.[Truong].[TruongID] JOIN dbo.[HocSinh] ON dbo.[HocSinhLop].[HocSinhID] = dbo.[HocSinh].[HocSinhID] 
WHERE (dbo.[HocSinhLop].[IsDeleted] IS NULL OR dbo.[HocSinhLop].[IsDeleted] != ?) AND (dbo.[Lop].[IsDeleted] IS NULL OR dbo.[Lop].[IsDeleted] != ?) AND (dbo.[Truong].[IsDeleted] IS NULL OR dbo.[Truong].[IsDeleted] != ?) AND (dbo.[HocSinh].[IsDeleted] IS NULL OR dbo.[HocSinh].[IsDeleted] != ?) GROUP BY dbo.[Truong].[MaTruong], dbo.[Truong].[TenTruong], dbo.[Lop].[NamHoc], dbo.[Lop].[MaLop], dbo.[Lop].[TenLop], dbo.[Lop].[Khoi] ORDER BY dbo.[Truong].[MaTruong], dbo.[Lop].[NamHoc], dbo.[Lop].[Khoi], dbo.[Lop].[TenLop];

-- statement 14
SELECT max(dbo.[HocSinhLop].[NgayCapNhat]) AS max_1 
FROM dbo.[HocSinhLop];

-- statement 15
SELECT max(dbo.[Lop].[NgayCapNhat]) AS max_1 
FROM dbo.[Lop];

-- statement 16
SELECT max(dbo.[Truong].[NgayCapNhat]) AS max_1 
FROM dbo.[Truong];

-- statement 17
SELECT max(dbo.[HocSinh].[NgayCapNhat]) AS max_1 
FROM dbo.[HocSinh];

-- statement 18
SELECT max(dbo.[KetQuaNam].[NgayCapNhat]) AS max_1 
FROM dbo.[KetQuaNam];

-- statement 19
SELECT max(dbo.[MonHoc].[NgayCapNhat]) AS max_1 
FROM dbo.[MonHoc];

-- statement 20
SELECT max(dbo.[TongKetMon].[NgayCapNhat]) AS max_1 
FROM dbo.[TongKetMon];

-- statement 21
SELECT max(dbo.[TongKetHocKy].[NgayCapNhat]) AS max_1 
FROM dbo.[TongKetHocKy];

-- statement 22
SELECT max(dbo.[DiemChiTiet].[NgayCapNhat]) AS max_1 
FROM dbo.[DiemChiTiet];

-- statement 23
SELECT max(dbo.[DanhGiaTieuHoc].[NgayCapNhat]) AS max_1 
FROM dbo.[DanhGiaTieuHoc];

-- statement 24
SELECT dbo.[Truong].[MaTruong], dbo.[Truong].[TenTruong] 
FROM dbo.[Truong] 
WHERE dbo.[Truong].[IsDeleted] IS NULL OR dbo.[Truong].[IsDeleted] != ? ORDER BY dbo.[Truong].[MaTruong];

-- statement 25
SELECT TOP __[POSTCOMPILE_param_1] dbo.[HocSinhLop].[HocSinhLopID], dbo.[HocSinhLop].[HocSinhID], dbo.[HocSinhLop].[LopID], dbo.[HocSinhLop].[TrangThai], dbo.[HocSinhLop].[SoBuoiNghiCoPhep], dbo.[HocSinhLop].[SoBuoiNghiKhongPhep], dbo.[HocSinhLop].[MienDanhGia], dbo.[HocSinhLop].[IsDeleted], dbo.[Lop].[LopID] AS [LopID_1], dbo.[Lop].[TruongID], dbo.[Lop].[NamHoc], dbo.[Lop].[Khoi], dbo.[Lop].[MaLop], dbo.[Lop].[TenLop], dbo.[Lop].[IsDeleted] AS [IsDeleted_1], dbo.[Truong].[TruongID] AS [TruongID_1], dbo.[Truong].[MaTruong], dbo.[Truong].[TenTruong], dbo.[Truong].[MaSoGD], dbo.[Truong].[IsDeleted] AS [IsDeleted_2], dbo.[HocSinh].[HocSinhID] AS [HocSinhID_1], dbo.[HocSinh].[MaHocSinh], dbo.[HocSinh].[MaCSDL], dbo.[HocSinh].[HoTen], dbo.[HocSinh].[NgaySinh], dbo.[HocSinh].[GioiTinh], dbo.[HocSinh].[DanToc], dbo.[HocSinh].[QuocTich], dbo.[HocSinh].[SoDinhDanh], dbo.[HocSinh].[HoTenCha], dbo.[HocSinh].[HoTenMe], dbo.[HocSinh].[HoTenNguoiGiamHo], dbo.[HocSinh].[DoiTuongChinhSach], dbo.[HocSinh].[IsDeleted] AS [IsDeleted_3], dbo.[KetQuaNam].[KetQuaNamID], dbo.[KetQuaNam].[HocSinhLopID] AS [HocSinhLopID_1], dbo.[KetQuaNam].[ThongTu], dbo.[KetQuaNam].[HocTapHK1], dbo.[KetQuaNam].[HocTapHK2], dbo.[KetQuaNam].[HocTapCN], dbo.[KetQuaNam].[HocTapSauHe], dbo.[KetQuaNam].[RenLuyenHK1], dbo.[KetQuaNam].[RenLuyenHK2], dbo.[KetQuaNam].[RenLuyenCN], dbo.[KetQuaNam].[RenLuyenSauHe], dbo.[KetQuaNam].[KiemTraLai], dbo.[KetQuaNam].[RenLuyenHe], dbo.[KetQuaNam].[DanhHieu], dbo.[KetQuaNam].[HocLuc], dbo.[KetQuaNam].[HanhKiem], dbo.[KetQuaNam].[KetQuaTieuHoc], dbo.[KetQuaNam].[KhenThuong], dbo.[KetQuaNam].[HoanThanhCTTieuHoc], dbo.[KetQuaNam].[LenLop], dbo.[KetQuaNam].[HoanThanhCTLop], dbo.[KetQuaNam].[NhanXetGVCN], dbo.[KetQuaNam].[ChucVuKy], dbo.[KetQuaNam].[DiaDanh], dbo.[KetQuaNam].[NgayKy] 
FROM dbo.[HocSinhLop] JOIN dbo.[Lop] ON dbo.[HocSinhLop].[LopID] = dbo.[Lop].[LopID] JOIN dbo.[Truong] ON dbo.[Lop].[TruongID] = dbo.[Truong].[TruongID] JOIN dbo.[HocSinh] ON dbo.[HocSinhLop].[HocSinhID] = dbo.[HocSinh].[HocSinhID] LEFT OUTER JOIN dbo.[KetQuaNam] ON dbo.[HocSinhLop].[HocSinhLopID] = dbo.[KetQuaNam].[HocSinhLopID] AND (dbo.[KetQuaNam].[IsDeleted] IS NULL OR dbo.[KetQuaNam].[IsDeleted] != ?) 
WHERE dbo.[Truong].[MaTruong] = ? ORDER BY dbo.[HocSinhLop].[HocSinhLopID];

-- statement 26
SELECT TOP __[POSTCOMPILE_param_1] dbo.[HocSinhLop].[HocSinhLopID] 
FROM dbo.[HocSinhLop] JOIN dbo.[Lop] ON dbo.[HocSinhLop].[LopID] = dbo.[Lop].[LopID] JOIN dbo.[Truong] ON dbo.[Lop].[TruongID] = dbo.[Truong].[TruongID] JOIN dbo.[HocSinh] ON dbo.[HocSinhLop].[HocSinhID] = dbo.[HocSinh].[HocSinhID] 
WHERE dbo.[HocSinhLop].[HocSinhID] = ? AND dbo.[Lop].[NamHoc] = ? AND dbo.[Lop].[TruongID] = ? AND (dbo.[HocSinhLop].[IsDeleted] IS NULL OR dbo.[HocSinhLop].[IsDeleted] != ?) AND (dbo.[Lop].[IsDeleted] IS NULL OR dbo.[Lop].[IsDeleted] != ?) AND (dbo.[Truong].[IsDeleted] IS NULL OR dbo.[Truong].[IsDeleted] != ?) AND (dbo.[HocSinh].[IsDeleted] IS NULL OR dbo.[HocSinh].[IsDeleted] != ?);

-- statement 27
SELECT dbo.[TongKetMon].[TongKetMonID], dbo.[TongKetMon].[HocSinhLopID], dbo.[TongKetMon].[MonHocID], dbo.[TongKetMon].[ThuTu], dbo.[TongKetMon].[SoTiet], dbo.[TongKetMon].[TBCN], dbo.[TongKetMon].[KQCN], dbo.[TongKetMon].[DiemThiLai], dbo.[TongKetMon].[KQThiLai], dbo.[TongKetMon].[NhanXet], dbo.[MonHoc].[MonHocID] AS [MonHocID_1], dbo.[MonHoc].[MaMon], dbo.[MonHoc].[TenMon], dbo.[MonHoc].[Loai] 
FROM dbo.[TongKetMon] JOIN dbo.[MonHoc] ON dbo.[TongKetMon].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[TongKetMon].[HocSinhLopID] IN (__[POSTCOMPILE_ids]) AND (dbo.[TongKetMon].[IsDeleted] IS NULL OR dbo.[TongKetMon].[IsDeleted] != ?) ORDER BY dbo.[TongKetMon].[HocSinhLopID], dbo.[TongKetMon].[ThuTu], dbo.[TongKetMon].[TongKetMonID];

-- statement 28
SELECT dbo.[TongKetHocKy].[TongKetHocKyID], dbo.[TongKetHocKy].[HocSinhLopID], dbo.[TongKetHocKy].[MonHocID], dbo.[TongKetHocKy].[HocKy], dbo.[TongKetHocKy].[DiemTB], dbo.[TongKetHocKy].[KetQua], dbo.[MonHoc].[MonHocID] AS [MonHocID_1], dbo.[MonHoc].[MaMon], dbo.[MonHoc].[TenMon], dbo.[MonHoc].[Loai] 
FROM dbo.[TongKetHocKy] JOIN dbo.[MonHoc] ON dbo.[TongKetHocKy].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[TongKetHocKy].[HocSinhLopID] IN (__[POSTCOMPILE_ids]) AND (dbo.[TongKetHocKy].[IsDeleted] IS NULL OR dbo.[TongKetHocKy].[IsDeleted] != ?) ORDER BY dbo.[TongKetHocKy].[HocSinhLopID], dbo.[TongKetHocKy].[MonHocID], dbo.[TongKetHocKy].[HocKy], dbo.[TongKetHocKy].[TongKetHocKyID];

-- statement 29
SELECT dbo.[DiemChiTiet].[DiemChiTietID], dbo.[DiemChiTiet].[HocSinhLopID], dbo.[DiemChiTiet].[MonHocID], dbo.[DiemChiTiet].[HocKy], dbo.[DiemChiTiet].[LoaiDiem], dbo.[DiemChiTiet].[STT], dbo.[DiemChiTiet].[Diem], dbo.[DiemChiTiet].[NhanXet], dbo.[MonHoc].[MonHocID] AS [MonHocID_1], dbo.[MonHoc].[MaMon], dbo.[MonHoc].[TenMon], dbo.[MonHoc].[Loai] 
FROM dbo.[DiemChiTiet] JOIN dbo.[MonHoc] ON dbo.[DiemChiTiet].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[DiemChiTiet].[HocSinhLopID] IN (__[POSTCOMPILE_ids]) AND (dbo.[DiemChiTiet].[IsDeleted] IS NULL OR dbo.[DiemChiTiet].[IsDeleted] != ?) ORDER BY dbo.[DiemChiTiet].[HocSinhLopID], dbo.[DiemChiTiet].[MonHocID], dbo.[DiemChiTiet].[HocKy], dbo.[DiemChiTiet].[LoaiDiem], dbo.[DiemChiTiet].[STT], dbo.[DiemChiTiet].[DiemChiTietID];

-- statement 30
SELECT dbo.[DanhGiaTieuHoc].[DanhGiaTieuHocID], dbo.[DanhGiaTieuHoc].[HocSinhLopID], dbo.[DanhGiaTieuHoc].[MonHocID], dbo.[DanhGiaTieuHoc].[Ky], dbo.[DanhGiaTieuHoc].[MucDat], dbo.[DanhGiaTieuHoc].[DiemKTDK], dbo.[MonHoc].[MonHocID] AS [MonHocID_1], dbo.[MonHoc].[MaMon], dbo.[MonHoc].[TenMon], dbo.[MonHoc].[Loai] 
FROM dbo.[DanhGiaTieuHoc] JOIN dbo.[MonHoc] ON dbo.[DanhGiaTieuHoc].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[DanhGiaTieuHoc].[HocSinhLopID] IN (__[POSTCOMPILE_ids]) AND (dbo.[DanhGiaTieuHoc].[IsDeleted] IS NULL OR dbo.[DanhGiaTieuHoc].[IsDeleted] != ?) ORDER BY dbo.[DanhGiaTieuHoc].[HocSinhLopID], dbo.[DanhGiaTieuHoc].[MonHocID], dbo.[DanhGiaTieuHoc].[Ky], dbo.[DanhGiaTieuHoc].[DanhGiaTieuHocID];

-- statement 31
SELECT TOP __[POSTCOMPILE_param_1] dbo.[HocSinhLop].[HocSinhLopID], dbo.[HocSinhLop].[HocSinhID], dbo.[HocSinhLop].[LopID], dbo.[HocSinhLop].[TrangThai], dbo.[HocSinhLop].[SoBuoiNghiCoPhep], dbo.[HocSinhLop].[SoBuoiNghiKhongPhep], dbo.[HocSinhLop].[MienDanhGia], dbo.[HocSinhLop].[IsDeleted], dbo.[Lop].[LopID] AS [LopID_1], dbo.[Lop].[TruongID], dbo.[Lop].[NamHoc], dbo.[Lop].[Khoi], dbo.[Lop].[MaLop], dbo.[Lop].[TenLop], dbo.[Lop].[IsDeleted] AS [IsDeleted_1], dbo.[Truong].[TruongID] AS [TruongID_1], dbo.[Truong].[MaTruong], dbo.[Truong].[TenTruong], dbo.[Truong].[MaSoGD], dbo.[Truong].[IsDeleted] AS [IsDeleted_2], dbo.[HocSinh].[HocSinhID] AS [HocSinhID_1], dbo.[HocSinh].[MaHocSinh], dbo.[HocSinh].[MaCSDL], dbo.[HocSinh].[HoTen], dbo.[HocSinh].[NgaySinh], dbo.[HocSinh].[GioiTinh], dbo.[HocSinh].[DanToc], dbo.[HocSinh].[QuocTich], dbo.[HocSinh].[SoDinhDanh], dbo.[HocSinh].[HoTenCha], dbo.[HocSinh].[HoTenMe], dbo.[HocSinh].[HoTenNguoiGiamHo], dbo.[HocSinh].[DoiTuongChinhSach], dbo.[HocSinh].[IsDeleted] AS [IsDeleted_3], dbo.[KetQuaNam].[KetQuaNamID], dbo.[KetQuaNam].[HocSinhLopID] AS [HocSinhLopID_1], dbo.[KetQuaNam].[ThongTu], dbo.[KetQuaNam].[HocTapHK1], dbo.[KetQuaNam].[HocTapHK2], dbo.[KetQuaNam].[HocTapCN], dbo.[KetQuaNam].[HocTapSauHe], dbo.[KetQuaNam].[RenLuyenHK1], dbo.[KetQuaNam].[RenLuyenHK2], dbo.[KetQuaNam].[RenLuyenCN], dbo.[KetQuaNam].[RenLuyenSauHe], dbo.[KetQuaNam].[KiemTraLai], dbo.[KetQuaNam].[RenLuyenHe], dbo.[KetQuaNam].[DanhHieu], dbo.[KetQuaNam].[HocLuc], dbo.[KetQuaNam].[HanhKiem], dbo.[KetQuaNam].[KetQuaTieuHoc], dbo.[KetQuaNam].[KhenThuong], dbo.[KetQuaNam].[HoanThanhCTTieuHoc], dbo.[KetQuaNam].[LenLop], dbo.[KetQuaNam].[HoanThanhCTLop], dbo.[KetQuaNam].[NhanXetGVCN], dbo.[KetQuaNam].[ChucVuKy], dbo.[KetQuaNam].[DiaDanh], dbo.[KetQuaNam].[NgayKy] 
FROM dbo.[HocSinhLop] JOIN dbo.[Lop] ON dbo.[HocSinhLop].[LopID] = dbo.[Lop].[LopID] JOIN dbo.[Truong] ON dbo.[Lop].[TruongID] = dbo.[Truong].[TruongID] JOIN dbo.[HocSinh] ON dbo.[HocSinhLop].[HocSinhID] = dbo.[HocSinh].[HocSinhID] LEFT OUTER JOIN dbo.[KetQuaNam] ON dbo.[HocSinhLop].[HocSinhLopID] = dbo.[KetQuaNam].[HocSinhLopID] AND (dbo.[KetQuaNam].[IsDeleted] IS NULL OR dbo.[KetQuaNam].[IsDeleted] != ?) 
WHERE dbo.[Truong].[MaTruong] = ? AND dbo.[HocSinhLop].[HocSinhLopID] > ? ORDER BY dbo.[HocSinhLop].[HocSinhLopID];

-- statement 32
SELECT dbo.[Truong].[MaTruong] 
FROM dbo.[Truong] 
WHERE dbo.[Truong].[MaTruong] = ?;

-- statement 33
SELECT TOP __[POSTCOMPILE_param_1] dbo.[HocSinhLop].[HocSinhLopID], dbo.[HocSinhLop].[HocSinhID], dbo.[HocSinhLop].[LopID], dbo.[HocSinhLop].[TrangThai], dbo.[HocSinhLop].[SoBuoiNghiCoPhep], dbo.[HocSinhLop].[SoBuoiNghiKhongPhep], dbo.[HocSinhLop].[MienDanhGia], dbo.[HocSinhLop].[IsDeleted], dbo.[Lop].[LopID] AS [LopID_1], dbo.[Lop].[TruongID], dbo.[Lop].[NamHoc], dbo.[Lop].[Khoi], dbo.[Lop].[MaLop], dbo.[Lop].[TenLop], dbo.[Lop].[IsDeleted] AS [IsDeleted_1], dbo.[Truong].[TruongID] AS [TruongID_1], dbo.[Truong].[MaTruong], dbo.[Truong].[TenTruong], dbo.[Truong].[MaSoGD], dbo.[Truong].[IsDeleted] AS [IsDeleted_2], dbo.[HocSinh].[HocSinhID] AS [HocSinhID_1], dbo.[HocSinh].[MaHocSinh], dbo.[HocSinh].[MaCSDL], dbo.[HocSinh].[HoTen], dbo.[HocSinh].[NgaySinh], dbo.[HocSinh].[GioiTinh], dbo.[HocSinh].[DanToc], dbo.[HocSinh].[QuocTich], dbo.[HocSinh].[SoDinhDanh], dbo.[HocSinh].[HoTenCha], dbo.[HocSinh].[HoTenMe], dbo.[HocSinh].[HoTenNguoiGiamHo], dbo.[HocSinh].[DoiTuongChinhSach], dbo.[HocSinh].[IsDeleted] AS [IsDeleted_3], dbo.[KetQuaNam].[KetQuaNamID], dbo.[KetQuaNam].[HocSinhLopID] AS [HocSinhLopID_1], dbo.[KetQuaNam].[ThongTu], dbo.[KetQuaNam].[HocTapHK1], dbo.[KetQuaNam].[HocTapHK2], dbo.[KetQuaNam].[HocTapCN], dbo.[KetQuaNam].[HocTapSauHe], dbo.[KetQuaNam].[RenLuyenHK1], dbo.[KetQuaNam].[RenLuyenHK2], dbo.[KetQuaNam].[RenLuyenCN], dbo.[KetQuaNam].[RenLuyenSauHe], dbo.[KetQuaNam].[KiemTraLai], dbo.[KetQuaNam].[RenLuyenHe], dbo.[KetQuaNam].[DanhHieu], dbo.[KetQuaNam].[HocLuc], dbo.[KetQuaNam].[HanhKiem], dbo.[KetQuaNam].[KetQuaTieuHoc], dbo.[KetQuaNam].[KhenThuong], dbo.[KetQuaNam].[HoanThanhCTTieuHoc], dbo.[KetQuaNam].[LenLop], dbo.[KetQuaNam].[HoanThanhCTLop], dbo.[KetQuaNam].[NhanXetGVCN], dbo.[KetQuaNam].[ChucVuKy], dbo.[KetQuaNam].[DiaDanh], dbo.[KetQuaNam].[NgayKy] 
FROM dbo.[HocSinhLop] JOIN dbo.[Lop] ON dbo.[HocSinhLop].[LopID] = dbo.[Lop].[LopID] JOIN dbo.[Truong] ON dbo.[Lop].[TruongID] = dbo.[Truong].[TruongID] JOIN dbo.[HocSinh] ON dbo.[HocSinhLop].[HocSinhID] = dbo.[HocSinh].[HocSinhID] LEFT OUTER JOIN dbo.[KetQuaNam] ON dbo.[HocSinhLop].[HocSinhLopID] = dbo.[KetQuaNam].[HocSinhLopID] AND (dbo.[KetQuaNam].[IsDeleted] IS NULL OR dbo.[KetQuaNam].[IsDeleted] != ?) 
WHERE dbo.[Truong].[MaTruong] = ? AND (dbo.[HocSinhLop].[NgayCapNhat] >= ? OR dbo.[Lop].[NgayCapNhat] >= ? OR dbo.[Truong].[NgayCapNhat] >= ? OR dbo.[HocSinh].[NgayCapNhat] >= ? OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[KetQuaNam].[HocSinhLopID] 
FROM dbo.[KetQuaNam] 
WHERE dbo.[KetQuaNam].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[TongKetMon].[HocSinhLopID] 
FROM dbo.[TongKetMon] 
WHERE dbo.[TongKetMon].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[TongKetMon].[HocSinhLopID] 
FROM dbo.[TongKetMon] JOIN dbo.[MonHoc] ON dbo.[TongKetMon].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[MonHoc].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[TongKetHocKy].[HocSinhLopID] 
FROM dbo.[TongKetHocKy] 
WHERE dbo.[TongKetHocKy].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[TongKetHocKy].[HocSinhLopID] 
FROM dbo.[TongKetHocKy] JOIN dbo.[MonHoc] ON dbo.[TongKetHocKy].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[MonHoc].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[DiemChiTiet].[HocSinhLopID] 
FROM dbo.[DiemChiTiet] 
WHERE dbo.[DiemChiTiet].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[DiemChiTiet].[HocSinhLopID] 
FROM dbo.[DiemChiTiet] JOIN dbo.[MonHoc] ON dbo.[DiemChiTiet].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[MonHoc].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[DanhGiaTieuHoc].[HocSinhLopID] 
FROM dbo.[DanhGiaTieuHoc] 
WHERE dbo.[DanhGiaTieuHoc].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[DanhGiaTieuHoc].[HocSinhLopID] 
FROM dbo.[DanhGiaTieuHoc] JOIN dbo.[MonHoc] ON dbo.[DanhGiaTieuHoc].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[MonHoc].[NgayCapNhat] >= ?)) ORDER BY dbo.[HocSinhLop].[HocSinhLopID];

-- statement 34
SELECT TOP __[POSTCOMPILE_param_1] dbo.[HocSinhLop].[HocSinhLopID], dbo.[HocSinhLop].[HocSinhID], dbo.[HocSinhLop].[LopID], dbo.[HocSinhLop].[TrangThai], dbo.[HocSinhLop].[SoBuoiNghiCoPhep], dbo.[HocSinhLop].[SoBuoiNghiKhongPhep], dbo.[HocSinhLop].[MienDanhGia], dbo.[HocSinhLop].[IsDeleted], dbo.[Lop].[LopID] AS [LopID_1], dbo.[Lop].[TruongID], dbo.[Lop].[NamHoc], dbo.[Lop].[Khoi], dbo.[Lop].[MaLop], dbo.[Lop].[TenLop], dbo.[Lop].[IsDeleted] AS [IsDeleted_1], dbo.[Truong].[TruongID] AS [TruongID_1], dbo.[Truong].[MaTruong], dbo.[Truong].[TenTruong], dbo.[Truong].[MaSoGD], dbo.[Truong].[IsDeleted] AS [IsDeleted_2], dbo.[HocSinh].[HocSinhID] AS [HocSinhID_1], dbo.[HocSinh].[MaHocSinh], dbo.[HocSinh].[MaCSDL], dbo.[HocSinh].[HoTen], dbo.[HocSinh].[NgaySinh], dbo.[HocSinh].[GioiTinh], dbo.[HocSinh].[DanToc], dbo.[HocSinh].[QuocTich], dbo.[HocSinh].[SoDinhDanh], dbo.[HocSinh].[HoTenCha], dbo.[HocSinh].[HoTenMe], dbo.[HocSinh].[HoTenNguoiGiamHo], dbo.[HocSinh].[DoiTuongChinhSach], dbo.[HocSinh].[IsDeleted] AS [IsDeleted_3], dbo.[KetQuaNam].[KetQuaNamID], dbo.[KetQuaNam].[HocSinhLopID] AS [HocSinhLopID_1], dbo.[KetQuaNam].[ThongTu], dbo.[KetQuaNam].[HocTapHK1], dbo.[KetQuaNam].[HocTapHK2], dbo.[KetQuaNam].[HocTapCN], dbo.[KetQuaNam].[HocTapSauHe], dbo.[KetQuaNam].[RenLuyenHK1], dbo.[KetQuaNam].[RenLuyenHK2], dbo.[KetQuaNam].[RenLuyenCN], dbo.[KetQuaNam].[RenLuyenSauHe], dbo.[KetQuaNam].[KiemTraLai], dbo.[KetQuaNam].[RenLuyenHe], dbo.[KetQuaNam].[DanhHieu], dbo.[KetQuaNam].[HocLuc], dbo.[KetQuaNam].[HanhKiem], dbo.[KetQuaNam].[KetQuaTieuHoc], dbo.[KetQuaNam].[KhenThuong], dbo.[KetQuaNam].[HoanThanhCTTieuHoc], dbo.[KetQuaNam].[LenLop], dbo.[KetQuaNam].[HoanThanhCTLop], dbo.[KetQuaNam].[NhanXetGVCN], dbo.[KetQuaNam].[ChucVuKy], dbo.[KetQuaNam].[DiaDanh], dbo.[KetQuaNam].[NgayKy] 
FROM dbo.[HocSinhLop] JOIN dbo.[Lop] ON dbo.[HocSinhLop].[LopID] = dbo.[Lop].[LopID] JOIN dbo.[Truong] ON dbo.[Lop].[TruongID] = dbo.[Truong].[TruongID] JOIN dbo.[HocSinh] ON dbo.[HocSinhLop].[HocSinhID] = dbo.[HocSinh].[HocSinhID] LEFT OUTER JOIN dbo.[KetQuaNam] ON dbo.[HocSinhLop].[HocSinhLopID] = dbo.[KetQuaNam].[HocSinhLopID] AND (dbo.[KetQuaNam].[IsDeleted] IS NULL OR dbo.[KetQuaNam].[IsDeleted] != ?) 
WHERE dbo.[Truong].[MaTruong] = ? AND (dbo.[HocSinhLop].[NgayCapNhat] >= ? OR dbo.[Lop].[NgayCapNhat] >= ? OR dbo.[Truong].[NgayCapNhat] >= ? OR dbo.[HocSinh].[NgayCapNhat] >= ? OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[KetQuaNam].[HocSinhLopID] 
FROM dbo.[KetQuaNam] 
WHERE dbo.[KetQuaNam].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[TongKetMon].[HocSinhLopID] 
FROM dbo.[TongKetMon] 
WHERE dbo.[TongKetMon].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[TongKetMon].[HocSinhLopID] 
FROM dbo.[TongKetMon] JOIN dbo.[MonHoc] ON dbo.[TongKetMon].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[MonHoc].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[TongKetHocKy].[HocSinhLopID] 
FROM dbo.[TongKetHocKy] 
WHERE dbo.[TongKetHocKy].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[TongKetHocKy].[HocSinhLopID] 
FROM dbo.[TongKetHocKy] JOIN dbo.[MonHoc] ON dbo.[TongKetHocKy].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[MonHoc].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[DiemChiTiet].[HocSinhLopID] 
FROM dbo.[DiemChiTiet] 
WHERE dbo.[DiemChiTiet].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[DiemChiTiet].[HocSinhLopID] 
FROM dbo.[DiemChiTiet] JOIN dbo.[MonHoc] ON dbo.[DiemChiTiet].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[MonHoc].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[DanhGiaTieuHoc].[HocSinhLopID] 
FROM dbo.[DanhGiaTieuHoc] 
WHERE dbo.[DanhGiaTieuHoc].[NgayCapNhat] >= ?) OR dbo.[HocSinhLop].[HocSinhLopID] IN (SELECT dbo.[DanhGiaTieuHoc].[HocSinhLopID] 
FROM dbo.[DanhGiaTieuHoc] JOIN dbo.[MonHoc] ON dbo.[DanhGiaTieuHoc].[MonHocID] = dbo.[MonHoc].[MonHocID] 
WHERE dbo.[MonHoc].[NgayCapNhat] >= ?)) AND dbo.[HocSinhLop].[HocSinhLopID] > ? ORDER BY dbo.[HocSinhLop].[HocSinhLopID];
