"""Torsion GenerativeMove on alanine dipeptide (AMBER99SB-ILDN + OBC, 300 K, no cutoff, HBonds constraints, 2 fs):
phi-sign transitions per wall-clock second and the (phi, psi) distribution, MD alone against MD + torsion moves,
side by side in one run.

1. Reference: Langevin MD (HBonds, 2 fs, Reference platform) without bias and with a bias U_b = -k cos(phi - 0.5)
   on phi (k = 14 kJ/mol), which visits phi > 0 (plain MD at 300 K hardly does in nanoseconds); (phi, psi) every
   0.5 ps. The reference distribution is the unbiased ensemble estimated from both runs by MBAR (two states,
   reduced potentials 0 and U_b/kT): exact reweighting, like the biased run reweighted by exp(+U_b/kT) alone, but
   with the phi < 0 region, where exp(+U_b/kT) varies by e^5, carried by the unbiased frames (Kish effective
   sample sizes of both are reported).
2. Model: `ada pretrain` (MLP) on the biased frames' angles [frames, 2] of the torsions (14, 8, 6, 4) (= phi)
   and (6, 8, 14, 16) (= psi), each in a window [w, w + 2 pi) that starts in the middle of the widest empty gap
   of its circular histogram (openmmada.moves). A proposal need not come from the target: Metropolis-Hastings
   corrects it.
3. Arms, each for the same wall-clock budget, one after the other in this process (Reference platform, one
   thread): MD alone, and MD + GenerativeMove with the two torsions. phi rotates the ACE cap and H(N)
   (atoms 0-5, 7) about the N-CA bond, psi rotates O and the NME cap (atoms 15-21) about the CA-C bond: each set
   is everything on the far side of its bond, the two sets are disjoint and hold no atom of the other torsion's
   axis, so the rotations commute and each changes its own torsion only, while CA, HA and the side chain stay
   put. The HBonds constraints are kept by the rotations (H(N) turns with N's side). (phi, psi) every 0.1 ps.

Transitions: phi-sign changes between cores, phi in (0.35, 1.75) rad (alpha_L / C7ax) and phi < -0.35 or
phi > 2.8 rad (beta / C7eq / alpha_R, wrapped); a transition is counted when the trajectory enters the core it
was not last in. When MD alone makes none, its rate is given as the Poisson 95% upper bound 3 / wall time and
the ratio as a lower bound. JSD: joint (phi, psi) histograms of 18 x 18 bins over [-pi, pi)^2 (natural log)
against the reweighted reference.

    OMP_NUM_THREADS=1 python benchmarks/torsion_move_alanine.py [--reference-ns 5] [--biased-ns 5] [--budget 360] \
        [--frequency 250] [--attempts 32] [--batch 256] [--tolerance 1e-4] [--train-steps 5000] [--markdown out.md]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import openmm.app as app

import generative_move_alanine as bench
import openmmada
from openmmada import moves

TORSIONS = [(14, 8, 6, 4), (6, 8, 14, 16)]  # phi (read from the CA side), psi
ROTATED = [[0, 1, 2, 3, 4, 5, 7], [15, 16, 17, 18, 19, 20, 21]]
KT = 0.00831446261815324 * bench.TEMPERATURE


def mbar_weights(bias, n_unbiased, n_biased, iterations=1000):
    """MBAR weights in the unbiased state of frames pooled from an unbiased run (first n_unbiased) and a biased
    one, `bias` the reduced bias U_b/kT of every frame: w_n ∝ 1 / (N0 + N1 exp(f1 - b_n)), with the biased state's
    reduced free energy f1 solved self-consistently, exp(-f1) = sum_n exp(-b_n) / (N0 + N1 exp(f1 - b_n))."""
    f1 = 0.0
    shift = bias.min()
    for _ in range(iterations):
        denominator = n_unbiased + n_biased * np.exp(f1 - bias)
        updated = -np.log(np.sum(np.exp(-(bias - shift)) / denominator)) + shift
        if abs(updated - f1) < 1e-12:
            break
        f1 = updated
    weights = 1.0 / (n_unbiased + n_biased * np.exp(f1 - bias))
    return weights / weights.sum()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference-ns", type=float, default=5.0, help="unbiased MD for the reference")
    parser.add_argument("--biased-ns", type=float, default=5.0, help="biased MD for the model and the reference")
    parser.add_argument("--hidden", type=int, default=32, help="width of the model's hidden layers")
    parser.add_argument("--layers", type=int, default=2, help="hidden layers of the model")
    bench.add_move_arguments(parser, train_steps=5000, budget=360.0, frequency=250, attempts=32, batch=256, tolerance=1e-4)
    args = parser.parse_args(argv)
    start_all = time.perf_counter()

    with tempfile.TemporaryDirectory() as folder:
        unbiased_path, frames_path, angles_path, model_path = (
            os.path.join(folder, n) for n in ("unbiased.npy", "biased.npy", "angles.npy", "torsions.adab"))
        start = time.perf_counter()
        bench.record(unbiased_path, args.reference_ns, args.seed, constraints=app.HBonds, timestep=0.002)
        unbiased_seconds = time.perf_counter() - start
        start = time.perf_counter()
        bench.record(frames_path, args.biased_ns, args.seed + 10, bias=args.bias, constraints=app.HBonds, timestep=0.002)
        biased_seconds = time.perf_counter() - start
        frames = np.load(frames_path)
        raw = moves.torsion_angles(frames, TORSIONS)
        starts = moves.window_starts(raw)
        np.save(angles_path, moves.torsion_angles(frames, TORSIONS, starts))
        unbiased = np.load(unbiased_path)
        phi_ref = np.concatenate([bench.dihedrals(unbiased, bench.PHI), bench.dihedrals(frames, bench.PHI)])
        psi_ref = np.concatenate([bench.dihedrals(unbiased, bench.PSI), bench.dihedrals(frames, bench.PSI)])
        weights = mbar_weights(-args.bias * np.cos(phi_ref - 0.5) / KT, len(unbiased), len(frames))
        biased_only = np.exp(-args.bias * np.cos(phi_ref[len(unbiased):] - 0.5) / KT)
        kish, kish_biased = 1.0 / np.sum(weights ** 2), biased_only.sum() ** 2 / np.sum(biased_only ** 2)

        start = time.perf_counter()
        result = subprocess.run([bench.ADA, "pretrain", "--data", angles_path, "--out", model_path, "--steps", str(args.train_steps),
                                 "--hidden", str(args.hidden), "--layers", str(args.layers), "--batch", "256", "--ema", "0.995",
                                 "--seed", str(args.seed), "--progress-every", str(max(args.train_steps // 5, 1))],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        train_seconds = time.perf_counter() - start

        move = openmmada.GenerativeMove(model_path, [], args.frequency, bench.TEMPERATURE)
        for torsion, rotated, window in zip(TORSIONS, ROTATED, starts):
            move.addTorsion(*torsion, rotated, float(window))
        move.setAttemptsPerMove(args.attempts)
        move.setBatchSize(args.batch)
        move.setTolerance(args.tolerance)
        move.setRandomNumberSeed(args.seed)
        rows = [bench.run_arm("MD, HBonds, 2 fs", app.HBonds, 0.002, args.budget, args.seed + 1),
                bench.run_arm("MD, HBonds, 2 fs + torsion GenerativeMove", app.HBonds, 0.002, args.budget, args.seed + 1, move)]

    md_count = bench.transitions(rows[0]["phi"])
    md_rate = md_count / rows[0]["wall"]
    md_bound = 3.0 / rows[0]["wall"]  # Poisson: P(0 events | mean 3) = 0.05
    lines = ["| arm | simulated (ns) | wall (s) | phi-sign transitions | per wall second | vs MD alone | acceptance | "
             "phi > 0 fraction | joint (phi, psi) JSD to reference (nats) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        count = bench.transitions(row["phi"])
        rate = count / row["wall"]
        if row is rows[0]:
            per_second = f"{rate:.4f}" if md_count > 0 else f"0 (< {md_bound:.4f}, Poisson 95%)"
            ratio = "1"
        else:
            per_second = f"{rate:.4f}"
            ratio = f"{rate / md_rate:.1f}x" if md_count > 0 else f"> {rate / md_bound:.1f}x (lower bound)"
        acceptance = (f"{row['accepted']}/{row['attempted']} = {row['accepted'] / max(row['attempted'], 1):.3f}"
                      if "attempted" in row else "")
        lines.append(f"| {row['arm']} | {row['ns']:.3f} | {row['wall']:.0f} | {count} | {per_second} | {ratio} | {acceptance} | "
                     f"{np.mean(row['phi'] > 0):.4f} | {bench.joint_jsd((row['phi'], row['psi']), (phi_ref, psi_ref), weights=weights):.4f} |")
    lines.append(f"| reference: unbiased + biased MD, MBAR | {args.reference_ns:.3f} + {args.biased_ns:.3f} | "
                 f"{unbiased_seconds:.0f} + {biased_seconds:.0f} | | | | | {np.sum(weights * (phi_ref > 0)):.4f} | 0 |")
    table = "\n".join(lines)
    total = time.perf_counter() - start_all
    setup = (f"The unbiased MD took {args.reference_ns} ns / {unbiased_seconds:.0f} s ({len(unbiased)} frames), the biased MD "
             f"{args.biased_ns} ns / {biased_seconds:.0f} s ({len(frames)} frames, phi > 0 in {np.mean(phi_ref[len(unbiased):] > 0):.2f} "
             f"of them); Kish effective sample size of the MBAR reference {kish:.0f} (of the biased frames reweighted alone: "
             f"{kish_biased:.0f}); "
             f"window starts {starts[0]:.3f} (phi) and {starts[1]:.3f} (psi) rad; `ada pretrain` ({args.hidden} x {args.layers} MLP, "
             f"{args.train_steps} steps) {train_seconds:.0f} s. GenerativeMove every {args.frequency} steps, {args.attempts} attempts "
             f"per move step, batches of {args.batch}, ODE tolerance {args.tolerance}. The whole run took {total:.0f} s on 2 cores "
             "shared with other work; the arms ran one after the other.")
    print(table)
    print(setup)
    if args.markdown:
        command = " ".join(["OMP_NUM_THREADS=1 python benchmarks/torsion_move_alanine.py"] + (argv if argv is not None else sys.argv[1:]))
        with open(args.markdown, "w") as f:
            f.write(f"Command: `{command}`\n\n{setup}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
