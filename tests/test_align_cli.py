"""`ada align` end to end on a system with an exact base model (DESIGN.md §3.3): one particle in an isotropic
harmonic well, whose Boltzmann distribution N(0, s² I) is the base flow exactly (a one-component
gaussian_mixture_field bundle). The "experiment" observes x only, from N(0.04, 0.08²). ADA must move the
model's x toward it, and the exported bias (U_bias = kT·β·f(x), an ADAForce) must make Langevin MD of the same
System sample the experimental x distribution, which unbiased MD does not. Bad input gives a one-line error."""

import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

ADA = os.path.join(os.path.dirname(sys.executable), "ada")
from harmonic_well import SD, TARGET_MEAN, TARGET_SD, TEMPERATURE, w1, well_system


def run(*args):
    return subprocess.run([ADA, *args], capture_output=True, text=True)


def write_mixture_bundle(path, means, variances, weights):
    """A bundle (io/Bundle.h) of kind gaussian_mixture_field: no tensors, all in the config."""
    header = json.dumps({"kind": "gaussian_mixture_field",
                         "config": {"weights": weights, "means": means, "variances": variances},
                         "tensors": []}).encode()
    with open(path, "wb") as f:
        f.write(b"ADABNDL\n" + struct.pack("<I", 1) + struct.pack("<Q", len(header)) + header)


@pytest.fixture(scope="module")
def problem(tmp_path_factory):
    root = tmp_path_factory.mktemp("align")
    write_mixture_bundle(root / "base.model", [[0.0, 0.0, 0.0]], [[SD**2] * 3], [1.0])
    rng = np.random.default_rng(3)
    np.save(root / "x.npy", rng.normal(TARGET_MEAN, TARGET_SD, 4000))
    spec = {"temperature": TEMPERATURE,
            "observables": [{"name": "x", "observable": {"type": "coordinates", "atoms": [0], "components": "x"},
                             "data": "x.npy"}]}
    (root / "observables.json").write_text(json.dumps(spec))
    return root


@pytest.fixture(scope="module")
def aligned(problem):
    out = problem / "out"
    result = run("align", "--model", str(problem / "base.model"), "--observables", str(problem / "observables.json"),
                 "--out", str(out), "--beta", "20", "--rounds", "20", "--critic-warmup", "1500", "--pool", "3000",
                 "--generator-iterations", "40", "--generator-lr", "3e-3", "--seed", "1")
    assert result.returncode == 0, result.stderr
    return out, result


def test_align_writes_model_bias_and_report(aligned):
    out, result = aligned
    for name in ("aligned.model", "bias.json", "report.json", "report.png", "checkpoint.bundle"):
        assert (out / name).exists(), name
    report = json.loads((out / "report.json").read_text())
    x = report["observables"][0]
    # Base N(0, 0.1²) vs target N(0.04, 0.08²): W1 ≈ 0.04. The aligned generator must get most of the way.
    assert x["w1_base"] > 0.03
    assert x["w1_aligned"] < 0.4 * x["w1_base"], x
    assert len(report["history"]) == 20
    bias = json.loads((out / "bias.json").read_text())
    assert bias["temperature"] == TEMPERATURE
    assert bias["terms"][0]["function"]["type"] == "spline"


def test_a_seed_gives_one_alignment(problem, tmp_path):
    """The seed fixes everything random in `ada align`, the correction's initial weights included: two short runs
    with one seed write the same aligned model and bias (the report differs only in wall times)."""
    files = []
    for name in ("a", "b"):
        result = run("align", "--model", str(problem / "base.model"), "--observables", str(problem / "observables.json"),
                     "--out", str(tmp_path / name), "--beta", "20", "--rounds", "2", "--critic-warmup", "20", "--pool",
                     "200", "--generator-iterations", "3", "--seed", "1")
        assert result.returncode == 0, result.stderr
        files.append([(tmp_path / name / f).read_bytes() for f in ("aligned.model", "bias.json")])
    assert files[0] == files[1]


def test_critic_average_defines_the_exported_bias(problem, tmp_path):
    """`--critic-average` exports the moving average of the critics' weights (ObservableCritics.h): the same short
    run with and without it writes different biases; a decay outside [0, 1) is refused by name."""
    biases = []
    for name, extra in (("last", []), ("average", ["--critic-average", "0.9"])):
        result = run("align", "--model", str(problem / "base.model"), "--observables", str(problem / "observables.json"),
                     "--out", str(tmp_path / name), "--beta", "20", "--rounds", "2", "--critic-warmup", "20", "--pool",
                     "200", "--generator-iterations", "3", "--seed", "1", "--no-png", *extra)
        assert result.returncode == 0, result.stderr
        biases.append(json.loads((tmp_path / name / "bias.json").read_text())["terms"][0]["function"])
    last, average = (np.asarray(b["values"], dtype=float) for b in biases)
    assert last.shape == average.shape
    assert np.abs(last - average).max() > 1e-6
    result = run("align", "--model", str(problem / "base.model"), "--observables", str(problem / "observables.json"),
                 "--out", str(tmp_path / "bad"), "--critic-average", "1", "--seed", "1")
    assert result.returncode != 0 and "average in [0, 1)" in result.stderr, result.stderr


def simulate_x(bias_path, steps=150000, every=50, seed=5):
    import openmm
    import openmm.unit as u
    import openmmada

    system, _ = well_system()
    if bias_path is not None:
        system.addForce(openmmada.ADAForce(str(bias_path)))
    integrator = openmm.LangevinMiddleIntegrator(TEMPERATURE * u.kelvin, 5.0 / u.picosecond, 0.002 * u.picoseconds)
    integrator.setRandomNumberSeed(seed)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions([[0.0, 0.0, 0.0]])
    context.setVelocitiesToTemperature(TEMPERATURE * u.kelvin, seed)
    integrator.step(2000)
    xs = []
    for _ in range(steps // every):
        integrator.step(every)
        xs.append(context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(u.nanometer)[0, 0])
    return np.asarray(xs)


def test_exported_bias_makes_md_sample_the_experiment(aligned):
    out, _ = aligned
    target = np.random.default_rng(9).normal(TARGET_MEAN, TARGET_SD, 4000)
    biased = simulate_x(out / "bias.json")
    plain = simulate_x(None)
    # 3000 frames 0.1 ps apart (velocity relaxation 0.2 ps, position period 0.4 ps): a few thousand effectively
    # independent samples, so sampling noise in W1 is ~0.003 nm; the unbiased gap is ~0.04 nm.
    assert w1(plain, target[:3000]) > 0.03
    assert w1(biased, target[:3000]) < 0.01, (biased.mean(), biased.std())
    assert abs(biased.mean() - TARGET_MEAN) < 0.01 and abs(biased.std() - TARGET_SD) < 0.01


@pytest.mark.parametrize("data, fragment", [
    (np.zeros((10, 2)), "dimension 2"),
    (np.full(10, np.nan), "NaN"),
    (np.zeros(0), "empty"),
])
def test_align_rejects_bad_observable_files(problem, tmp_path, data, fragment):
    np.save(tmp_path / "bad.npy", data)
    spec = json.loads((problem / "observables.json").read_text())
    spec["observables"][0]["data"] = str(tmp_path / "bad.npy")
    (tmp_path / "obs.json").write_text(json.dumps(spec))
    result = run("align", "--model", str(problem / "base.model"), "--observables", str(tmp_path / "obs.json"),
                 "--out", str(tmp_path / "out"), "--rounds", "1")
    assert result.returncode != 0
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "out" / "aligned.model").exists()


def test_align_rejects_atoms_the_model_lacks_and_missing_files(problem, tmp_path):
    spec = json.loads((problem / "observables.json").read_text())
    spec["observables"][0]["observable"] = {"type": "distance", "atoms": [0, 3]}
    spec["observables"][0]["data"] = str(problem / "x.npy")
    (tmp_path / "obs.json").write_text(json.dumps(spec))
    result = run("align", "--model", str(problem / "base.model"), "--observables", str(tmp_path / "obs.json"),
                 "--out", str(tmp_path / "out"))
    assert result.returncode != 0 and "atom 3, which the model does not contain" in result.stderr, result.stderr
    result = run("align", "--model", str(tmp_path / "missing.model"), "--observables", str(problem / "observables.json"),
                 "--out", str(tmp_path / "out"))
    assert result.returncode != 0 and "missing.model" in result.stderr, result.stderr


# Expectation alignment (the EA baseline, `--critics polynomial`). On this toy it has a known answer: a Gaussian
# base tilted by exp(-beta f) with f a polynomial of degree 2 in x stays Gaussian, so EA with 2 moments reaches the
# experiment N(0.04, 0.08²) exactly, with beta f(x) = log N(x; 0, SD²) - log N(x; 0.04, 0.08²) + const (the tilt is
# exp(-beta f)); with 1
# moment (f linear) the tilt only shifts the Gaussian: mean 0.04, standard deviation still SD.
def align_expectations(problem, moments):
    out = problem / f"ea{moments}"
    result = run("align", "--critics", "polynomial", "--moments", str(moments), "--model", str(problem / "base.model"),
                 "--observables", str(problem / "observables.json"), "--out", str(out), "--beta", "20", "--pool", "4000",
                 "--samples", "4000", "--seed", "2")
    assert result.returncode == 0, result.stderr
    return out


def polynomial(function, x):
    """beta f(x) of a "polynomial" bias function (bias/Polynomial.h) of one input."""
    u = (np.asarray(x) - function["input_shift"][0]) / function["input_scale"][0]
    return sum(c * u ** e[0] for c, e in zip(function["coefficients"], function["exponents"]))


def test_expectation_alignment_with_two_moments_reaches_the_gaussian_target(problem):
    out = align_expectations(problem, 2)
    for name in ("bias.json", "weights.npy", "pool_samples.npy", "tilted_samples.npy", "report.json", "report.png"):
        assert (out / name).exists(), name
    report = json.loads((out / "report.json").read_text())
    assert report["method"] == "expectation" and report["converged"] and report["updates"] < 50, report["history"]
    x = report["observables"][0]
    assert max(abs(g) for g in x["moment_gaps_aligned"]) < 1e-6 < max(abs(g) for g in x["moment_gaps_base"])
    weights = np.load(out / "weights.npy")
    assert weights.shape == (4000,) and abs(weights.sum() - 1) < 1e-9
    tilted = np.load(out / "tilted_samples.npy")[:, 0, 0]
    # 4000 draws (with repetitions; pool ESS ~0.8): standard errors of mean and sd ~0.0015 nm.
    assert abs(tilted.mean() - TARGET_MEAN) < 0.006 and abs(tilted.std() - TARGET_SD) < 0.006, (tilted.mean(), tilted.std())
    assert x["w1_aligned"] < 0.25 * x["w1_base"], x
    # The exported potential is the exact log-ratio of the two Gaussians (up to a constant), within the pool's noise.
    bias = json.loads((out / "bias.json").read_text())
    function = bias["terms"][0]["function"]
    assert function["type"] == "polynomial"
    points = np.array([-0.1, -0.05, 0.05, 0.1, 0.15])
    exact = (points - TARGET_MEAN) ** 2 / (2 * TARGET_SD**2) - points**2 / (2 * SD**2)
    exact0 = TARGET_MEAN**2 / (2 * TARGET_SD**2)
    got = polynomial(function, points) - polynomial(function, 0.0)
    assert np.allclose(got, exact - exact0, atol=0.08), (got, exact - exact0)
    # ... so MD of the well with it samples the experiment.
    target = np.random.default_rng(9).normal(TARGET_MEAN, TARGET_SD, 4000)
    biased = simulate_x(out / "bias.json")
    assert w1(biased, target[:3000]) < 0.01, (biased.mean(), biased.std())


def test_expectation_alignment_with_one_moment_matches_the_mean_only(problem):
    out = align_expectations(problem, 1)
    report = json.loads((out / "report.json").read_text())
    assert report["converged"], report["history"]
    tilted = np.load(out / "tilted_samples.npy")[:, 0, 0]
    assert abs(tilted.mean() - TARGET_MEAN) < 0.006, tilted.mean()
    assert abs(tilted.std() - SD) < 0.006, tilted.std()  # not TARGET_SD: the second moment is not matched
    assert json.loads((out / "bias.json").read_text())["terms"][0]["function"]["exponents"] == [[1]]


def test_expectation_alignment_rejects_a_degree_below_one(problem, tmp_path):
    result = run("align", "--critics", "polynomial", "--moments", "0", "--model", str(problem / "base.model"),
                 "--observables", str(problem / "observables.json"), "--out", str(tmp_path / "out"))
    assert result.returncode != 0 and "--moments" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_expectation_alignment_on_given_base_frames(problem, tmp_path):
    # --pool-samples: exact base samples (here N(0, SD²) frames [n, 1, 3]) instead of the model's; the pool is them.
    frames = np.random.default_rng(4).normal(0.0, SD, (3000, 1, 3))
    np.save(tmp_path / "base_frames.npy", frames)
    out = tmp_path / "ea"
    result = run("align", "--critics", "polynomial", "--moments", "2", "--model", str(problem / "base.model"),
                 "--observables", str(problem / "observables.json"), "--out", str(out), "--beta", "20", "--samples", "4000",
                 "--pool-samples", str(tmp_path / "base_frames.npy"), "--seed", "2", "--no-png")
    assert result.returncode == 0, result.stderr
    assert "the pool is the 3000 frames" in result.stderr
    assert np.allclose(np.load(out / "pool_samples.npy"), frames, atol=1e-6)  # float32 copy of the frames
    weights = np.load(out / "weights.npy")
    x = frames[:, 0, 0]
    # The tilt of the given frames matches the experiment's first two moments exactly.
    assert abs(np.sum(weights * x) - np.mean(np.load(problem / "x.npy"))) < 1e-6
    assert abs(np.sum(weights * x**2) - np.mean(np.load(problem / "x.npy") ** 2)) < 1e-6
    # Frames of another system: a one-line reason, nothing written.
    np.save(tmp_path / "two_atoms.npy", np.zeros((10, 2, 3)))
    result = run("align", "--critics", "polynomial", "--model", str(problem / "base.model"), "--observables",
                 str(problem / "observables.json"), "--out", str(tmp_path / "bad"), "--pool-samples", str(tmp_path / "two_atoms.npy"))
    assert result.returncode != 0 and "two_atoms.npy: frames of 6 values" in result.stderr, result.stderr
    assert not (tmp_path / "bad" / "bias.json").exists()
