"""Cost of an ADAForce in MD: ns/day of alanine dipeptide (AMBER99SB-ILDN + OBC implicit solvent, 2 fs,
HBond constraints) without and with a bias of two dihedral splines (phi, psi) and one radius-of-gyration MLP
(1-32-32-1, tanh) over the 10 heavy atoms.

Both variants run in one process, interleaved block by block (A B A B ...) on each platform so that machine
noise hits both alike; the table reports the median ns/day of each and the ratio of step times.

    .venv/bin/python benchmarks/adaforce_overhead.py [--platforms Reference CPU OpenCL] [--blocks 7] [--steps 2000]
        [--markdown docs/benchmarks/adaforce_overhead.md]
"""

import argparse
import math
import os
import statistics
import sys
import tempfile
import time

import numpy as np

import openmm as mm
import openmm.app as app
import openmm.unit as unit

import openmmada
from openmmada import bias

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHI, PSI = [4, 6, 8, 14], [6, 8, 14, 16]
HEAVY = [1, 4, 5, 6, 8, 10, 14, 15, 16, 18]


NOTES = """How to read it. The step-time ratio is the ADAForce's share: 1.05 means the bias adds 5% to a step.
On Reference the bias costs {reference_cost} per step. The CPU platform runs the same host kernel;
there the step of this 22-atom system is dominated by the CPU platform's thread
synchronisation, so the ratio sits within noise of 1. On OpenCL the bias is evaluated on the host: each step
waits for the device, downloads the touched atoms and uploads their forces, and under PoCL (OpenCL on the
CPU) that round trip dominates. CUDA uses the same kernel but was not measured (no GPU here).
"""


def bias_terms():
    rng = np.random.default_rng(0)
    grid = np.linspace(-math.pi, math.pi, 37)
    phi, psi = np.cos(grid - 1.0), 0.5 * np.sin(grid)
    phi[-1], psi[-1] = phi[0], psi[0]
    sizes = [1, 32, 32, 1]
    layers = [(rng.normal(size=(n_out, n_in)) / math.sqrt(n_in), 0.1 * rng.normal(size=n_out),
               "tanh" if i < len(sizes) - 2 else "linear")
              for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]
    return [bias.spline_term({"type": "dihedral", "atoms": PHI}, grid, phi),
            bias.spline_term({"type": "dihedral", "atoms": PSI}, grid, psi),
            bias.mlp_term({"type": "rg", "atoms": HEAVY}, layers, input_shift=[0.25], input_scale=[0.05])]


def make_system(pdb):
    forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    return forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)


def minimized_positions(pdb):
    # Minimised once on Reference: OpenMM's minimiser crashes on OpenCL under PoCL (seen with 8.6.1).
    context = mm.Context(make_system(pdb), mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))
    context.setPositions(pdb.positions)
    mm.LocalEnergyMinimizer.minimize(context)
    return context.getState(getPositions=True).getPositions()


def make_context(pdb, positions, platform, with_bias, bias_path):
    system = make_system(pdb)
    if with_bias:
        system.addForce(openmmada.ADAForce(bias_path))
    integrator = mm.LangevinMiddleIntegrator(300 * unit.kelvin, 1 / unit.picosecond, 0.002 * unit.picoseconds)
    integrator.setRandomNumberSeed(1)
    context = mm.Context(system, integrator, mm.Platform.getPlatformByName(platform))
    context.setPositions(positions)
    context.setVelocitiesToTemperature(300 * unit.kelvin, 1)
    integrator.step(200)
    context.getState(getEnergy=True)
    return context, integrator


def time_block(context, integrator, steps):
    start = time.perf_counter()
    integrator.step(steps)
    context.getState(getEnergy=True)  # wait for the device
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--platforms", nargs="+", default=["Reference", "CPU", "OpenCL"])
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--markdown", help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    pdb = app.PDBFile(os.path.join(ROOT, "examples", "data", "alanine-dipeptide.pdb"))
    positions = minimized_positions(pdb)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        bias_path = os.path.join(tmp, "bias.json")
        bias.write_bias(bias_path, bias_terms(), temperature=300.0)
        for platform in args.platforms:
            try:
                mm.Platform.getPlatformByName(platform)
            except Exception:
                print(f"{platform}: not available, skipped", file=sys.stderr)
                continue
            plain = make_context(pdb, positions, platform, False, bias_path)
            biased = make_context(pdb, positions, platform, True, bias_path)
            times = {"plain": [], "biased": []}
            for _ in range(args.blocks):
                times["plain"].append(time_block(*plain, args.steps))
                times["biased"].append(time_block(*biased, args.steps))
            t0, t1 = statistics.median(times["plain"]), statistics.median(times["biased"])
            nsday = lambda t: args.steps * 0.002 / t * 86400 / 1000
            rows.append((platform, nsday(t0), nsday(t1), 1e6 * t0 / args.steps, 1e6 * t1 / args.steps, t1 / t0))
            print(f"{platform}: done", file=sys.stderr)
    header = ("| platform | MD ns/day | MD + ADAForce ns/day | µs/step MD | µs/step MD + ADAForce | step-time ratio |\n"
              "|---|---|---|---|---|---|")
    lines = [header] + [f"| {p} | {a:.0f} | {b:.0f} | {c:.1f} | {d:.1f} | {r:.3f} |" for p, a, b, c, d, r in rows]
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        command = " ".join(["python benchmarks/adaforce_overhead.py"] + (argv if argv is not None else sys.argv[1:]))
        with open(args.markdown, "w") as f:
            f.write("# ADAForce cost in MD\n\n" + __doc__.split("\n\n")[0].replace("\n", " ") + "\n\n")
            f.write(f"Command: `{command}`, {args.blocks} interleaved blocks of {args.steps} steps, medians.\n\n")
            f.write(table + "\n")
            costs = {p: d - c for p, _, _, c, d, _ in rows}
            reference_cost = f"{costs['Reference']:.1f} µs" if "Reference" in costs else "(not measured)"
            f.write("\n" + NOTES.format(reference_cost=reference_cost))
    return 0


if __name__ == "__main__":
    sys.exit(main())
