#!/usr/bin/env bash
# The signing half of `make demo` (tests/sign/test_demo_sign.py runs it on a tiny school so it cannot rot):
# freeze the validated records of SOURCE_DIR, create a TEST PKI and run its TSA/OCSP/CRL on 127.0.0.1, sign
# every transcript as GVCN → principal → school seal, export the sealed XML (+ .p7s evidence), render the PDFs
# and PAdES-sign them with the same three roles, then check every signature with `hocba verify`, xmlsec1 and
# pdfsig. Any failed step or check stops it with a non-zero exit code.
#
# Usage: scripts/demo-sign.sh SOURCE_DIR WORK_DIR      (WORK_DIR must not exist yet, or be empty)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -eq 2 ]] || { echo "usage: $0 SOURCE_DIR WORK_DIR" >&2; exit 2; }
H=${HOCBA_BIN:-.venv/bin/hocba}      # the test runs it with its own interpreter's hocba
PY=${HOCBA_PYTHON:-.venv/bin/python}
SRC=$1
W=$(realpath -m "$2")  # absolute: the TEST PKI writes its paths into the configuration
if [[ -e $W && -n $(ls -A "$W") ]]; then echo "$W is not empty" >&2; exit 2; fi
mkdir -p "$W/logs"
CONFIG=$W/config.toml
PKI=$W/pki
XML=$W/hoc-ba  # the sealed transcripts, one folder per class
PDF=$W/pdf     # their signed renderings, named like the XML files
DSIG="http://www.w3.org/2000/09/xmldsig#"
SLOTS=(GVCN HieuTruong DonVi)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '%s\n' "$*"; }
fail() { printf 'THẤT BẠI / FAILED: %s\n' "$*" >&2; exit 1; }

# run LOG CMD…: the command's output goes to logs/LOG.log (hundreds of lines per batch) and its duration to
# logs/timings.txt; when it fails, the end of the log is shown and the demo stops.
run() {
  local name=$1 log="$W/logs/$1.log" start=$SECONDS
  shift
  "$@" >"$log" 2>&1 || { local rc=$?; tail -n 25 "$log" >&2; fail "$* (exit $rc, log: $log)"; }
  printf '%s\t%s s\n' "$name" $((SECONDS - start)) >>"$W/logs/timings.txt"
}
# The line of a log that reports the result (the commands print it last, after the list of documents).
result_line() { grep -v '^{"event"' "$W/logs/$1.log" | grep -v '^  ' | grep -m1 "$2" || true; }

# --- the TEST PKI's services: always stopped, also on failure or Ctrl-C --------------------------------

SERVE_PID=
stop_services() {
  if [[ -n $SERVE_PID ]]; then
    kill "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
    SERVE_PID=
  fi
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free port chosen by the system, not the default 8790: another demo or a test run may be using that one.
free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Wait until OUR services answer: the CRL must be signed by this PKI's issuing CA (if the port was taken after
# all, another server answers there and ours has stopped), or fail when our process has ended.
wait_for_services() {
  "$PY" - "$1" "$SERVE_PID" "$PKI/test-only-issuing-ca.pem" <<'EOF'
import os, sys, time, urllib.request
from cryptography import x509
url, pid, issuing = sys.argv[1], int(sys.argv[2]), x509.load_pem_x509_certificate(open(sys.argv[3], "rb").read())
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        crl = x509.load_der_x509_crl(opener.open(f"{url}/crl/issuing.crl", timeout=2).read())
        if crl.is_signature_valid(issuing.public_key()):
            sys.exit(0)
        sys.exit(f"another server answers on {url} (port taken)")
    except (OSError, ValueError):
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("hocba pki serve stopped")
    time.sleep(0.1)
sys.exit("hocba pki serve did not answer within 60 s")
EOF
}

# --- 1. freeze -------------------------------------------------------------------------------------------

step "Chốt dữ liệu để ký / freeze the validated records for signing"
printf '[state]\nurl = "sqlite:///%s/state.db"\n\n' "$W" >"$CONFIG"
set +e
$H freeze "$SRC" --config "$CONFIG" >"$W/logs/freeze.log" 2>&1
rc=$?
set -e
# exit 1 = some records were refused: those with error findings (the deliberate errors) are never frozen
[[ $rc -le 1 ]] || { tail -n 25 "$W/logs/freeze.log" >&2; fail "hocba freeze (exit $rc)"; }
result_line freeze "PROVISIONAL\|TẠM THỜI"
say "→ Bản ghi có lỗi (mức error) không được chốt — đúng như quy định."
say "  Records with error findings are not frozen, by design (SIG-6); the others await the homeroom teachers."

# --- 2. the TEST PKI and its services -------------------------------------------------------------------

step "PKI THỬ NGHIỆM (KHÔNG DÙNG THẬT) / TEST PKI (TEST ONLY): CA, GVCN mỗi lớp, hiệu trưởng, con dấu, TSA, OCSP"
URL="http://127.0.0.1:$(free_port)"
run pki-init $H pki init --out "$PKI" --all-classes --url "$URL" --config "$CONFIG"
cat "$PKI/test-only-signing.toml" >>"$CONFIG"  # [signing] + one pkcs12 backend per signer
mapfile -t CLASSES < <($PY -c 'import json, sys; print(*json.load(open(sys.argv[1]))["gvcn"], sep="\n")' \
  "$PKI/test-only-pki.json")
say "PKI: $PKI — ${#CLASSES[@]} GVCN (${CLASSES[*]}), dịch vụ / services: $URL"
$H pki serve --dir "$PKI" >"$W/logs/pki-serve.log" 2>&1 &
SERVE_PID=$!
wait_for_services "$URL" || fail "hocba pki serve (log: $W/logs/pki-serve.log)"
say "TSA + OCSP + CRL đang chạy / running on $URL (pid $SERVE_PID; dừng khi demo kết thúc / stopped at the end)"

# --- 3. sign the XML: GVCN per class, then the principal, then the school seal ----------------------------

step "Ký XML theo thứ tự GVCN → Hiệu trưởng → Dấu đơn vị / sign the XML: homeroom teachers, principal, seal"
for c in "${CLASSES[@]}"; do
  run "sign-gvcn-$c" $H sign --role gvcn --backend "test-gvcn-$c" --config "$CONFIG" --yes
  if [[ $c == "${CLASSES[0]}" ]]; then  # what a teacher is shown before signing (names are synthetic)
    say "(GVCN $c xem trước khi ký / is shown before signing:)"
    grep -m4 -v '^{"event"' "$W/logs/sign-gvcn-$c.log"
    say "  …"
  fi
  result_line "sign-gvcn-$c" "^Đã ký\|^Signed"
done
run sign-hieu-truong $H sign --role hieu_truong --backend test-hieu-truong --config "$CONFIG" --yes
result_line sign-hieu-truong "^Đã ký\|^Signed"
run sign-don-vi $H sign --role don_vi --backend test-con-dau --config "$CONFIG" --yes  # + .p7s (TSA)
result_line sign-don-vi "^Đã ký\|^Signed"

step "Xuất học bạ đã ký xong (XML + bằng chứng .p7s) / export the sealed transcripts (XML + .p7s evidence)"
for c in "${CLASSES[@]}"; do
  run "export-$c" $H sign-status --class "$c" --export "$XML/$c" --config "$CONFIG"
done
run sign-status $H sign-status --config "$CONFIG" --json
# one line per class and state, as `hocba sign-status` shows them, then "<all documents> <sealed>"
status=$("$PY" - "$W/logs/sign-status.log" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
for row in rows:
    print(f"  {row['class']:<8} {row['state']:<12} {row['documents']:>5}")
print(sum(r["documents"] for r in rows), sum(r["documents"] for r in rows if r["state"] == "SEALED"))
EOF
)
say "${status%$'\n'*}"
read -r frozen sealed <<<"${status##*$'\n'}"
[[ $frozen -gt 0 && $sealed -eq $frozen ]] || fail "$sealed of $frozen documents sealed"
mapfile -t XML_FILES < <(find "$XML" -name '*.xml' | sort)
[[ ${#XML_FILES[@]} -eq $frozen ]] || fail "exported ${#XML_FILES[@]} documents, $frozen were frozen"
say "$frozen học bạ đủ 3 chữ ký đã xuất / sealed transcripts exported: $XML/<lớp>/"

# --- 4. PDF renderings, PAdES-signed by the same three roles ------------------------------------------------

step "Bản thể hiện PDF, ký PAdES bởi cùng ba vai trò / PDF renderings, PAdES-signed by the same roles"
run render $H render "$XML"/* --out "$PDF" --config "$CONFIG"
result_line render "→"
for c in "${CLASSES[@]}"; do  # each teacher signs her class's pages
  run "pades-gvcn-$c" $H render "$XML/$c" --out "$PDF" --config "$CONFIG" --role gvcn --backend "test-gvcn-$c" --yes
  result_line "pades-gvcn-$c" "→"
done
run pades-hieu-truong $H render "$XML"/* --out "$PDF" --config "$CONFIG" --role hieu_truong \
  --backend test-hieu-truong --yes
result_line pades-hieu-truong "→"
run pades-don-vi $H render "$XML"/* --out "$PDF" --config "$CONFIG" --role don_vi --backend test-con-dau --yes
result_line pades-don-vi "→"

# --- 5. checks: hocba verify (revocation required), xmlsec1 per role, pdfsig per PDF ----------------------

step "Kiểm tra mọi chữ ký / check every signature: hocba verify, xmlsec1, pdfsig"
run verify $H verify "${XML_FILES[@]}" --config "$CONFIG" --revocation require --require-evidence
result_line verify "^[0-9]"
stop_services  # nothing needs the TSA/OCSP any more

ROOT=$PKI/test-only-root-ca.pem
for slot in "${SLOTS[@]}"; do  # libxmlsec1: an independent XMLDSig implementation
  run "xmlsec1-$slot" xmlsec1 --verify --trusted-pem "$ROOT" --id-attr:Id urn:hocba:schema:canonical:0.1:DLHocBa \
    --id-attr:Id "$DSIG:Signature" --id-attr:Id "$DSIG:Object" --node-id "SIG-$slot" "${XML_FILES[@]}"
  ok=$(grep -c '^OK$' "$W/logs/xmlsec1-$slot.log" || true)
  [[ $ok -eq ${#XML_FILES[@]} ]] || fail "xmlsec1 SIG-$slot: $ok of ${#XML_FILES[@]} OK"
done
say "xmlsec1 --verify: $((${#XML_FILES[@]} * ${#SLOTS[@]})) chữ ký hợp lệ / signatures valid (${SLOTS[*]})"

mapfile -t PDF_FILES < <(find "$PDF" -name '*.pdf' | sort)
[[ ${#PDF_FILES[@]} -eq $frozen ]] || fail "${#PDF_FILES[@]} PDFs for $frozen documents"
for pdf in "${PDF_FILES[@]}"; do  # poppler's pdfsig (NSS): an independent PAdES reader
  valid=$(pdfsig -nocert "$pdf" 2>/dev/null | grep -c 'Signature is Valid' || true)
  [[ $valid -eq ${#SLOTS[@]} ]] || fail "pdfsig $pdf: $valid of ${#SLOTS[@]} signatures valid"
done
say "pdfsig: $((${#PDF_FILES[@]} * ${#SLOTS[@]})) chữ ký PDF hợp lệ / PDF signatures valid"

step "Kết quả ký số / signing result"
say "$frozen học bạ / transcripts, mỗi học bạ 3 chữ ký / 3 signatures each (GVCN, Hiệu trưởng, Dấu đơn vị):"
say "  hocba verify (thu hồi đã kiểm tra / revocation checked): $frozen/$frozen hợp lệ / valid"
say "  xmlsec1 --verify: $((frozen * 3)) chữ ký / signatures;  pdfsig: $((frozen * 3)) chữ ký PDF / PDF signatures"
say "Học bạ đã ký (XML + .p7s) / sealed XML + CMS evidence: $XML/<lớp>/"
say "Bản thể hiện PDF đã ký / signed PDFs:                  $PDF/"
say "PKI THỬ NGHIỆM — KHÔNG DÙNG THẬT / TEST PKI — TEST ONLY: $PKI"
say "Nhật ký từng lệnh / each command's log:                $W/logs/"
say "Thời gian / time taken: ${SECONDS} s"
