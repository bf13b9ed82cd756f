"""Aligning the simulation itself from Python (DESIGN.md §3.3): openmmada.SimulationAlignment with the observable
file of `ada align`. One particle in an isotropic harmonic well (Boltzmann x ~ N(0, 0.1²) nm); the experiment
observes x ~ N(0.04, 0.08²). After a few rounds of biased MD + critic updates, MD under the ADAForce the
alignment keeps updating samples the experimental x distribution, which unbiased MD does not. Bad input
(missing or corrupt file, wrong data dimension, NaN, an atom the System lacks, a force that is not an ADAForce)
raises an OpenMMException naming the problem."""

import json

import numpy as np
import openmm
import pytest

import openmmada

from harmonic_well import TARGET_MEAN, TARGET_SD, TEMPERATURE, w1, well_system


def well_simulation(seed=3):
    system, well = well_system()
    force = openmmada.ADAForce()
    system.addForce(force)
    integrator = openmm.LangevinMiddleIntegrator(TEMPERATURE, 5.0, 0.002)
    integrator.setRandomNumberSeed(seed)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions([openmm.Vec3(0, 0, 0)])
    context.setVelocitiesToTemperature(TEMPERATURE, seed)
    return context, force, well


def sample_x(context, frames, every):
    x = []
    for _ in range(frames):
        context.getIntegrator().step(every)
        x.append(context.getState(getPositions=True).getPositions(asNumpy=True)._value[0, 0])
    return np.array(x)


def write_spec(folder, data, observable=None, name="observables.json"):
    np.save(folder / "x.npy", data)
    spec = {"temperature": TEMPERATURE,
            "observables": [{"name": "x", "observable": observable or {"type": "coordinates", "atoms": [0], "components": "x"},
                             "data": "x.npy"}]}
    (folder / name).write_text(json.dumps(spec))
    return folder / name


def test_biased_md_reaches_the_experimental_distribution(tmp_path):
    target = np.random.default_rng(4).normal(TARGET_MEAN, TARGET_SD, 2000)
    spec = write_spec(tmp_path, target)
    context, force, _ = well_simulation()
    alignment = openmmada.SimulationAlignment(context, force, spec, beta=20.0, framesPerRound=2000, stepsPerFrame=20,
                                              criticWarmup=1500, criticSteps=200, penalty=100.0, criticLearningRate=1e-2,
                                              hidden=32, folder=str(tmp_path))
    assert json.loads(alignment.getBias())["terms"] == []
    unbiased = w1(sample_x(context, 2000, 50), target)
    gaps = [alignment.round() for _ in range(3)]
    assert alignment.getRounds() == 3 and alignment.getTemperature() == TEMPERATURE
    assert all(len(g) == 1 and np.isfinite(g[0]) for g in gaps)
    bias = json.loads(alignment.getBias())
    assert [t["function"]["type"] for t in bias["terms"]] == ["spline"]
    assert force.getNumTerms() == 1
    x = sample_x(context, 2000, 50)
    aligned = w1(x, target)
    print(f"W1 unbiased {unbiased:.4f} aligned {aligned:.4f}; mean {x.mean():.4f} sd {x.std():.4f}; gaps {gaps}")
    # 2000 frames 0.1 ps apart (nearly independent) against 2000 samples: W1 noise ~0.003 nm; the unbiased gap is ~0.04 nm
    # (mean 0 against 0.04, sd 0.10 against 0.08).
    assert unbiased > 0.03
    assert aligned < 0.01
    assert abs(x.mean() - TARGET_MEAN) < 0.01
    # The force carries the bias the alignment wrote, also through XML.
    copy = openmmada.ADAForce.cast(openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(force)))
    assert copy.getNumTerms() == 1


def test_bad_input_is_named(tmp_path):
    context, force, well = well_simulation()
    good = np.random.default_rng(0).normal(0, 0.1, 100)

    def error(spec, f=None):
        with pytest.raises(openmm.OpenMMException) as raised:
            openmmada.SimulationAlignment(context, f or force, spec, framesPerRound=10)
        return str(raised.value)

    assert "cannot open" in error(tmp_path / "missing.json")
    (tmp_path / "corrupt.json").write_text("{\"observables\": [")
    assert "malformed JSON" in error(tmp_path / "corrupt.json")
    assert "dimension" in error(write_spec(tmp_path, np.zeros((50, 2)), name="wide.json"))
    nan = good.copy()
    nan[7] = np.nan
    assert "NaN" in error(write_spec(tmp_path, nan, name="nan.json"))
    assert "empty" in error(write_spec(tmp_path, np.zeros(0), name="empty.json"))
    message = error(write_spec(tmp_path, good, {"type": "distance", "atoms": [0, 3]}, name="atoms.json"))
    assert "atom" in message and "observables[0]" in message
    assert "not an ADAForce" in error(write_spec(tmp_path, good, name="good.json"), well)
    with pytest.raises(openmm.OpenMMException, match=r"average in \[0, 1\)"):
        openmmada.SimulationAlignment(context, force, write_spec(tmp_path, good, name="good.json"), framesPerRound=10, criticAverage=1.0)
