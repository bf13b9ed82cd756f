"""Training data for torsion moves (``openmmada.GenerativeMove`` with ``addTorsion``, docs/generative_move.md).

A torsion move's model is an ``ada pretrain`` model of K dihedral angles, torsion k represented in a window
[w_k, w_k + 2 pi). ``torsion_angles`` turns frames into that ``[frames, K]`` array, and ``window_starts`` puts
each window's start in the middle of the widest empty gap of the angles' circular histogram, so that the
angles' distribution is not cut where it has mass (the model then need not learn a density that wraps around).

    >>> import numpy as np
    >>> from openmmada import moves
    >>> torsions = [(14, 8, 6, 4), (6, 8, 14, 16)]                 # phi, psi of alanine dipeptide
    >>> starts = moves.window_starts(moves.torsion_angles(frames, torsions))
    >>> np.save("angles.npy", moves.torsion_angles(frames, torsions, starts))
    $ ada pretrain --data angles.npy --out torsions.adab
    >>> move = openmmada.GenerativeMove("torsions.adab", [], 100)
    >>> move.addTorsion(14, 8, 6, 4, [0, 1, 2, 3, 4, 5, 7], starts[0])  # same order as the columns
    >>> move.addTorsion(6, 8, 14, 16, [15, 16, 17, 18, 19, 20, 21], starts[1])

Angles are in radians, in OpenMM's (IUPAC) convention, the one GenerativeMove measures them in.
"""
import numpy as np

__all__ = ["torsion_angles", "window_starts"]


def _positions_in_nm(positions):
    try:
        from openmm import unit
        if unit.is_quantity(positions):
            positions = positions.value_in_unit(unit.nanometer)
    except ImportError:  # pragma: no cover - openmm is a dependency of the package
        pass
    x = np.asarray(positions, dtype=np.float64)
    if x.ndim == 2:
        x = x[np.newaxis]
    if x.ndim != 3 or x.shape[2] != 3:
        raise ValueError(f"positions must be [frames, atoms, 3] or [atoms, 3], found shape {np.shape(positions)}")
    return x


def torsion_angles(positions, torsions, window_starts=None):
    """Dihedral angles of frames, each wrapped into its window.

    Parameters
    ----------
    positions : array [frames, atoms, 3] or [atoms, 3] (nm), or an openmm.unit Quantity of positions
    torsions : sequence of K (a, b, c, d) atom indices
    window_starts : sequence of K floats (rad), optional
        Torsion k is returned in [w_k, w_k + 2 pi); without it, in [-pi, pi).

    Returns
    -------
    numpy.ndarray [frames, K], float64, radians.
    """
    x = _positions_in_nm(positions)
    torsions = np.asarray(torsions, dtype=np.int64).reshape(-1, 4) if len(torsions) else np.zeros((0, 4), np.int64)
    if np.any(torsions < 0) or np.any(torsions >= x.shape[1]):
        raise ValueError(f"torsion atom indices must be in [0, {x.shape[1]}), found {torsions.tolist()}")
    starts = np.full(len(torsions), -np.pi) if window_starts is None else np.asarray(window_starts, dtype=np.float64)
    if starts.shape != (len(torsions),):
        raise ValueError(f"expected {len(torsions)} window starts, found {starts.shape}")
    # OpenMM's convention (ada/observables/Dihedral.h): F = r_a - r_b, G = r_b - r_c, H = r_d - r_c,
    # A = F x G, B = H x G, angle = atan2((B x A).G / |G|, A.B).
    a, b, c, d = (x[:, torsions[:, i]] for i in range(4))
    F, G, H = a - b, b - c, d - c
    A, B = np.cross(F, G), np.cross(H, G)
    angle = np.arctan2(np.sum(np.cross(B, A) * G, axis=-1) / np.linalg.norm(G, axis=-1), np.sum(A * B, axis=-1))
    wrapped = starts + np.mod(angle - starts, 2 * np.pi)
    # Rounding can land exactly on the window's open end.
    return np.where(wrapped >= starts + 2 * np.pi, starts, wrapped)


def window_starts(angles, bins=72):
    """Window starts (rad) in the middle of the widest empty gap of each column's circular histogram.

    Parameters
    ----------
    angles : array [frames, K] (rad, any representation, e.g. from torsion_angles)
    bins : int
        Bins of the circular histogram over [-pi, pi); a gap is a run of empty bins, wrapping around.

    Returns
    -------
    numpy.ndarray [K] in [-pi, pi). Where no bin is empty, the middle of the least populated bin.
    """
    angles = np.asarray(angles, dtype=np.float64)
    if angles.ndim == 1:
        angles = angles[:, np.newaxis]
    if angles.ndim != 2 or angles.shape[0] == 0:
        raise ValueError(f"angles must be [frames, K] with at least one frame, found shape {angles.shape}")
    if int(bins) < 2:
        raise ValueError(f"bins must be at least 2, found {bins}")
    bins = int(bins)
    width = 2 * np.pi / bins
    starts = []
    for column in angles.T:
        counts = np.bincount((np.mod(column + np.pi, 2 * np.pi) // width).astype(np.int64) % bins, minlength=bins)
        if counts.min() > 0:
            centre = np.argmin(counts) + 0.5
        else:
            # The longest circular run of empty bins: scan the histogram twice around.
            best_length, best_end, length = 0, 0, 0
            for i in range(2 * bins):
                length = length + 1 if counts[i % bins] == 0 else 0
                if min(length, bins) > best_length:
                    best_length, best_end = min(length, bins), i
            centre = best_end + 1 - best_length / 2
        starts.append(np.mod(centre * width, 2 * np.pi) - np.pi)
    return np.asarray(starts)
