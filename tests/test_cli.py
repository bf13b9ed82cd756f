"""The `ada` command installed in the virtual environment: bias verbs, and a one-line reason with a non-zero
exit status on bad input."""

import json
import os
import subprocess
import sys

import pytest

ADA = os.path.join(os.path.dirname(sys.executable), "ada")


def run(*args):
    return subprocess.run([ADA, *args], capture_output=True, text=True)


@pytest.fixture
def bias_file(tmp_path):
    spec = {"temperature": 310.0, "terms": [
        {"observable": {"type": "distance", "atoms": [0, 5]},
         "function": {"type": "spline", "grid": [0.0, 0.5, 1.0], "values": [1.0, 0.0, 1.0]}},
        {"observable": {"type": "rg", "atoms": [0, 1, 2, 3]},
         "function": {"type": "mlp", "layers": [{"weight": [[1.0], [2.0]], "bias": [0.0, 0.1]},
                                                {"weight": [[0.5, -0.5]], "bias": [0.0]}]}}]}
    path = tmp_path / "bias.json"
    path.write_text(json.dumps(spec))
    return path


def test_bias_info_lists_terms(bias_file):
    result = run("bias-info", str(bias_file), "--particles", "6")
    assert result.returncode == 0, result.stderr
    assert "2 term(s) at 310 K" in result.stdout
    assert "spline of distance (dimension 1) on atoms 0 5" in result.stdout
    assert "mlp of rg (dimension 1) on atoms 0 1 2 3" in result.stdout


def test_bias_info_rejects_atoms_beyond_the_system(bias_file):
    result = run("bias-info", str(bias_file), "--particles", "5")
    assert result.returncode != 0
    assert "atom index 5 is out of range (the system has 5 particles)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_embed_bias_round_trips(bias_file, tmp_path):
    out = tmp_path / "embedded.json"
    result = run("embed-bias", str(bias_file), str(out))
    assert result.returncode == 0, result.stderr
    embedded = json.loads(out.read_text())
    assert embedded["temperature"] == 310.0
    assert embedded["terms"][1]["function"]["layers"][0]["weight"] == [[1.0], [2.0]]
    assert run("bias-info", str(out)).returncode == 0


def test_bad_input_exits_nonzero_with_reason(tmp_path):
    missing = run("bias-info", str(tmp_path / "absent.json"))
    assert missing.returncode != 0 and "cannot open bias specification" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"terms": [')
    result = run("bias-info", str(broken))
    assert result.returncode != 0 and "malformed JSON" in result.stderr
    out = tmp_path / "never.json"
    assert run("embed-bias", str(broken), str(out)).returncode != 0
    assert not out.exists()
