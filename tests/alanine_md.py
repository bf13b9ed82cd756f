"""Short MD of alanine dipeptide (AMBER99SB-ILDN + OBC, 300 K, Reference platform) recorded with
openmmada.DataRecorder: the data of the pre-training tests and benchmarks.

    python tests/alanine_md.py OUT.npy --ns 2 --seed 1 [--every 250]
"""
import argparse
import os
import sys

import openmm as mm
import openmm.app as app
import openmm.unit as unit

import openmmada

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHI, PSI = [4, 6, 8, 14], [6, 8, 14, 16]


IMPLICIT = ("amber99sbildn.xml", "amber99_obc.xml")
VACUUM = ("amber99sbildn.xml",)
# Named force-field sets, e.g. for the sim-to-sim benchmarks (benchmarks/alanine_alignment.py).
FORCE_FIELDS = {"amber99sbildn-obc": IMPLICIT, "amber99sbildn-vacuum": VACUUM, "amber96-obc": ("amber96.xml", "amber96_obc.xml"),
                "amber96-vacuum": ("amber96.xml",), "amber03-obc": ("amber03.xml", "amber03_obc.xml"), "amber14-vacuum": ("amber14-all.xml",)}


def record(path, nanoseconds, seed, every=250, platform="Reference", forcefields=IMPLICIT, forces=()):
    """Record MD frames to `path`; `forcefields` (OpenMM ForceField files) and extra `forces` (e.g. an
    ADAForce) define the System."""
    pdb = app.PDBFile(os.path.join(ROOT, "examples", "data", "alanine-dipeptide.pdb"))
    forcefield = app.ForceField(*forcefields)
    system = forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
    for force in forces:
        system.addForce(force)
    recorder = openmmada.DataRecorder(path, every)
    system.addForce(recorder)
    integrator = mm.LangevinMiddleIntegrator(300 * unit.kelvin, 1 / unit.picosecond, 0.002 * unit.picoseconds)
    integrator.setRandomNumberSeed(seed)
    context = mm.Context(system, integrator, mm.Platform.getPlatformByName(platform))
    context.setPositions(pdb.positions)
    mm.LocalEnergyMinimizer.minimize(context)
    context.setVelocitiesToTemperature(300 * unit.kelvin, seed)
    integrator.step(int(round(nanoseconds * 1000 / 0.002)))
    recorder.flush(context)
    return recorder.getNumFramesRecorded(context)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output")
    parser.add_argument("--ns", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--every", type=int, default=250)
    args = parser.parse_args(argv)
    frames = record(args.output, args.ns, args.seed, args.every)
    print(f"wrote {args.output}: {frames} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
