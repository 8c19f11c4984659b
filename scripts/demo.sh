#!/usr/bin/env bash
# `make demo`: a synthetic secondary school (with a few deliberate errors) and a synthetic primary school,
# extracted and validated; prints the validation report; then the secondary school's valid records are
# frozen, signed by the three roles with a TEST PKI, rendered as PAdES-signed PDFs and every signature is
# verified (scripts/demo-sign.sh). Leaves the files in demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
H=.venv/bin/hocba
OUT=demo-output
rm -rf "$OUT"
mkdir -p "$OUT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Trường THCS mẫu (dữ liệu tổng hợp, có lỗi cố ý) / synthetic lower-secondary school with deliberate errors"
$H generate --seed 2025 --level thcs --students 160 --errors 0.08 --format csv --out "$OUT/truong-thcs"
$H discover "$OUT/truong-thcs"
$H extract "$OUT/truong-thcs" -o "$OUT/records-thcs.jsonl"

step "Báo cáo kiểm tra / validation report"
set +e
$H validate "$OUT/truong-thcs" --limit 25 --report "$OUT/bao-cao-thcs.xlsx"
rc=$?
$H validate "$OUT/truong-thcs" --report "$OUT/bao-cao-thcs.html" >/dev/null 2>&1
set -e
[[ $rc -le 1 ]] || { echo "validate failed with exit code $rc" >&2; exit $rc; }

step "Trường tiểu học mẫu, không lỗi / synthetic primary school without errors"
$H generate --seed 2026 --level primary --students 120 --format csv --out "$OUT/truong-tieu-hoc"
$H validate "$OUT/truong-tieu-hoc" --limit 10

step "Ký số trường THCS mẫu / signing the sample lower-secondary school (PKI THỬ NGHIỆM / TEST PKI)"
echo "Chỉ ký trường THCS: bản ghi có lỗi cố ý bị từ chối khi chốt, các bản ghi khác được ký (một con dấu = một trường)."
echo "Only the THCS school is signed: records with deliberate errors are refused at freeze, the others are signed"
echo "(one school seal per school; the primary school would be signed the same way)."
scripts/demo-sign.sh "$OUT/truong-thcs" "$OUT/ky-so"

step "Kết quả / output"
echo "Báo cáo cho văn thư / clerk's reports: $OUT/bao-cao-thcs.xlsx, $OUT/bao-cao-thcs.html"
echo "Bản ghi chuẩn / canonical records:     $OUT/records-thcs.jsonl"
echo "Lỗi đã cài cố ý / injected errors:     $OUT/truong-thcs/injected_errors.jsonl"
echo "Học bạ đã ký, PDF / signed XML, PDFs:   $OUT/ky-so/hoc-ba/<lớp>/, $OUT/ky-so/pdf/ (PKI THỬ NGHIỆM / TEST PKI)"
echo "Lưu ý: định dạng XML của hocba là TẠM THỜI, không phải định dạng chính thức QĐ 3016/QĐ-BGDĐT."
