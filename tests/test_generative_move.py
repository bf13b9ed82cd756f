"""openmmada.GenerativeMove from Python: loaded lazily (plain `import openmmada` does not load LibTorch), added to
a System like a barostat, counters through the Context, XmlSerializer and copy round trips, clear errors.
The model is made here: `ada pretrain` on exact samples of the harmonic well the particle moves in."""
import copy
import os
import subprocess
import sys

import numpy as np
import openmm
import pytest
from openmm import unit

import openmmada

ADA = os.path.join(os.path.dirname(sys.executable), "ada")
KT = 0.00831446261815324 * 300.0
K = 50.0  # kJ/mol/nm^2: the well U = k/2 |r|^2


def _libtorch_loaded(code):
    check = code + "\nprint(any('libtorch' in line for line in open('/proc/self/maps')))"
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] == "True"


def test_plain_import_does_not_load_libtorch():
    assert not _libtorch_loaded("import openmm, openmmada; openmmada.ADAForce, openmmada.DataRecorder")
    assert _libtorch_loaded("import openmmada; openmmada.GenerativeMove")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generative_move")
    samples = np.random.default_rng(1).normal(0.0, np.sqrt(KT / K), size=(2000, 3))
    np.save(folder / "well.npy", samples)  # [frames, 3]: vectors, so the model is not centred
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run([ADA, "pretrain", "--data", str(folder / "well.npy"), "--out", str(folder / "well.adab"),
                             "--steps", "300", "--hidden", "32", "--layers", "2", "--seed", "1", "--progress-every", "300"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return folder / "well.adab"


def _system(particles=1):
    system = openmm.System()
    force = openmm.CustomExternalForce("0.5*k*(x^2+y^2+z^2)")
    force.addGlobalParameter("k", K)
    for i in range(particles):
        system.addParticle(10.0)
        force.addParticle(i)
    system.addForce(force)
    return system


def _run(system, steps):
    integrator = openmm.LangevinMiddleIntegrator(300 * unit.kelvin, 5 / unit.picosecond, 0.004 * unit.picoseconds)
    integrator.setRandomNumberSeed(2)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(np.zeros((system.getNumParticles(), 3)) * unit.nanometer)
    integrator.step(steps)
    return context


def test_moves_counted_through_the_context(model):
    system = _system()
    move = openmmada.GenerativeMove(model, [0], 10)  # os.PathLike accepted
    move.setRandomNumberSeed(3)
    move.setAttemptsPerMove(2)
    system.addForce(move)
    assert move.getTemperature() == 300.0 and move.getNumModelParticles() == 1 and move.getAtoms() == [0]
    context = _run(system, 200)
    # Steps 10, 20, ..., 190 begin with 2 attempts each; a trained proposal of this well is mostly accepted.
    assert move.getNumAttempted(context) == 38
    assert move.getNumAccepted(context) > 19
    again = openmmada.GenerativeMove.cast(system.getForce(1))
    assert again.getNumAttempted(context) == 38


def test_xml_and_copy_round_trips(model):
    system = _system()
    move = openmmada.GenerativeMove(str(model), [0], 25, 310.0)
    move.setBatchSize(8)
    move.setTolerance(1e-5)
    move.setRandomNumberSeed(4)
    system.addForce(move)
    restored = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
    assert openmmada.GenerativeMove.isinstance(restored.getForce(1))
    copy_ = openmmada.GenerativeMove.cast(restored.getForce(1))
    assert (copy_.getFrequency(), copy_.getTemperature(), copy_.getBatchSize(), copy_.getTolerance(),
            copy_.getRandomNumberSeed()) == (25, 310.0, 8, 1e-5, 4)
    assert copy_.getModelBytes() == move.getModelBytes() == model.read_bytes()
    duplicate = copy.deepcopy(move)
    assert isinstance(duplicate, openmmada.GenerativeMove) and duplicate.getFrequency() == 25
    context = _run(restored, 60)
    assert copy_.getNumAttempted(context) == 2


def test_bad_input(model, tmp_path):
    with pytest.raises(openmm.OpenMMException, match="the model describes 1 particles .3 coordinates., but 2 atoms are moved"):
        openmmada.GenerativeMove(model, [0, 1], 10)
    with pytest.raises(openmm.OpenMMException, match="the frequency must be a positive number of steps, found 0"):
        openmmada.GenerativeMove(model, [0], 0)
    with pytest.raises(openmm.OpenMMException, match="cannot open the model file"):
        openmmada.GenerativeMove(tmp_path / "missing.adab", [0], 10)
    system = _system(2)
    system.addForce(openmmada.GenerativeMove(model, [], 10))  # all particles: 2, the model has 1
    with pytest.raises(openmm.OpenMMException, match="but 2 atoms would be moved"):
        _run(system, 1)
    system = _system(2)
    system.addForce(openmmada.GenerativeMove(model, [7], 10))
    with pytest.raises(openmm.OpenMMException, match="atom index 7 .entry 0. is out of range: the System has 2 particles"):
        _run(system, 1)
