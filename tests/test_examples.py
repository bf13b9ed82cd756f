"""The Quick start's main job runs end to end (a very short simulation) and writes its outputs."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_alanine_dipeptide_example_writes_plot_and_bias(tmp_path):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "alanine_dipeptide_bias.py"),
                             "--ns", "0.01", "--output", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    png = tmp_path / "alanine_dipeptide_phi_psi.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    spec = json.loads((tmp_path / "alanine_dipeptide_bias.json").read_text())
    assert [t["observable"]["atoms"] for t in spec["terms"]] == [[4, 6, 8, 14], [6, 8, 14, 16]]
    assert "fraction of frames with phi > 0" in result.stdout


def test_example_rejects_bad_arguments(tmp_path):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "alanine_dipeptide_bias.py"),
                             "--ns", "-1", "--output", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode != 0 and "--ns must be positive" in result.stderr
