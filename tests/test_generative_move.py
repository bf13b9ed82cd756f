"""openmmada.GenerativeMove from Python: loaded lazily (plain `import openmmada` does not load LibTorch), added to
a System like a barostat, counters through the Context, XmlSerializer and copy round trips, clear errors.
The model is made here: `ada pretrain` on exact samples of the harmonic well the particle moves in.
Torsion moves: openmmada.moves (angles as OpenMM measures them, window starts in the widest gap), a torsion move
on a 4-atom chain (addTorsion with an openmm.unit window start, constraints, XML), and its errors."""
import copy
import os
import subprocess
import sys

import numpy as np
import openmm
import pytest
from openmm import unit

import openmmada
from openmmada import moves

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


def _pretrain(folder, name, samples):
    """A small flow (`ada pretrain`, 300 steps) of `samples` [frames, D] (vectors: the model is not centred)."""
    np.save(folder / f"{name}.npy", samples)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run([ADA, "pretrain", "--data", str(folder / f"{name}.npy"), "--out", str(folder / f"{name}.adab"),
                             "--steps", "300", "--hidden", "32", "--layers", "2", "--seed", "1", "--progress-every", "300"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return folder / f"{name}.adab"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    samples = np.random.default_rng(1).normal(0.0, np.sqrt(KT / K), size=(2000, 3))
    return _pretrain(tmp_path_factory.mktemp("generative_move"), "well", samples)


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


# ---- torsion moves -------------------------------------------------------------------------------------------

BOND, ANGLE = 0.153, 1.911  # nm, rad
S = 0.5  # rad: the torsion potential 1/2 (kT/S^2) theta^2 makes theta ~ N(0, S^2) given the bonds and angles


def _chain_positions(phi):
    """A chain 0-1-2-3 with bond lengths BOND, bond angles ANGLE and dihedral phi (rad)."""
    x0, x1 = np.array([BOND, 0.0, 0.0]), np.zeros(3)
    x2 = BOND * np.array([np.cos(ANGLE), np.sin(ANGLE), 0.0])
    bc = (x2 - x1) / np.linalg.norm(x2 - x1)
    n = np.cross(x1 - x0, bc)
    n /= np.linalg.norm(n)
    m = np.cross(n, bc)
    x3 = x2 + BOND * (-np.cos(ANGLE) * bc + np.sin(ANGLE) * np.cos(phi) * m + np.sin(ANGLE) * np.sin(phi) * n)
    return np.array([x0, x1, x2, x3])


def _chain_system(constraints=()):
    system = openmm.System()
    for _ in range(4):
        system.addParticle(12.0)
    bonds = openmm.HarmonicBondForce()
    for i in range(3):
        if (i, i + 1) in constraints:
            system.addConstraint(i, i + 1, BOND)
        else:
            bonds.addBond(i, i + 1, BOND, 5e4)
    angles = openmm.HarmonicAngleForce()
    angles.addAngle(0, 1, 2, ANGLE, 400.0)
    angles.addAngle(1, 2, 3, ANGLE, 400.0)
    torsion = openmm.CustomTorsionForce(f"0.5*{KT / S**2}*theta^2")
    torsion.addTorsion(0, 1, 2, 3)
    for force in (bonds, angles, torsion):
        system.addForce(force)
    return system


@pytest.fixture(scope="module")
def torsion_model(tmp_path_factory):
    """A model of exact samples of theta ~ N(0, S^2): a [frames, 1] array of angles."""
    return _pretrain(tmp_path_factory.mktemp("torsion_move"), "angles", np.random.default_rng(2).normal(0.0, S, size=(2000, 1)))


def test_torsion_angles_are_those_openmm_measures():
    frames = np.random.default_rng(3).normal(0.0, 0.3, size=(5, 6, 3))
    torsions = [(0, 1, 2, 3), (5, 2, 1, 4)]
    # OpenMM's own measure: a CustomTorsionForce whose energy is theta.
    system = openmm.System()
    for _ in range(6):
        system.addParticle(1.0)
    expected = np.zeros((5, 2))
    for k, torsion in enumerate(torsions):
        force = openmm.CustomTorsionForce("theta")
        force.addTorsion(*torsion)
        force.setForceGroup(k)
        system.addForce(force)
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    for t, frame in enumerate(frames):
        context.setPositions(frame * unit.nanometer)
        for k in range(2):
            expected[t, k] = context.getState(getEnergy=True, groups={k}).getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    np.testing.assert_allclose(moves.torsion_angles(frames, torsions), np.where(expected >= np.pi, -np.pi, expected), atol=1e-5)
    starts = [0.0, -1.0]
    wrapped = moves.torsion_angles(frames * unit.nanometer, torsions, starts)
    assert np.all(wrapped >= starts) and np.all(wrapped < np.asarray(starts) + 2 * np.pi)
    np.testing.assert_allclose(np.cos(wrapped), np.cos(expected), atol=1e-5)
    assert moves.torsion_angles(frames[0], torsions).shape == (1, 2)
    with pytest.raises(ValueError, match="torsion atom indices must be in"):
        moves.torsion_angles(frames, [(0, 1, 2, 6)])


def test_window_starts_are_in_the_widest_gap():
    rng = np.random.default_rng(4)
    # Column 0: clusters at -2 and 1 rad (width 0.1); the gap from 1.3 to 2 pi - 2.3 = 3.98 (through pi) is wider
    # than the one through 0, so the window starts near its middle, 2.64 rad. Column 1: one cluster across +-pi;
    # its gap is centred on 0.
    angles = np.concatenate([rng.normal(-2.0, 0.1, 500), rng.normal(1.0, 0.1, 500)])
    across = np.mod(rng.normal(np.pi, 0.1, 1000) + np.pi, 2 * np.pi) - np.pi
    starts = moves.window_starts(np.stack([angles, across], axis=1), bins=72)
    assert starts.shape == (2,)
    assert abs(starts[0] - 2.64) < 0.15
    assert abs(starts[1]) < 0.15
    # Every bin occupied: the middle of the least populated bin.
    uniform = np.linspace(-np.pi, np.pi, 7200, endpoint=False)
    assert -np.pi <= moves.window_starts(uniform)[0] < np.pi
    with pytest.raises(ValueError, match="at least one frame"):
        moves.window_starts(np.zeros((0, 2)))


def test_torsion_move_with_constraints(torsion_model):
    system = _chain_system(constraints=[(2, 3)])
    move = openmmada.GenerativeMove(torsion_model, [], 10)
    assert move.getModelDimension() == 1 and move.getNumModelParticles() == 0
    assert move.addTorsion(0, 1, 2, 3, [3], -180 * unit.degrees) == 0
    assert move.getNumTorsions() == 1
    p1, p2, p3, p4, rotated, start = move.getTorsionParameters(0)
    assert (p1, p2, p3, p4, rotated) == (0, 1, 2, 3, [3]) and start == pytest.approx(-np.pi)
    move.setRandomNumberSeed(5)
    move.setAttemptsPerMove(2)
    system.addForce(move)
    restored = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
    copy_ = openmmada.GenerativeMove.cast(restored.getForce(restored.getNumForces() - 1))
    assert copy_.getTorsionParameters(0)[:5] == [0, 1, 2, 3, [3]]

    integrator = openmm.LangevinMiddleIntegrator(300 * unit.kelvin, 5 / unit.picosecond, 0.002 * unit.picoseconds)
    integrator.setRandomNumberSeed(2)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(_chain_positions(0.2) * unit.nanometer)
    context.setVelocitiesToTemperature(300 * unit.kelvin, 3)
    integrator.step(200)
    # Steps 10, 20, ..., 190 begin with 2 attempts each; the trained proposal is close to the exact conditional.
    assert move.getNumAttempted(context) == 38
    assert move.getNumAccepted(context) > 19
    x = context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    assert np.linalg.norm(x[3] - x[2]) == pytest.approx(BOND, rel=1e-4)


def test_torsion_move_errors(torsion_model):
    move = openmmada.GenerativeMove(torsion_model, [], 10)
    with pytest.raises(openmm.OpenMMException, match=r"torsion 0 \(atoms 0-1-2-3\): the rotated atoms must include d \(atom 3\)"):
        move.addTorsion(0, 1, 2, 3, [4])
    with pytest.raises(openmm.OpenMMException, match="rotated atom 2 is its c"):
        move.addTorsion(0, 1, 2, 3, [3, 2])
    with pytest.raises(openmm.OpenMMException, match="torsion index 0 is out of range"):
        move.getTorsionParameters(0)
    move.addTorsion(0, 1, 2, 3, [3])
    move.addTorsion(1, 2, 3, 0, [0])
    system = _chain_system()
    system.addForce(move)
    integrator = openmm.VerletIntegrator(0.001)
    with pytest.raises(openmm.OpenMMException, match="the model is a density on 1 numbers, but 2 torsions are moved"):
        openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    system = _chain_system()
    system.addConstraint(0, 3, 0.25)
    move = openmmada.GenerativeMove(torsion_model, [], 10)
    move.addTorsion(0, 1, 2, 3, [3])
    system.addForce(move)
    with pytest.raises(openmm.OpenMMException, match=r"constraint 0 \(0-3\) would change length"):
        openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
