"""Datasets of configurations in and out (DESIGN.md §4 "Files").

A dataset is an NPY array of frames: particles ``[frames, atoms, 3]`` in nm (float32 or float64), or generic
vectors ``[frames, dimension]``. ``convert_trajectory`` makes one from any trajectory mdtraj reads (DCD, XTC,
TRR, H5, PDB, ...); ``load_dataset`` reads NPY or DCD files with the same reader and checks the trainers of
openmm-ada use (ada/io/Dataset.h), so a file it accepts is a file they accept. ``openmmada.DataRecorder``
writes datasets straight from a running simulation.

    >>> from openmmada import data
    >>> data.convert_trajectory("run.xtc", topology="system.pdb", atoms="not element H", output="frames.npy")
    >>> frames = data.load_dataset("frames.npy")        # numpy array [frames, atoms, 3], nm
"""
import os

import numpy as np

from . import openmmada as _module

__all__ = ["DatasetError", "convert_trajectory", "load_dataset"]


class DatasetError(ValueError):
    """A trajectory or dataset that cannot be used; the message names the file and what is wrong with it."""


_EXPECT = {"any": 0, "particles": 1, "vectors": 2}


def load_dataset(path, expect="any"):
    """Read a dataset file (NPY, or DCD by its extension) as a numpy array, checked as the trainers check it.

    Parameters
    ----------
    path : str or os.PathLike
        An ``.npy`` file (float or integer dtype, C order) or a ``.dcd`` trajectory (no topology needed).
    expect : {"any", "particles", "vectors"}
        ``"any"``: ``[frames, atoms, 3]`` is particles and ``[frames, dimension]`` vectors. ``"particles"``:
        ``[frames, atoms, 3]``, or flattened ``[frames, 3*atoms]`` reshaped to it. ``"vectors"``:
        ``[frames, dimension]``, particles flattened to it.

    Returns
    -------
    numpy.ndarray of float32 (float32 NPY files and DCD files) or float64 (other NPY files), in nm for particles.

    Raises
    ------
    DatasetError
        naming the file and the problem: missing, truncated, not NPY/DCD, unsupported dtype, wrong shape,
        no frames, or a NaN or infinite value (with its frame and atom).
    """
    if expect not in _EXPECT:
        raise ValueError(f"expect must be one of {sorted(_EXPECT)}, not {expect!r}")
    path = os.fspath(path)
    try:
        shape, values, dtype = _module._readDataset(path, _EXPECT[expect])
    except Exception as error:  # SpecError from ada_core arrives as openmm.OpenMMException
        raise DatasetError(str(error)) from None
    array = np.frombuffer(values, dtype=np.float64).reshape(shape)
    return array.astype(np.float32) if dtype == "<f4" else array


def convert_trajectory(trajectory, topology=None, atoms=None, output="frames.npy", stride=1, remove_com=False):
    """Convert a trajectory to an NPY dataset ``[frames, atoms, 3]`` of float32 positions in nm.

    Parameters
    ----------
    trajectory : str, os.PathLike, list of them, or mdtraj.Trajectory
        Any file mdtraj.load reads (DCD, XTC, TRR, NetCDF, H5, PDB, ...); several files are joined.
    topology : str, os.PathLike, mdtraj.Topology or None
        Needed for formats without atoms (DCD, XTC, TRR): e.g. a PDB file of the system.
    atoms : None, str or sequence of int
        All atoms (None), an mdtraj selection (``"name CA"``, ``"not element H"``), or atom indices, in
        the order they are to appear in the dataset.
    output : str or os.PathLike
        The NPY file to write (replaced only once the new one is complete).
    stride : int
        Keep every stride-th frame (>= 1).
    remove_com : bool
        Subtract from each frame the unweighted mean of the selected atoms.

    Returns
    -------
    numpy.ndarray
        The float32 array written.

    Raises
    ------
    DatasetError
        for a missing or unreadable trajectory, a bad selection, atom indices out of range, no frames, or
        non-finite positions; the message names the file.
    """
    import mdtraj

    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise DatasetError(f"stride must be a positive integer, not {stride!r}")
    if isinstance(trajectory, mdtraj.Trajectory):
        traj, source = trajectory[::stride], "the trajectory"
    else:
        files = [os.fspath(f) for f in trajectory] if isinstance(trajectory, (list, tuple)) else [os.fspath(trajectory)]
        source = ", ".join(files)
        top = topology if topology is None or isinstance(topology, mdtraj.Topology) else os.fspath(topology)
        for f in files + ([top] if isinstance(top, str) else []):
            if not os.path.exists(f):
                raise DatasetError(f"{f}: no such file")
        try:
            traj = mdtraj.load(files if len(files) > 1 else files[0], top=top, stride=stride)
        except Exception as error:
            hint = "" if top is not None else " (formats without atoms, such as DCD, XTC and TRR, need topology=)"
            raise DatasetError(f"{source}: cannot read the trajectory{hint}: {error}") from None
    indices = _atom_indices(atoms, traj.topology, source)
    xyz = np.array(traj.xyz[:, indices, :], dtype=np.float32)
    if xyz.shape[0] == 0:
        raise DatasetError(f"{source}: the trajectory holds no frames")
    _check_finite(xyz, indices, source)
    if remove_com:
        xyz -= xyz.mean(axis=1, keepdims=True, dtype=np.float64).astype(np.float32)
    _write_replacing(os.fspath(output), xyz)
    return xyz


def _atom_indices(atoms, topology, source):
    n = topology.n_atoms
    if atoms is None:
        return np.arange(n)
    if isinstance(atoms, str):
        try:
            indices = topology.select(atoms)
        except Exception as error:
            reason = str(error).splitlines()[0]
            if "found" in reason:
                reason = reason[reason.rindex("found"):]
            raise DatasetError(f"{source}: atom selection {atoms!r} is not valid mdtraj selection syntax ({reason[:200]})") from None
        if len(indices) == 0:
            raise DatasetError(f"{source}: atom selection {atoms!r} selects no atoms")
        return indices
    indices = np.asarray(atoms)
    if indices.ndim != 1 or indices.size == 0 or not np.issubdtype(indices.dtype, np.integer):
        raise DatasetError(f"{source}: atoms must be a selection string or a non-empty list of atom indices, not {atoms!r}")
    for entry, index in enumerate(indices):
        if index < 0 or index >= n:
            raise DatasetError(f"{source}: atom index {index} (entry {entry}) is out of range: the topology has {n} atoms "
                               f"(indices 0 to {n - 1})")
    unique, counts = np.unique(indices, return_counts=True)
    if np.any(counts > 1):
        raise DatasetError(f"{source}: atom index {unique[counts > 1][0]} is listed twice")
    return indices


def _check_finite(xyz, indices, source):
    bad = np.argwhere(~np.isfinite(xyz))
    if len(bad):
        frame, atom, axis = bad[0]
        what = "NaN" if np.isnan(xyz[frame, atom, axis]) else "infinite value"
        raise DatasetError(f"{source}: {what} in frame {frame}, atom {indices[atom]} ({'xyz'[axis]} coordinate)")


def _write_replacing(path, array):
    temporary = f"{path}.tmp-{os.getpid()}"
    try:
        with open(temporary, "wb") as out:
            np.save(out, array)
        os.replace(temporary, path)
    except OSError as error:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise DatasetError(f"{path}: cannot write the dataset ({error.strerror or error})") from None
