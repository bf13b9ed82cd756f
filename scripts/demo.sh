#!/usr/bin/env bash
# The main job: sets up if needed, then simulates alanine dipeptide in implicit solvent with and without an
# ADAForce on its backbone dihedrals and writes examples/output/alanine_dipeptide_phi_psi.png.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
exec "$ROOT/.venv/bin/python" "$ROOT/examples/alanine_dipeptide_bias.py" "$@"
