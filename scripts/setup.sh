#!/usr/bin/env bash
# Sets up openmm-ada on a Debian 12 machine: Debian packages, the project virtual environment (.venv), then
# builds and installs the plugin into it. Safe to run again: what is present is not redone.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { echo "[setup] $*" >&2; }

DEBS=(build-essential cmake ninja-build pkg-config libtorch-dev libeigen3-dev nlohmann-json3-dev libcli11-dev
      liblemon-dev libspectra-dev libgtest-dev libgmock-dev libbenchmark-dev ocl-icd-opencl-dev opencl-headers
      pocl-opencl-icd clinfo python3 python3-venv python3-dev
      libopenblas0-pthread)  # LibTorch from Debian calls the system BLAS: OpenBLAS instead of the reference one
missing=()
for p in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    log "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

# The virtual environment uses Debian's Python (its headers come from python3-dev).
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    /usr/bin/python3 -m venv "$VENV"
fi
REQ="$ROOT/python/requirements.txt"
STAMP="$VENV/.ada-requirements"
if ! cmp -s "$REQ" "$STAMP"; then
    log "installing Python packages from python/requirements.txt"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r "$REQ"
    cp "$REQ" "$STAMP"
fi

OPENMM_DIR=$("$VENV/bin/python" -c "import os, openmm.version as v; print(os.path.dirname(v.openmm_library_path))")
BUILD="$ROOT/build"
if [ ! -f "$BUILD/build.ninja" ]; then
    log "configuring the build in $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPENMM_DIR="$OPENMM_DIR" \
        -DCMAKE_INSTALL_PREFIX="$VENV" -DPython3_EXECUTABLE="$VENV/bin/python" >/dev/null
fi
log "building (incremental)"
cmake --build "$BUILD" -j "$(nproc)" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
test "${PIPESTATUS[0]}" -eq 0
cmake --install "$BUILD" >/dev/null
log "ready: $VENV/bin/python -c 'import openmmada'; $VENV/bin/ada --help"
