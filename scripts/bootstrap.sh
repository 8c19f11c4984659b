#!/usr/bin/env bash
# Idempotent set-up used by `make demo`, `make test` and `make bench`:
#  1. Debian packages listed in scripts/system-packages.txt that are missing (apt-get; needs root);
#  2. .venv with the core and the three plugins installed editable (vnedu with its C driver, mysqlclient),
#     re-done when a pyproject changes.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r pkg _; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/system-packages.txt
if ((${#missing[@]})); then
  echo "bootstrap: installing system packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
stamp=.venv/.hocba-installed
inputs=(pyproject.toml plugins/*/pyproject.toml)
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
if [[ ! -f $stamp ]] || [[ -n $(find "${inputs[@]}" -newer "$stamp" 2>/dev/null) ]]; then
  echo "bootstrap: installing hocba and its plugins into .venv"
  .venv/bin/python -m pip install -q --upgrade pip 2>/dev/null || true
  .venv/bin/python -m pip install -q -e '.[test]' -e plugins/csv -e 'plugins/vnedu[c-driver]' -e plugins/smas
  touch "$stamp"
fi
