"""ADAForce energies and forces against independent calculations: OpenMM's own forces (CustomBondForce,
CustomTorsionForce, RGForce) and numpy. U = ada_lambda * kT * sum_i f_i(o_i(x)), kT = R T."""
import numpy as np
import openmm
import pytest

import openmmada
from openmmada import bias
from harness import evaluate, new_context, new_system
import numpy_reference as ref

ADA_GROUP, REFERENCE_GROUP = 1, 2


def ada_force(tmp_path, terms, temperature):
    force = openmmada.ADAForce(bias.write_bias(tmp_path / "bias.json", terms, temperature))
    force.setForceGroup(ADA_GROUP)
    return force


def assert_forces_close(actual, expected, rtol):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * np.abs(expected).max())


def test_distance_spline_matches_custom_bond_force(tmp_path, rng):
    # A fine spline of 0.5 k (r - r0)^2 / kT; kT from a temperature other than the default 300 K.
    temperature, k, r0 = 310.0, 800.0, 0.35
    grid = np.linspace(0.05, 1.5, 1451)
    term = bias.spline_term({"type": "distance", "atoms": [4, 1]}, grid, 0.5 * k * (grid - r0) ** 2 / ref.kT(temperature))
    system = new_system(6)
    system.addForce(ada_force(tmp_path, [term], temperature))
    bond = openmm.CustomBondForce("0.5*k*(r-r0)^2")
    bond.addGlobalParameter("k", k)
    bond.addGlobalParameter("r0", r0)
    bond.addBond(4, 1)
    bond.setForceGroup(REFERENCE_GROUP)
    system.addForce(bond)
    context = new_context(system)
    for _ in range(5):
        x = rng.uniform(0, 1, (6, 3))
        direction = rng.normal(size=3)
        x[1] = x[4] + rng.uniform(0.15, 0.9) * direction / np.linalg.norm(direction)
        energy, forces = evaluate(context, x, {ADA_GROUP})
        expected_energy, expected_forces = evaluate(context, x, {REFERENCE_GROUP})
        assert expected_energy > 1.0
        assert energy == pytest.approx(expected_energy, rel=1e-6)
        assert_forces_close(forces, expected_forces, 1e-5)


def test_dihedral_periodic_spline_matches_custom_torsion_force(tmp_path, rng):
    # k (1 + cos(3 theta - 0.5)) is not even in theta: a dihedral of the wrong sign changes the energy.
    temperature, k = 300.0, 7.5
    grid = np.linspace(-np.pi, np.pi, 721)
    values = k * (1 + np.cos(3 * grid - 0.5)) / ref.kT(temperature)
    atoms = [5, 2, 7, 0]
    system = new_system(8)
    system.addForce(ada_force(tmp_path, [bias.spline_term({"type": "dihedral", "atoms": atoms}, grid, values)], temperature))
    torsion = openmm.CustomTorsionForce("k*(1+cos(3*theta-0.5))")
    torsion.addGlobalParameter("k", k)
    torsion.addTorsion(*atoms)
    torsion.setForceGroup(REFERENCE_GROUP)
    system.addForce(torsion)
    context = new_context(system)
    angles = []
    for _ in range(6):
        x = rng.uniform(0, 1, (8, 3))
        energy, forces = evaluate(context, x, {ADA_GROUP})
        expected_energy, expected_forces = evaluate(context, x, {REFERENCE_GROUP})
        phi = ref.dihedral(x, *atoms)
        angles.append(phi)
        # The numpy dihedral (used for J-couplings below) follows OpenMM's convention too.
        assert k * (1 + np.cos(3 * phi - 0.5)) == pytest.approx(expected_energy, rel=1e-9, abs=1e-9)
        assert energy == pytest.approx(expected_energy, rel=1e-6, abs=1e-6 * k)
        assert_forces_close(forces, expected_forces, 1e-5)
    assert min(angles) < 0 < max(angles)


def test_radius_of_gyration_mlp_matches_numpy(tmp_path, rng):
    temperature = 280.0
    atoms = [0, 2, 3, 5, 7, 9]
    layers = [(rng.normal(size=(8, 1)), rng.normal(size=8), "tanh"), (rng.normal(size=(1, 8)), rng.normal(size=1), "linear")]
    shift, scale = [0.4], [0.15]
    system = new_system(10)
    system.addForce(ada_force(tmp_path, [bias.mlp_term({"type": "rg", "atoms": atoms}, layers, shift, scale)], temperature))
    context = new_context(system)

    def expected(x):
        return ref.kT(temperature) * ref.mlp(ref.radius_of_gyration(x, atoms), layers, shift, scale)

    for _ in range(3):
        x = rng.uniform(0, 1.2, (10, 3))
        energy, forces = evaluate(context, x)
        assert energy == pytest.approx(expected(x), rel=1e-10, abs=1e-10)
        assert_forces_close(forces, ref.numerical_forces(expected, x), 1e-5)
        assert np.all(forces[[1, 4, 6, 8]] == 0)


def test_radius_of_gyration_linear_spline_matches_rg_force(tmp_path, rng):
    # f(rg) = rg / kT on a grid: a cubic spline reproduces a linear function exactly, so U = rg (kJ/mol),
    # which is what RGForce computes.
    temperature = 300.0
    atoms = [1, 2, 4, 5, 6]
    grid = np.linspace(0.0, 3.0, 31)
    system = new_system(7)
    system.addForce(ada_force(tmp_path, [bias.spline_term({"type": "rg", "atoms": atoms}, grid, grid / ref.kT(temperature))], temperature))
    rg = openmm.RGForce(atoms)
    rg.setForceGroup(REFERENCE_GROUP)
    system.addForce(rg)
    context = new_context(system)
    for _ in range(3):
        x = rng.uniform(0, 1.5, (7, 3))
        energy, forces = evaluate(context, x, {ADA_GROUP})
        expected_energy, expected_forces = evaluate(context, x, {REFERENCE_GROUP})
        assert expected_energy == pytest.approx(ref.radius_of_gyration(x, atoms), rel=1e-12)
        assert energy == pytest.approx(expected_energy, rel=1e-10)
        assert_forces_close(forces, expected_forces, 1e-8)


def test_jcoupling_matches_numpy(tmp_path, rng):
    temperature = 300.0
    atoms = [3, 0, 4, 1]
    karplus = {"A": 7.1, "B": -1.4, "C": 1.9, "offset": -1.05}
    layers = [(np.array([[0.8]]), [-0.3], "linear")]
    observable = dict({"type": "jcoupling", "atoms": atoms}, **karplus)
    system = new_system(6)
    system.addForce(ada_force(tmp_path, [bias.mlp_term(observable, layers)], temperature))
    context = new_context(system)

    def expected(x):
        return ref.kT(temperature) * (0.8 * ref.jcoupling(x, atoms, **karplus) - 0.3)

    for _ in range(4):
        x = rng.uniform(0, 1, (6, 3))
        energy, forces = evaluate(context, x)
        assert energy == pytest.approx(expected(x), rel=1e-10, abs=1e-10)
        assert_forces_close(forces, ref.numerical_forces(expected, x), 1e-5)


def test_jcoupling_defaults_are_the_documented_karplus_parameters(tmp_path, rng):
    # A = 6.51, B = -1.76, C = 1.60, offset = -pi/3 when the observable does not say.
    layers = [(np.array([[1.0]]), [0.0], "linear")]
    system = new_system(4)
    system.addForce(ada_force(tmp_path, [bias.mlp_term({"type": "jcoupling", "atoms": [0, 1, 2, 3]}, layers)], 300.0))
    context = new_context(system)
    x = rng.uniform(0, 1, (4, 3))
    energy, _ = evaluate(context, x)
    assert energy == pytest.approx(ref.kT(300.0) * ref.jcoupling(x, [0, 1, 2, 3], 6.51, -1.76, 1.60, -np.pi / 3), rel=1e-10)


def test_contact_map_with_a_convolution_layer_matches_numpy(tmp_path, rng):
    # f = dense(tanh(conv(C))) of the 4 x 4 contact map of four atoms: 2 channels, 3 x 3 kernel, stride 2,
    # padding 1 -> [2, 2, 2]; the convolution written out in numpy (numpy_reference.convolution).
    temperature = 300.0
    atoms = [0, 2, 3, 5]
    geometry = {"input": [1, 4, 4], "stride": 2, "padding": 1}
    layers = [(rng.normal(size=(2, 1, 3, 3)), rng.normal(size=2), "tanh", geometry),
              (rng.normal(size=(1, 8)), rng.normal(size=1), "linear")]
    observable = {"type": "contact_map", "atoms": atoms, "r0": 0.5}
    system = new_system(6)
    system.addForce(ada_force(tmp_path, [bias.mlp_term(observable, layers)], temperature))
    context = new_context(system)

    def expected(x):
        return ref.kT(temperature) * ref.mlp(ref.contact_map(x, atoms, 0.5), layers)

    for _ in range(3):
        x = rng.uniform(0, 1.0, (6, 3))
        energy, forces = evaluate(context, x)
        assert energy == pytest.approx(expected(x), rel=1e-10, abs=1e-10)
        assert_forces_close(forces, ref.numerical_forces(expected, x), 1e-5)
        assert np.all(forces[[1, 4]] == 0)
