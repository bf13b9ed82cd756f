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
    for layer in layers:
        weight, bias, activation = layer[:3]
        if len(layer) == 4:
            h = convolution(h, np.asarray(weight), np.asarray(bias), layer[3])
        else:
            h = np.asarray(weight) @ h + np.asarray(bias)
        h = _ACTIVATIONS[activation](h)
    return float(h[0])


def convolution(h, kernel, bias, geometry):
    """z[o, i, j] = b[o] + sum_{c,u,v} K[o, c, u, v] x[c, s i - p + u, s j - p + v] (zero outside), flattened."""
    channels, height, width = geometry["input"]
    k = kernel.shape[2]
    stride, padding = geometry.get("stride", 1), geometry.get("padding", (k - 1) // 2)
    padded = np.zeros((channels, height + 2 * padding, width + 2 * padding))
    padded[:, padding:padding + height, padding:padding + width] = h.reshape(channels, height, width)
    rows, cols = (height + 2 * padding - k) // stride + 1, (width + 2 * padding - k) // stride + 1
    z = np.empty((kernel.shape[0], rows, cols))
    for i in range(rows):
        for j in range(cols):
            patch = padded[:, stride * i:stride * i + k, stride * j:stride * j + k]
            z[:, i, j] = np.tensordot(kernel, patch, axes=3) + bias
    return z.reshape(-1)


def contact_map(x, atoms, r0, n=6, m=12):
    """C_ij = (1 - (r_ij/r0)^n) / (1 - (r_ij/r0)^m) for i != j, C_ii = 0, row-major."""
    size = len(atoms)
    out = np.zeros((size, size))
    for a in range(size):
        for b in range(size):
            if a != b:
                ratio = distance(x, atoms[a], atoms[b]) / r0
                out[a, b] = (1 - ratio ** n) / (1 - ratio ** m)
    return out.reshape(-1)


def numerical_forces(energy, x, step=1e-5):
    """-dE/dx by central differences; energy maps positions [N, 3] to kJ/mol."""
    forces = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += step
        minus[index] -= step
        forces[index] = -(energy(plus) - energy(minus)) / (2 * step)
    return forces
