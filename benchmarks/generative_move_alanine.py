"""GenerativeMove on alanine dipeptide (AMBER99SB-ILDN + OBC, 300 K, no cutoff): phi-sign transitions per
wall-clock second and the (phi, psi) distribution, MD alone against MD + GenerativeMove, side by side in one run.

1. Reference: Langevin MD of the flexible molecule (no constraints, 1 fs, Reference platform); its (phi, psi)
   every 0.5 ps is the reference distribution.
2. Model: `ada pretrain` (MLP, centred and superposed, as by default) on frames every 0.5 ps of MD with a bias
   -k cos(phi - 0.5) on phi (k = 14 kJ/mol), which visits phi > 0 (plain MD at 300 K hardly does in a few ns):
   a proposal need not come from the target, Metropolis-Hastings corrects it.
3. Arms, each for the same wall-clock budget, one after the other in this process (Reference platform, one
   thread): MD with HBonds constraints at 2 fs (the usual fast set-up), flexible MD at 1 fs, and flexible MD at
   1 fs + GenerativeMove on all 22 atoms (the moved atoms cannot be constrained). (phi, psi) is sampled every
   0.1 ps of simulated time.

Transitions: phi-sign changes between cores, phi in (0.35, 1.75) rad (alpha_L / C7ax) and phi < -0.35 or
phi > 2.8 rad (beta / C7eq / alpha_R, wrapped); a transition is counted when the trajectory enters the core
it was not last in. JSD: joint (phi, psi) histograms of 18 x 18 bins over [-pi, pi)^2 (natural log) against
the reference.

    OMP_NUM_THREADS=1 python benchmarks/generative_move_alanine.py [--reference-ns 2] [--train-ns 1] [--bias 14] \
        [--train-steps 10000] \
        [--budget 90] [--frequency 200] [--attempts 16] [--batch 32] [--markdown docs/benchmarks/generative_move.md]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import openmm as mm
import openmm.app as app
import openmm.unit as unit

import openmmada
from openmmada import moves

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADA = os.path.join(os.path.dirname(sys.executable), "ada")
PHI, PSI = [4, 6, 8, 14], [6, 8, 14, 16]
TEMPERATURE = 300.0


def dihedrals(x, atoms):
    """Dihedral angles (rad, in [-pi, pi)) of frames x [T, N, 3]."""
    return moves.torsion_angles(x, [atoms])[:, 0]


def transitions(phi):
    """Core-to-core changes of the sign of phi (see the module docstring)."""
    core = np.where((phi > 0.35) & (phi < 1.75), 1, np.where((phi < -0.35) | (phi > 2.8), -1, 0))
    visited = core[core != 0]
    return int(np.count_nonzero(visited[1:] != visited[:-1]))


def joint_jsd(a, b, bins=18, weights=None):
    """Jensen-Shannon divergence (nats) of the joint (phi, psi) histograms of a and b (b's frames weighted by
    `weights` if given)."""
    edges = np.linspace(-np.pi, np.pi, bins + 1)
    p = np.histogram2d(a[0], a[1], bins=[edges, edges])[0].ravel()
    q = np.histogram2d(b[0], b[1], bins=[edges, edges], weights=weights)[0].ravel()
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)

    def kl(x):
        nz = x > 0
        return np.sum(x[nz] * np.log(x[nz] / m[nz]))

    return 0.5 * kl(p) + 0.5 * kl(q)


def make_system(constraints):
    pdb = app.PDBFile(os.path.join(ROOT, "examples", "data", "alanine-dipeptide.pdb"))
    forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    return pdb, forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=constraints)


def make_context(system, pdb, timestep, seed):
    integrator = mm.LangevinMiddleIntegrator(TEMPERATURE * unit.kelvin, 1 / unit.picosecond, timestep * unit.picoseconds)
    integrator.setRandomNumberSeed(seed)
    context = mm.Context(system, integrator, mm.Platform.getPlatformByName("Reference"))
    context.setPositions(pdb.positions)
    mm.LocalEnergyMinimizer.minimize(context)
    context.setVelocitiesToTemperature(TEMPERATURE * unit.kelvin, seed)
    return context, integrator


def record(path, nanoseconds, seed, bias=0.0, constraints=None, timestep=0.001, centre=0.5):
    """MD (flexible at 1 fs unless told), frames every 0.5 ps into `path`; with bias > 0, -bias cos(phi - centre)
    is added."""
    pdb, system = make_system(constraints)
    if bias > 0:
        torsion = mm.CustomTorsionForce(f"-{bias}*cos(theta-{centre})")
        torsion.addTorsion(*PHI)
        system.addForce(torsion)
    every = int(round(0.5 / timestep))
    recorder = openmmada.DataRecorder(path, every)
    system.addForce(recorder)
    context, integrator = make_context(system, pdb, timestep, seed)
    integrator.step(int(round(nanoseconds * 1000 / timestep)))
    recorder.flush(context)


def potential_energies(x):
    """Potential energies (kT) of configurations x [T, 22, 3] (nm) of the flexible molecule."""
    pdb, system = make_system(None)
    context = mm.Context(system, mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))
    kT = 0.00831446261815324 * TEMPERATURE
    energies = []
    for frame in x:
        context.setPositions(frame * unit.nanometer)
        energies.append(context.getState(getEnergy=True).getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole) / kT)
    return np.asarray(energies)


def run_arm(name, constraints, timestep, budget, seed, move=None):
    pdb, system = make_system(constraints)
    if move is not None:
        system.addForce(move)
    context, integrator = make_context(system, pdb, timestep, seed)
    every = int(round(0.1 / timestep))  # (phi, psi) every 0.1 ps
    frames = []
    start = time.perf_counter()
    steps = 0
    while time.perf_counter() - start < budget:
        integrator.step(every)
        steps += every
        frames.append(context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer))
    wall = time.perf_counter() - start
    x = np.asarray(frames)
    row = {"arm": name, "wall": wall, "ns": steps * timestep / 1000, "phi": dihedrals(x, PHI), "psi": dihedrals(x, PSI)}
    if move is not None:
        row["attempted"], row["accepted"] = move.getNumAttempted(context), move.getNumAccepted(context)
    print(f"{name}: {row['ns']:.3f} ns in {wall:.0f} s", file=sys.stderr)
    return row


def add_move_arguments(parser, train_steps, budget, frequency, attempts, batch, tolerance):
    """The options both GenerativeMove benchmarks take (this one and torsion_move_alanine.py), with their defaults."""
    parser.add_argument("--bias", type=float, default=14.0, help="k of the phi bias -k cos(phi - 0.5), kJ/mol")
    parser.add_argument("--train-steps", type=int, default=train_steps)
    parser.add_argument("--budget", type=float, default=budget, help="wall-clock seconds per arm")
    parser.add_argument("--frequency", type=int, default=frequency, help="steps between move steps")
    parser.add_argument("--attempts", type=int, default=attempts, help="Metropolis-Hastings attempts per move step")
    parser.add_argument("--batch", type=int, default=batch, help="candidates per batch")
    parser.add_argument("--tolerance", type=float, default=tolerance)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", help="write the results to this file")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference-ns", type=float, default=2.0)
    parser.add_argument("--train-ns", type=float, default=1.0, help="biased MD for the training data")
    add_move_arguments(parser, train_steps=10000, budget=90.0, frequency=200, attempts=16, batch=32, tolerance=1e-5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        frames_path, train_path, model_path = (os.path.join(folder, n) for n in ("frames.npy", "train.npy", "model.adab"))
        start = time.perf_counter()
        record(frames_path, args.reference_ns, args.seed)
        reference_seconds = time.perf_counter() - start
        frames = np.load(frames_path)
        reference = (dihedrals(frames, PHI), dihedrals(frames, PSI))
        start = time.perf_counter()
        record(train_path, args.train_ns, args.seed + 10, bias=args.bias)
        data_seconds = time.perf_counter() - start
        train_phi = dihedrals(np.load(train_path), PHI)
        start = time.perf_counter()
        result = subprocess.run([ADA, "pretrain", "--data", train_path, "--out", model_path, "--steps", str(args.train_steps),
                                 "--batch", "256", "--ema", "0.995", "--seed", str(args.seed)], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        train_seconds = time.perf_counter() - start
        # Why moves are or are not accepted: energies of model samples against the reference frames, in kT.
        samples_path = os.path.join(folder, "samples.npy")
        result = subprocess.run([ADA, "sample", "--model", model_path, "--count", "200", "--out", samples_path,
                                 "--method", "rk4", "--steps", "20", "--seed", str(args.seed)], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        sample_energy = potential_energies(np.load(samples_path))
        reference_energy = potential_energies(frames[:: max(1, len(frames) // 200)])

        move = openmmada.GenerativeMove(model_path, [], args.frequency, TEMPERATURE)
        move.setAttemptsPerMove(args.attempts)
        move.setBatchSize(args.batch)
        move.setTolerance(args.tolerance)
        move.setRandomNumberSeed(args.seed)
        rows = [run_arm("MD, HBonds constraints, 2 fs", app.HBonds, 0.002, args.budget, args.seed + 1),
                run_arm("MD, flexible, 1 fs", None, 0.001, args.budget, args.seed + 1),
                run_arm("MD, flexible, 1 fs + GenerativeMove", None, 0.001, args.budget, args.seed + 1, move)]

    baseline = transitions(rows[0]["phi"]) / rows[0]["wall"]
    lines = ["| arm | simulated (ns) | wall (s) | phi-sign transitions | per wall second | vs MD (HBonds) | "
             "acceptance | phi > 0 fraction | joint (phi, psi) JSD to reference (nats) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        count = transitions(row["phi"])
        rate = count / row["wall"]
        acceptance = (f"{row['accepted']}/{row['attempted']} = {row['accepted'] / max(row['attempted'], 1):.2e}"
                      if "attempted" in row else "")
        ratio = f"{rate / baseline:.2f}x" if baseline > 0 else "n/a (no MD transitions)"
        lines.append(f"| {row['arm']} | {row['ns']:.3f} | {row['wall']:.0f} | {count} | {rate:.4f} | {ratio} | {acceptance} | "
                     f"{np.mean(row['phi'] > 0):.4f} | {joint_jsd((row['phi'], row['psi']), reference):.4f} |")
    lines.append(f"| reference MD (flexible, 1 fs) | {args.reference_ns:.3f} | {reference_seconds:.0f} | "
                 f"{transitions(reference[0])} (every 0.5 ps) | | | | {np.mean(reference[0] > 0):.4f} | 0 |")
    table = "\n".join(lines)
    energies = (f"Potential energy (kT) of 200 model samples (`ada sample`, RK4 20 steps): median "
                f"{np.median(sample_energy):.1f}, 10th percentile {np.percentile(sample_energy, 10):.1f}; of "
                f"{len(reference_energy)} reference frames: median {np.median(reference_energy):.1f}, 90th percentile "
                f"{np.percentile(reference_energy, 90):.1f}.")
    print(table)
    print(energies)
    if args.markdown:
        command = " ".join(["OMP_NUM_THREADS=1 python benchmarks/generative_move_alanine.py"] +
                           (argv if argv is not None else sys.argv[1:]))
        with open(args.markdown, "w") as f:
            f.write("# GenerativeMove on alanine dipeptide\n\n")
            f.write(__doc__.split("\n\n")[1] + "\n\n" + __doc__.split("\n\n")[2] + "\n\n")
            f.write(f"Command: `{command}`; the reference MD took {args.reference_ns} ns / {reference_seconds:.0f} s, "
                    f"the biased training MD {args.train_ns} ns / {data_seconds:.0f} s (phi > 0 in "
                    f"{np.mean(train_phi > 0):.2f} of its frames), `ada pretrain` {args.train_steps} steps {train_seconds:.0f} s. GenerativeMove every {args.frequency} steps, "
                    f"{args.attempts} attempts per move step, batches of {args.batch}, ODE tolerance {args.tolerance}. 2 cores "
                    "shared with other work; the arms ran one after the other.\n\n")
            f.write(table + "\n\n" + energies + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
