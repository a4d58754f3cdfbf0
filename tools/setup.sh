#!/usr/bin/env bash
# Idempotent setup: Debian packages + a virtualenv with requirements.txt.
# Safe to run again and again; installs only what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APT_PACKAGES=(
  python3 python3-venv python3-dev python3-tk gcc
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-osd
  fonts-wqy-microhei fonts-wqy-zenhei fonts-hanazono
  xvfb xauth x11-utils xdotool
  sane-utils libsane1 libsane-dev
  zbar-tools libzbar0
  poppler-utils qpdf
  cups cups-client cups-bsd printer-driver-cups-pdf
  libgl1 libglib2.0-0
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "需要安装系统软件包（${missing[*]}），请用 root 账号运行，或先安装并配置 sudo。" >&2
    exit 1
  fi
  echo "正在安装系统软件包: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Debian's own Python 3.11 (with python3-tk); fall back to python3 on PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)"
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q -r requirements.txt >&2
  echo "$WANT" > "$STAMP"
fi
