"""`ada adjoint-sample` end to end (tiny budgets: this checks the plumbing, the learning is checked in
ada_core/tests/TestAdjointSampling*.cpp and measured in docs/benchmarks/adjoint_sampling.md): progress lines,
checkpoint and resume, a model file that `ada sample` draws from by its controlled SDE and `ada evaluate
--energy` compares with the published reference samples, any OpenMM System as the energy, and a one-line
reason with a non-zero exit status on bad input."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ADA = os.path.join(os.path.dirname(sys.executable), "ada")
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared", "data")
TINY = ["--samples-per-iteration", 16, "--updates-per-iteration", 4, "--batch", 16, "--buffer", 64, "--sde-steps", 10,
        "--hidden", 8, "--layers", 2, "--progress-every", 1]


def ada(*args):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    return subprocess.run([ADA, *map(str, args)], capture_output=True, text=True, env=env)


def one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_train_resume_sample_evaluate_dw4(tmp_path):
    checkpoint, model = tmp_path / "ckpt.adab", tmp_path / "dw4.adab"
    result = ada("adjoint-sample", "--energy", "dw4", "--out", model, "--iterations", 2, *TINY, "--seed", 1,
                 "--checkpoint", checkpoint, "--checkpoint-every", 1)
    assert result.returncode == 0, result.stderr
    assert "iteration 2/2" in result.stderr and "it/s" in result.stderr and "ETA" in result.stderr
    assert "32 energy evaluations" in result.stdout and "8 gradient updates" in result.stdout
    result = ada("adjoint-sample", "--energy", "dw4", "--out", model, "--iterations", 3, "--resume", checkpoint,
                 "--checkpoint", checkpoint, "--progress-every", 1)
    assert result.returncode == 0, result.stderr
    assert "resumed from" in result.stderr and "iteration 3/3" in result.stderr
    assert "48 energy evaluations" in result.stdout and "12 gradient updates" in result.stdout

    samples = tmp_path / "samples.npy"
    result = ada("sample", "--model", model, "--count", 300, "--batch", 128, "--out", samples, "--seed", 2, "--energy", "dw4")
    assert result.returncode == 0, result.stderr
    assert "controlled SDE" in result.stdout and "30 field evaluations" in result.stdout  # 3 batches x 10 steps
    ess = float(result.stdout.split("path ESS ")[1].split()[0])
    assert 0 < ess <= 1
    x = np.load(samples)
    assert x.shape == (300, 8) and np.isfinite(x).all()
    assert np.abs(x.reshape(300, 4, 2).mean(1)).max() < 1e-4  # zero centre of mass
    one_line_error(ada("sample", "--model", model, "--count", 10, "--out", samples, "--method", "rk4"), "--method")
    # Heun's integrator: two field evaluations per step; path weights need the Euler chain.
    heun = tmp_path / "heun.npy"
    result = ada("sample", "--model", model, "--count", 50, "--out", heun, "--seed", 2, "--integrator", "heun")
    assert result.returncode == 0, result.stderr
    assert "20 field evaluations" in result.stdout
    assert np.load(heun).shape == (50, 8)
    one_line_error(ada("sample", "--model", model, "--count", 10, "--out", heun, "--integrator", "heun", "--energy", "dw4"),
                   "--integrator euler")

    result = ada("evaluate", "--samples", samples, "--data", os.path.join(DATA, "dw4_reference.npy"), "--energy", "dw4",
                 "--count", 300, "--seed", 0, "--report", tmp_path / "report.json", "--png", tmp_path / "report.png")
    assert result.returncode == 0, result.stderr
    w2 = float(result.stdout.split("geometric W2 ")[1].split()[0])
    energy_w2 = float(result.stdout.split("energy W2 ")[1].split()[0])
    assert w2 > 0 and energy_w2 > 0
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["energy_w2"] == pytest.approx(energy_w2, rel=1e-5)
    energy, distance = report["components"]
    assert energy["name"] == "energy (kT)" and distance["name"] == "interparticle distance"
    # --count 300 of 300 samples: the model's histogram is of all 6 pair distances of every sample (edge bins
    # take what lies beyond), recomputed here.
    p = x.astype(np.float64).reshape(300, 4, 2)
    pairs = np.concatenate([np.linalg.norm(p[:, i] - p[:, j], axis=1) for i in range(4) for j in range(i + 1, 4)])
    edges = np.array(distance["edges"])
    counts, _ = np.histogram(np.clip(pairs, edges[0], edges[-1]), bins=edges)
    assert np.allclose(distance["p_model"], counts / pairs.size, atol=1e-12)
    assert distance["outside_model"] == pytest.approx(np.mean((pairs < edges[0]) | (pairs > edges[-1])))
    assert sum(energy["p_reference"]) == pytest.approx(1.0)
    # The reference against itself (other frames): the sampling floor, far below an untrained sampler.
    result = ada("evaluate", "--samples", os.path.join(DATA, "dw4_reference.npy"), "--data",
                 os.path.join(DATA, "dw4_reference.npy"), "--energy", "dw4", "--count", 300, "--seed", 0,
                 "--report", tmp_path / "floor.json")
    assert result.returncode == 0, result.stderr
    assert float(result.stdout.split("energy W2 ")[1].split()[0]) < energy_w2
    floor = json.loads((tmp_path / "floor.json").read_text())["components"]
    assert floor[0]["jsd"] < energy["jsd"] and floor[1]["jsd"] < distance["jsd"]
    assert floor[0]["outside_model"] <= 0.01
    one_line_error(ada("evaluate", "--samples", samples, "--data", os.path.join(DATA, "dw4_reference.npy"), "--energy", "dw4",
                       "--png", tmp_path / "r.png"), "--report")


def bundle_config(path):
    """The config of a bundle file (io/Bundle.h: magic, uint32 version, uint64 header length, JSON header)."""
    import json
    import struct
    with open(path, "rb") as f:
        assert f.read(8) == b"ADABNDL\n"
        f.read(4)
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length))["config"]


def test_evaluate_report_of_a_one_particle_energy(tmp_path):
    """Mueller-Brown has one particle: the report holds the energy's histograms and no distances."""
    rng = np.random.default_rng(0)
    np.save(tmp_path / "a.npy", rng.normal([-0.5, 1.5], 0.1, size=(200, 2)))
    np.save(tmp_path / "b.npy", rng.normal([0.6, 0.0], 0.1, size=(200, 2)))
    result = ada("evaluate", "--samples", tmp_path / "a.npy", "--data", tmp_path / "b.npy", "--energy", "muller-brown",
                 "--report", tmp_path / "r.json")
    assert result.returncode == 0, result.stderr
    components = json.loads((tmp_path / "r.json").read_text())["components"]
    assert [c["name"] for c in components] == ["energy (kT)"]
    assert components[0]["jsd"] > 0.3  # two different minima


def test_egnn_options_reach_the_model_file(tmp_path):
    model = tmp_path / "dw4.adab"
    result = ada("adjoint-sample", "--energy", "dw4", "--out", model, "--iterations", 1, *TINY, "--layer-norm",
                 "--time-frequency", 10, "--coordinate-range", 5, "--radial-basis", 8, "--radial-cutoff", 4)
    assert result.returncode == 0, result.stderr
    config = bundle_config(model)
    assert config["layer_norm"] is True and config["max_frequency"] == 10 and config["coordinate_range"] == 5, config
    assert config["radial_basis"] == 8 and config["radial_cutoff"] == 4, config
    result = ada("sample", "--model", model, "--count", 20, "--out", tmp_path / "s.npy", "--seed", 1)
    assert result.returncode == 0, result.stderr
    one_line_error(ada("adjoint-sample", "--energy", "dw4", "--out", model, "--time-frequency", 0), "--time-frequency")
    one_line_error(ada("adjoint-sample", "--energy", "dw4", "--out", model, "--radial-basis", 4, "--radial-cutoff", -1), "radial_cutoff")


def test_any_openmm_system(tmp_path):
    import openmm
    system = openmm.System()
    bonds = openmm.HarmonicBondForce()
    for i in range(3):
        system.addParticle(12.0)
    bonds.addBond(0, 1, 0.15, 2000.0)
    bonds.addBond(1, 2, 0.15, 2000.0)
    system.addForce(bonds)
    xml = tmp_path / "system.xml"
    xml.write_text(openmm.XmlSerializer.serialize(system))
    model = tmp_path / "openmm.adab"
    result = ada("adjoint-sample", "--energy", f"openmm:{xml}", "--temperature", 300, "--out", model, "--iterations", 2,
                 *TINY, "--sigma-max", 0.2)
    assert result.returncode == 0, result.stderr
    samples = tmp_path / "samples.npy"
    result = ada("sample", "--model", model, "--count", 20, "--out", samples, "--energy", f"openmm:{xml}")
    assert result.returncode == 0, result.stderr
    assert np.load(samples).shape == (20, 3, 3)


def test_bad_input(tmp_path):
    out = tmp_path / "m.adab"
    one_line_error(ada("adjoint-sample", "--energy", "dw5", "--out", out), "unknown energy \"dw5\"")
    bad = tmp_path / "bad.xml"
    bad.write_text("<System><Particles>")
    one_line_error(ada("adjoint-sample", "--energy", f"openmm:{bad}", "--out", out), str(bad), "System XML")
    one_line_error(ada("adjoint-sample", "--energy", f"openmm:{tmp_path / 'missing.xml'}", "--out", out), "missing.xml")
    one_line_error(ada("adjoint-sample", "--energy", "dw4", "--temperature", 300, "--out", out), "--temperature")
    one_line_error(ada("adjoint-sample", "--energy", "lj13", "--sigma-min", 2, "--sigma-max", 1, "--out", out), "sigma")
    one_line_error(ada("adjoint-sample", "--energy", "dw4", "--resume", tmp_path / "none.adab", "--out", out), "none.adab")
    # A reference file of another system: LJ-13 configurations compared under the DW-4 energy.
    one_line_error(ada("evaluate", "--samples", os.path.join(DATA, "lj13_reference.npy"), "--data",
                       os.path.join(DATA, "dw4_reference.npy"), "--energy", "dw4"), "lj13_reference.npy", "4 particles in 2-D")
    one_line_error(ada("evaluate", "--samples", os.path.join(DATA, "dw4_reference.npy"), "--data",
                       os.path.join(DATA, "dw4_reference.npy")), "--observables", "--energy")


def test_benchmark_extra_options_replace_settings():
    """benchmarks/adjoint_sampling.py --extra replaces a setting of the same name (ada rejects an option given
    twice) and appends the others, flags included."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
    try:
        import adjoint_sampling
    finally:
        sys.path.pop(0)
    settings = ["--iterations", 1000, "--hidden", 32, "--layers", 3]
    changed = adjoint_sampling.with_options(settings, ["--hidden", "64", "--layer-norm", "--lr", "3e-4", "--iterations", "2000"])
    assert changed == ["--iterations", "2000", "--hidden", "64", "--layers", 3, "--layer-norm", "--lr", "3e-4"]
    assert settings == ["--iterations", 1000, "--hidden", 32, "--layers", 3]
