"""Datasets in and out: trajectories converted with mdtraj, DCD files written by OpenMM and mdtraj read by
ada_core's reader, DataRecorder from Python, and clear errors for bad files and selections."""
import os
import pathlib

import mdtraj
import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit
import pytest

import openmmada
from openmmada import data
from harness import OTHER_PLATFORMS, new_system

PDB = pathlib.Path(__file__).resolve().parents[2] / "examples" / "data" / "alanine-dipeptide.pdb"


@pytest.fixture
def frames(rng):
    """Six perturbed copies of alanine dipeptide, [6, 22, 3] float32 nm."""
    reference = mdtraj.load(str(PDB))
    return (reference.xyz[0] + rng.normal(0.0, 0.02, (6, 22, 3))).astype(np.float32)


@pytest.fixture
def trajectory(frames):
    return mdtraj.Trajectory(frames, mdtraj.load_topology(str(PDB)))


# --- convert_trajectory ---------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix, tolerance", [("dcd", 1e-6), ("xtc", 1e-3)])  # XTC keeps 3 decimals in nm
def test_convert_trajectory_matches_the_frames(tmp_path, trajectory, frames, suffix, tolerance):
    path = tmp_path / f"t.{suffix}"
    getattr(trajectory, f"save_{suffix}")(str(path))
    out = tmp_path / "frames.npy"
    written = data.convert_trajectory(path, topology=PDB, output=out)
    loaded = np.load(out)
    assert loaded.dtype == np.float32 and loaded.shape == (6, 22, 3)
    np.testing.assert_array_equal(loaded, written)
    np.testing.assert_allclose(loaded, frames, atol=tolerance)


def test_convert_trajectory_selects_strides_and_centres(tmp_path, trajectory, frames):
    path = tmp_path / "t.dcd"
    trajectory.save_dcd(str(path))
    heavy = trajectory.topology.select("not element H")
    out = data.convert_trajectory(str(path), topology=str(PDB), atoms="not element H", output=tmp_path / "a.npy", stride=2)
    np.testing.assert_allclose(out, frames[::2][:, heavy], atol=1e-6)
    chosen = [14, 4, 6, 8]
    out = data.convert_trajectory(path, topology=PDB, atoms=chosen, output=tmp_path / "b.npy", remove_com=True)
    expected = frames[:, chosen] - frames[:, chosen].mean(axis=1, keepdims=True)
    np.testing.assert_allclose(out, expected, atol=1e-6)
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-6)
    # A Trajectory object and a PDB (which carries its own topology) work too.
    np.testing.assert_allclose(data.convert_trajectory(trajectory, output=tmp_path / "c.npy"), frames)
    assert data.convert_trajectory(PDB, output=tmp_path / "d.npy").shape == (1, 22, 3)


def test_convert_trajectory_reports_bad_input(tmp_path, trajectory, frames):
    path = tmp_path / "t.dcd"
    trajectory.save_dcd(str(path))
    out = tmp_path / "out.npy"
    with pytest.raises(data.DatasetError, match=r"atom index 22 \(entry 1\) is out of range: the topology has 22 atoms"):
        data.convert_trajectory(path, topology=PDB, atoms=[0, 22], output=out)
    with pytest.raises(data.DatasetError, match="atom index -1"):
        data.convert_trajectory(path, topology=PDB, atoms=[-1], output=out)
    with pytest.raises(data.DatasetError, match="atom selection 'name XX' selects no atoms"):
        data.convert_trajectory(path, topology=PDB, atoms="name XX", output=out)
    with pytest.raises(data.DatasetError, match="is not valid mdtraj selection syntax"):
        data.convert_trajectory(path, topology=PDB, atoms="name CA and", output=out)
    with pytest.raises(data.DatasetError, match="missing.dcd: no such file"):
        data.convert_trajectory(tmp_path / "missing.dcd", topology=PDB, output=out)
    with pytest.raises(data.DatasetError, match="need topology="):
        data.convert_trajectory(path, output=out)
    with pytest.raises(data.DatasetError, match="stride must be a positive integer"):
        data.convert_trajectory(path, topology=PDB, output=out, stride=0)
    broken = trajectory[:]
    broken.xyz[3, 7, 2] = np.nan
    with pytest.raises(data.DatasetError, match=r"NaN in frame 3, atom 7 \(z coordinate\)"):
        data.convert_trajectory(broken, output=out)
    assert not out.exists()
    with pytest.raises(data.DatasetError, match="cannot write the dataset"):
        data.convert_trajectory(trajectory, output=tmp_path / "no" / "such" / "dir.npy")
    # A failed conversion leaves an existing dataset as it was.
    data.convert_trajectory(trajectory, output=out)
    before = out.read_bytes()
    with pytest.raises(data.DatasetError):
        data.convert_trajectory(broken, output=out)
    assert out.read_bytes() == before


# --- load_dataset: NPY, and DCD written by OpenMM and mdtraj ---------------------------------------------

def test_load_dataset_reads_npy_as_numpy_saved_it(tmp_path, frames):
    np.save(tmp_path / "f4.npy", frames)
    loaded = data.load_dataset(tmp_path / "f4.npy")
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, frames)
    np.save(tmp_path / "f8.npy", frames.astype(np.float64).reshape(6, 66))
    assert data.load_dataset(tmp_path / "f8.npy").shape == (6, 66)
    assert data.load_dataset(tmp_path / "f8.npy", expect="particles").shape == (6, 22, 3)
    assert data.load_dataset(tmp_path / "f4.npy", expect="vectors").shape == (6, 66)


@pytest.mark.parametrize("periodic", [False, True], ids=["no_box", "box"])
def test_load_dataset_reads_dcd_written_by_openmm(tmp_path, frames, periodic):
    pdb = app.PDBFile(str(PDB))
    topology = pdb.topology
    box = (openmm.Vec3(2.5, 0, 0), openmm.Vec3(0, 2.6, 0), openmm.Vec3(0, 0, 2.7)) * unit.nanometer
    topology.setPeriodicBoxVectors(box if periodic else None)
    path = tmp_path / "openmm.dcd"
    with open(path, "wb") as out:
        dcd = app.DCDFile(out, topology, 0.002 * unit.picoseconds, firstStep=100, interval=50)
        for frame in frames:
            dcd.writeModel(frame.astype(np.float64) * unit.nanometer, periodicBoxVectors=box if periodic else None)
    np.testing.assert_allclose(data.load_dataset(path), frames, atol=2e-6)


def test_load_dataset_reads_dcd_written_by_mdtraj(tmp_path, trajectory, frames):
    trajectory.unitcell_vectors = np.repeat(np.diag([3.0, 3.1, 3.2])[None], 6, axis=0).astype(np.float32)
    trajectory.save_dcd(str(tmp_path / "mdtraj.dcd"))
    np.testing.assert_allclose(data.load_dataset(tmp_path / "mdtraj.dcd"), frames, atol=2e-6)


def test_load_dataset_reports_bad_files(tmp_path, frames):
    np.save(tmp_path / "good.npy", frames)
    raw = (tmp_path / "good.npy").read_bytes()
    (tmp_path / "truncated.npy").write_bytes(raw[:-10])
    with pytest.raises(data.DatasetError, match=r"truncated.npy: truncated NPY file \(shape \[6, 22, 3\] of <f4 needs 1584 bytes"):
        data.load_dataset(tmp_path / "truncated.npy")
    bad = frames.copy()
    bad[2, 3, 2] = np.nan
    np.save(tmp_path / "nan.npy", bad)
    with pytest.raises(data.DatasetError, match=r"nan.npy: NaN in frame 2, atom 3 \(z coordinate\)"):
        data.load_dataset(tmp_path / "nan.npy")
    np.save(tmp_path / "shape.npy", np.zeros((5, 4, 4), np.float32))
    with pytest.raises(data.DatasetError, match="the last dimension is 4, not 3"):
        data.load_dataset(tmp_path / "shape.npy")
    np.save(tmp_path / "flat.npy", np.zeros((5, 8), np.float32))
    with pytest.raises(data.DatasetError, match="8 values per frame are not a multiple of 3"):
        data.load_dataset(tmp_path / "flat.npy", expect="particles")
    np.save(tmp_path / "object.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(data.DatasetError, match="unsupported dtype '|O'"):
        data.load_dataset(tmp_path / "object.npy")
    (tmp_path / "text.npy").write_text("frame,x,y,z\n")
    with pytest.raises(data.DatasetError, match="not an NPY file"):
        data.load_dataset(tmp_path / "text.npy")
    with pytest.raises(data.DatasetError, match="missing.npy: cannot open NPY file"):
        data.load_dataset(tmp_path / "missing.npy")
    dcd = tmp_path / "cut.dcd"
    mdtraj.Trajectory(frames, mdtraj.load_topology(str(PDB))).save_dcd(str(dcd))
    dcd.write_bytes(dcd.read_bytes()[:-20])
    with pytest.raises(data.DatasetError, match="cut.dcd: truncated DCD file"):
        data.load_dataset(dcd)


# --- DataRecorder from Python --------------------------------------------------------------------------

def chain_system(n=6):
    system = new_system(n)
    bonds = openmm.HarmonicBondForce()
    for i in range(1, n):
        bonds.addBond(i - 1, i, 0.15, 5000.0)
    system.addForce(bonds)
    return system


def chain_positions(n=6):
    return [openmm.Vec3(0.15 * i, 0.02 * (i % 3), 0.3 - 0.01 * i) for i in range(n)]


@pytest.mark.parametrize("platform", [pytest.param("Reference", id="Reference")] + OTHER_PLATFORMS)
def test_data_recorder_writes_frames_numpy_reads(tmp_path, platform):
    system = chain_system()
    path = tmp_path / "recorded.npy"
    recorder = openmmada.DataRecorder(path, 10, np.array([4, 0, 2]))  # PathLike and numpy indices
    system.addForce(recorder)
    integrator = openmm.LangevinMiddleIntegrator(300, 5, 0.002)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName(platform))
    context.setPositions(chain_positions())
    integrator.step(50)
    assert np.load(path).shape == (4, 3, 3)  # valid while running; step 50's frame is written on flush
    integrator.step(50)
    recorder.flush(context)
    assert recorder.getNumFramesRecorded(context) == 10
    recorded = np.load(path)
    assert recorded.dtype == np.float32 and recorded.shape == (10, 3, 3)
    state = context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    np.testing.assert_allclose(recorded[-1], state[[4, 0, 2]], rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(data.load_dataset(path), recorded)


def test_data_recorder_is_an_openmm_force(tmp_path):
    system = chain_system()
    system.addForce(openmmada.DataRecorder(str(tmp_path / "x.npy"), 25, [1, 3]))
    force = system.getForce(1)
    assert openmmada.DataRecorder.isinstance(force) and not openmmada.ADAForce.isinstance(force)
    recorder = openmmada.DataRecorder.cast(force)
    assert recorder.getAtoms() == [1, 3] and recorder.getFrequency() == 25 and not recorder.getAppend()
    recorder.setAppend(True)
    copy = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
    again = openmmada.DataRecorder.cast(copy.getForce(1))
    assert (again.getFile(), again.getFrequency(), again.getAtoms(), again.getAppend()) == (str(tmp_path / "x.npy"), 25, [1, 3], True)
    with pytest.raises(openmm.OpenMMException, match="not a DataRecorder"):
        openmmada.DataRecorder.cast(system.getForce(0))


def test_data_recorder_reports_bad_input(tmp_path):
    with pytest.raises(openmm.OpenMMException, match="the frequency must be a positive number of steps, found 0"):
        openmmada.DataRecorder(tmp_path / "x.npy", 0)
    with pytest.raises(openmm.OpenMMException, match="atom index 2 is listed twice"):
        openmmada.DataRecorder(tmp_path / "x.npy", 10, [2, 2])
    with pytest.raises(TypeError):
        openmmada.DataRecorder(tmp_path / "x.npy", 10, [0.5])
    system = chain_system()
    system.addForce(openmmada.DataRecorder(tmp_path / "x.npy", 10, [0, 6]))
    with pytest.raises(openmm.OpenMMException, match=r"atom index 6 \(entry 1\) is out of range: the System has 6 particles"):
        openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    system = chain_system()
    system.addForce(openmmada.DataRecorder(tmp_path / "no" / "dir" / "x.npy", 10))
    with pytest.raises(openmm.OpenMMException, match="cannot create the file"):
        openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
