"""ADAForce as an OpenMM force in Python: System ownership, casting back, XmlSerializer, copies, platforms, the
global parameter ada_lambda and force groups."""
import copy
import gc
import os
import pickle
import re

import numpy as np
import openmm
import pytest

import openmmada
from openmmada import bias
from harness import OTHER_PLATFORMS, evaluate, new_context, new_system, plugin_load_failure, write_mlp_bundle
import numpy_reference as ref

TEMPERATURE = 305.0
NUM_PARTICLES = 9


def mixed_terms(rng, directory):
    """One term of each kind of observable and function, the angle's MLP in a bundle file."""
    grid = np.linspace(0.0, 2.0, 101)
    angles = np.linspace(-np.pi, np.pi, 73)
    angle_layers = [(rng.normal(size=(6, 1)), rng.normal(size=6), "tanh"), (rng.normal(size=(1, 6)), rng.normal(size=1), "linear")]
    write_mlp_bundle(directory / "critic0.adab", angle_layers, input_shift=[1.5], input_scale=[0.5])
    rg_layers = [(rng.normal(size=(5, 1)), rng.normal(size=5), "tanh"), (rng.normal(size=(1, 5)), rng.normal(size=1), "linear")]
    terms = [
        bias.spline_term({"type": "distance", "atoms": [0, 5]}, grid, 3.0 * (grid - 0.6) ** 2),
        bias.spline_term({"type": "dihedral", "atoms": [1, 2, 3, 4]}, angles, 1.0 + np.cos(angles - 0.3)),
        bias.mlp_term({"type": "rg", "atoms": [0, 2, 4, 6, 8]}, rg_layers, [0.5], [0.2]),
        bias.mlp_term({"type": "jcoupling", "atoms": [5, 6, 7, 8], "A": 6.0, "B": -1.5, "C": 1.5, "offset": -1.0},
                      [(np.array([[0.4]]), [0.1], "linear")]),
        {"observable": {"type": "angle", "atoms": [2, 7, 3]}, "function": {"type": "mlp", "file": "critic0.adab"}},
    ]
    return terms, angle_layers


@pytest.fixture
def spec_path(tmp_path, rng):
    terms, _ = mixed_terms(rng, tmp_path)
    return bias.write_bias(tmp_path / "bias.json", terms, TEMPERATURE)


@pytest.fixture
def positions(rng):
    return rng.uniform(0, 1.0, (NUM_PARTICLES, 3))


def test_add_force_passes_ownership_to_the_system(spec_path):
    system = new_system(NUM_PARTICLES)
    force = openmmada.ADAForce(spec_path)
    assert force.thisown
    index = system.addForce(force)
    assert not force.thisown
    del force
    gc.collect()
    again = system.getForce(index)
    assert openmmada.ADAForce.isinstance(again)
    assert openmmada.ADAForce.cast(again).getNumTerms() == 5
    with pytest.raises(Exception, match="does not own"):
        new_system(NUM_PARTICLES).addForce(openmmada.ADAForce.cast(system.getForce(index)))


def test_cast_gives_the_same_force_and_rejects_others(spec_path):
    system = new_system(NUM_PARTICLES)
    system.addForce(openmm.HarmonicBondForce())
    system.addForce(openmmada.ADAForce(spec_path))
    assert not openmmada.ADAForce.isinstance(system.getForce(0))
    with pytest.raises(openmm.OpenMMException, match="not an ADAForce"):
        openmmada.ADAForce.cast(system.getForce(0))
    view = openmmada.ADAForce.cast(system.getForce(1))
    assert isinstance(view, openmm.Force)
    assert view.getTemperature() == TEMPERATURE
    assert view.lambdaParameter() == "ada_lambda"
    view.setDefaultLambda(0.3)
    assert openmmada.ADAForce.cast(system.getForce(1)).getDefaultLambda() == 0.3


def test_cast_keeps_a_deserialized_force_alive(spec_path):
    view = openmmada.ADAForce.cast(openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(openmmada.ADAForce(spec_path))))
    gc.collect()
    assert view.getNumTerms() == 5


def test_xml_round_trip_is_self_contained(tmp_path, spec_path, positions):
    force = openmmada.ADAForce(spec_path)
    force.setForceGroup(4)
    force.setName("alignment bias")
    force.setDefaultLambda(0.75)
    force.setLambdaDerivativeRequested(True)
    system = new_system(NUM_PARTICLES)
    system.addForce(force)
    expected = evaluate(new_context(system), positions)
    xml = openmm.XmlSerializer.serialize(system)
    # The MLP weights are inline: the XML does not refer to the bundle, which can go.
    assert "critic0.adab" not in xml and "layers" in xml
    os.remove(spec_path)
    os.remove(tmp_path / "critic0.adab")

    restored_system = openmm.XmlSerializer.deserialize(xml)
    restored = openmmada.ADAForce.cast(restored_system.getForce(0))
    assert restored.getBiasJSON() == force.getBiasJSON()
    assert (restored.getForceGroup(), restored.getName(), restored.getDefaultLambda(), restored.getLambdaDerivativeRequested(),
            restored.getTemperature(), restored.getNumTerms()) == (4, "alignment bias", 0.75, True, TEMPERATURE, 5)
    energy, forces = evaluate(new_context(restored_system), positions)
    assert expected[0] != 0
    assert energy == pytest.approx(expected[0], rel=1e-12)
    np.testing.assert_allclose(forces, expected[1], rtol=1e-12, atol=1e-12)

    alone = openmmada.ADAForce.cast(openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(restored)))
    assert alone.getBiasJSON() == force.getBiasJSON() and alone.getForceGroup() == 4


def test_periodic_flag_survives_serialization(spec_path):
    force = openmmada.ADAForce(spec_path)
    assert not force.usesPeriodicBoundaryConditions()
    force.setUsesPeriodicBoundaryConditions(True)
    restored = openmmada.ADAForce.cast(openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(force)))
    assert restored.usesPeriodicBoundaryConditions()


def test_bundle_mlp_matches_numpy(tmp_path, rng, positions):
    # The bundle's tensors are row-major [out, in]; a transposed or misread weight changes the energy.
    _, layers = mixed_terms(rng, tmp_path)
    term = {"observable": {"type": "angle", "atoms": [2, 7, 3]}, "function": {"type": "mlp", "file": "critic0.adab"}}
    system = new_system(NUM_PARTICLES)
    system.addForce(openmmada.ADAForce(bias.write_bias(tmp_path / "angle.json", [term], TEMPERATURE)))
    energy, _ = evaluate(new_context(system), positions)
    expected = ref.kT(TEMPERATURE) * ref.mlp(ref.angle(positions, 2, 7, 3), layers, [1.5], [0.5])
    assert energy == pytest.approx(expected, rel=1e-10, abs=1e-10)


def test_copies_and_pickles_are_independent_adaforces(spec_path):
    force = openmmada.ADAForce(spec_path)
    force.setForceGroup(2)
    for duplicate in (copy.copy(force), copy.deepcopy(force), pickle.loads(pickle.dumps(force))):
        assert isinstance(duplicate, openmmada.ADAForce) and duplicate.thisown
        assert (duplicate.getNumTerms(), duplicate.getForceGroup(), duplicate.getBiasJSON()) == (5, 2, force.getBiasJSON())
        duplicate.setDefaultLambda(0.1)
        assert force.getDefaultLambda() == 1.0


def test_set_bias_from_json_accepts_text_and_dicts(tmp_path, spec_path):
    force = openmmada.ADAForce()
    assert force.getNumTerms() == 0
    spec = {"temperature": 250.0, "terms": [{"observable": {"type": "angle", "atoms": [0, 1, 2]}, "function": {"type": "mlp", "file": "critic0.adab"}}]}
    force.setBiasFromJSON(spec, tmp_path)
    assert (force.getNumTerms(), force.getTemperature()) == (1, 250.0)
    force.setBiasFromJSON(open(spec_path).read(), str(tmp_path))
    assert force.getNumTerms() == 5
    with pytest.raises(openmm.OpenMMException, match="critic0.adab"):
        force.setBiasFromJSON(spec, "/nonexistent-directory")


def test_update_parameters_in_context(tmp_path, positions):
    grid = np.linspace(0.0, 2.0, 21)
    force = openmmada.ADAForce(bias.write_bias(tmp_path / "a.json", [bias.spline_term({"type": "distance", "atoms": [0, 1]}, grid, grid)], 300.0))
    system = new_system(NUM_PARTICLES)
    system.addForce(force)
    context = new_context(system)
    energy, _ = evaluate(context, positions)
    assert energy == pytest.approx(ref.kT(300.0) * ref.distance(positions, 0, 1), rel=1e-10)
    force.setBiasFromFile(bias.write_bias(tmp_path / "b.json", [bias.spline_term({"type": "distance", "atoms": [2, 3]}, grid, 2 * grid)], 300.0))
    force.updateParametersInContext(context)
    energy, forces = evaluate(context, positions)
    assert energy == pytest.approx(2 * ref.kT(300.0) * ref.distance(positions, 2, 3), rel=1e-10)
    assert np.all(forces[[0, 1]] == 0)


@pytest.mark.parametrize("platform", OTHER_PLATFORMS)
def test_platforms_agree_with_reference(spec_path, positions, platform):
    if platform == "OpenCL":
        failure = plugin_load_failure("libOpenMMADAOpenCL.so")
        assert failure is None, failure
    system = new_system(NUM_PARTICLES)
    system.addForce(openmmada.ADAForce(spec_path))
    expected_energy, expected_forces = evaluate(new_context(system, "Reference"), positions)
    energy, forces = evaluate(new_context(system, platform), positions)
    # OpenCL keeps positions in single precision by default.
    rtol = 1e-12 if platform == "CPU" else 2e-5
    assert energy == pytest.approx(expected_energy, rel=rtol)
    np.testing.assert_allclose(forces, expected_forces, rtol=rtol, atol=rtol * np.abs(expected_forces).max() * 10)


@pytest.mark.parametrize("platform", ["Reference", "CPU"])
def test_lambda_scales_the_energy_and_its_derivative_is_reported(spec_path, positions, platform):
    force = openmmada.ADAForce(spec_path)
    system = new_system(NUM_PARTICLES)
    system.addForce(force)
    context = new_context(system, platform)
    assert context.getParameter("ada_lambda") == 1.0
    full_energy, full_forces = evaluate(context, positions)
    assert full_energy != 0
    context.setParameter("ada_lambda", 0.5)
    energy, forces = evaluate(context, positions)
    assert energy == pytest.approx(0.5 * full_energy, rel=1e-12)
    np.testing.assert_allclose(forces, 0.5 * full_forces, rtol=1e-12, atol=1e-12)
    # As for OpenMM's custom forces, a derivative that was not requested reads 0.
    assert context.getState(getParameterDerivatives=True).getEnergyParameterDerivatives()["ada_lambda"] == 0.0

    force.setLambdaDerivativeRequested(True)
    force.setDefaultLambda(0.25)
    context = new_context(system, platform)
    assert context.getParameter("ada_lambda") == 0.25
    context.setPositions(positions)
    state = context.getState(getEnergy=True, getParameterDerivatives=True)
    energy = state.getPotentialEnergy().value_in_unit(openmm.unit.kilojoule_per_mole)
    assert energy == pytest.approx(0.25 * full_energy, rel=1e-12)
    assert state.getEnergyParameterDerivatives()["ada_lambda"] == pytest.approx(energy / 0.25, rel=1e-12)


def test_force_group_selects_the_bias(tmp_path, positions):
    grid = np.linspace(0.0, 2.0, 21)
    force = openmmada.ADAForce(bias.write_bias(tmp_path / "a.json", [bias.spline_term({"type": "distance", "atoms": [0, 1]}, grid, 4 * grid + 1)], 300.0))
    force.setForceGroup(3)
    bond = openmm.HarmonicBondForce()
    bond.addBond(2, 3, 0.1, 1000.0)
    system = new_system(NUM_PARTICLES)
    system.addForce(force)
    system.addForce(bond)
    context = new_context(system)
    ada_energy, ada_forces = evaluate(context, positions, {3})
    bond_energy, bond_forces = evaluate(context, positions, {0})
    total, _ = evaluate(context, positions)
    assert ada_energy == pytest.approx(ref.kT(300.0) * (4 * ref.distance(positions, 0, 1) + 1), rel=1e-10)
    assert bond_energy == pytest.approx(500.0 * (ref.distance(positions, 2, 3) - 0.1) ** 2, rel=1e-10)
    assert total == pytest.approx(ada_energy + bond_energy, rel=1e-12)
    assert np.all(ada_forces[2:] == 0) and np.all(bond_forces[[0, 1]] == 0)
    assert evaluate(context, positions, {0, 1, 2, 4, 5})[0] == pytest.approx(bond_energy, rel=1e-12)


def test_plugins_load_from_the_package_not_openmms_folder():
    assert re.fullmatch(r"\d+\.\d+\.\d+", openmmada.__version__)
    assert os.path.exists(os.path.join(openmmada.pluginDirectory, "libOpenMMADAReference.so"))
    assert isinstance(openmmada.pluginLoadFailures, list)
    for message in openmmada.pluginLoadFailures:
        assert isinstance(message, str) and message.startswith(openmmada.pluginDirectory)
    assert plugin_load_failure("libOpenMMADAReference.so") is None
    openmm_plugins = os.path.join(openmm.version.openmm_library_path, "plugins")
    assert not [name for name in os.listdir(openmm_plugins) if "ADA" in name]



def test_a_plugin_that_fails_to_load_is_listed_not_raised(tmp_path):
    (tmp_path / "libOpenMMADABroken.so").write_bytes(b"not a shared library")
    (tmp_path / "README").write_text("not a plugin: ignored")
    count = len(openmmada.pluginLoadFailures)
    try:
        openmmada._loadPlugins(str(tmp_path))
        added = openmmada.pluginLoadFailures[count:]
        assert len(added) == 1 and added[0].startswith(str(tmp_path / "libOpenMMADABroken.so") + ": ")
    finally:
        del openmmada.pluginLoadFailures[count:]
