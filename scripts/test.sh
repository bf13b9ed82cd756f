#!/usr/bin/env bash
# Runs every test: sets up (packages, .venv, build, install) if needed, then the GoogleTest suites through
# ctest and the pytest suites. On CI (CI=true) a missing OpenCL platform is a failure, not a skip.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
if [ "${CI:-}" = "true" ]; then export ADA_REQUIRE_OPENCL=1; fi
# ctest runs two suites at once on two cores: one thread each, or OpenMP workers spin against each other.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
status=0
echo "== GoogleTest (ctest) =="
(cd "$ROOT/build" && ctest --output-on-failure -j 2) || status=1
echo "== pytest =="
(cd "$ROOT" && .venv/bin/python -m pytest -q python/tests tests) || status=1
exit $status
