"""Independent numpy calculations of what an ADAForce computes (DESIGN.md §4), for the tests to compare with.

Positions are arrays [N, 3] in nm; energies in kJ/mol.
"""
import numpy as np

GAS_CONSTANT = 0.00831446261815324  # kJ/(mol K), OpenMM's BOLTZ


def kT(temperature):
    return GAS_CONSTANT * temperature


def distance(x, i, j):
    return np.linalg.norm(x[j] - x[i])


def angle(x, i, j, k):
    a, b = x[i] - x[j], x[k] - x[j]
    return np.arccos(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def dihedral(x, i, j, k, l):
    """IUPAC dihedral in (-pi, pi]: phi = atan2(|b2| b1 . (b2 x b3), (b1 x b2) . (b2 x b3))."""
    b1, b2, b3 = x[j] - x[i], x[k] - x[j], x[l] - x[k]
    n1, n2 = np.cross(b1, b2), np.cross(b2, b3)
    return np.arctan2(np.linalg.norm(b2) * np.dot(b1, n2), np.dot(n1, n2))


def radius_of_gyration(x, atoms):
    """Unweighted: sqrt(mean |x_a - mean x|^2) over the atoms."""
    y = x[list(atoms)]
    return np.sqrt(np.mean(np.sum((y - y.mean(axis=0)) ** 2, axis=1)))


def jcoupling(x, atoms, A, B, C, offset):
    """Karplus relation J = A cos^2(theta) + B cos(theta) + C with theta = phi + offset."""
    c = np.cos(dihedral(x, *atoms) + offset)
    return A * c * c + B * c + C


_ACTIVATIONS = {"tanh": np.tanh, "linear": lambda z: z, "relu": lambda z: np.maximum(z, 0.0)}


def mlp(y, layers, input_shift=None, input_scale=None):
    """h_0 = (y - shift) / scale, h_l = act_l(W_l h_{l-1} + b_l); the scalar h_L."""
    h = np.atleast_1d(np.asarray(y, dtype=float))
    if input_shift is not None:
        h = h - np.asarray(input_shift)
    if input_scale is not None:
        h = h / np.asarray(input_scale)
    for weight, bias, activation in layers:
        h = _ACTIVATIONS[activation](np.asarray(weight) @ h + np.asarray(bias))
    return float(h[0])


def numerical_forces(energy, x, step=1e-5):
    """-dE/dx by central differences; energy maps positions [N, 3] to kJ/mol."""
    forces = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += step
        minus[index] -= step
        forces[index] = -(energy(plus) - energy(minus)) / (2 * step)
    return forces
