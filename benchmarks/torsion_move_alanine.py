"""Torsion GenerativeMove on alanine dipeptide (AMBER99SB-ILDN + OBC, 300 K, no cutoff, HBonds constraints, 2 fs):
phi-sign transitions per wall-clock second and the (phi, psi) distribution, MD alone against MD + torsion moves,
side by side in one run.

1. Reference: Langevin MD (HBonds, 2 fs, Reference platform), (phi, psi) every 0.5 ps, in three runs: without
   bias; with U_1 = -k cos(phi - 0.5) (k = 14 kJ/mol, the training data below), which visits phi > 0 (plain MD at
   300 K hardly does in nanoseconds) but crosses between phi < 0 and phi > 0 only a few times per ns; and with
   U_2 = -25 cos(phi) kJ/mol, which lowers the barrier at phi = 0 and crosses several times as often. The reference
   distribution is the unbiased ensemble estimated from the three runs by MBAR (reduced potentials 0, U_1/kT,
   U_2/kT): exact reweighting, like one biased run reweighted by exp(+U/kT) alone (Kish effective sample sizes
   reported), with the phi < 0 region, where exp(+U_1/kT) varies by e^5, carried by the unbiased frames. Its
   phi > 0 fraction is given with a standard error from 4 blocks (MBAR on the j-th quarter of every run).
2. Models: `ada pretrain` (MLP) on the angles [frames, 2] of the torsions (14, 8, 6, 4) (= phi) and
   (6, 8, 14, 16) (= psi) of (a) the U_1 run's frames (biased: mostly phi > 0) and (b) as many frames resampled
   from the three runs with their MBAR weights (the target's (phi, psi)); each angle in a window [w, w + 2 pi)
   that starts in the middle of the widest empty gap of its circular histogram (openmmada.moves). A proposal need
   not come from the target: Metropolis-Hastings corrects it; the model decides the acceptance.
3. Arms, each for the same wall-clock budget, one after the other in this process (Reference platform, one
   thread): MD alone, and MD + GenerativeMove with the two torsions, one arm per model. phi rotates the ACE cap
   and H(N) (atoms 0-5, 7) about the N-CA bond, psi rotates O and the NME cap (atoms 15-21) about the CA-C bond:
   each set is everything on the far side of its bond, the two sets are disjoint and hold no atom of the other
   torsion's axis, so the rotations commute and each changes its own torsion only, while CA, HA and the side
   chain stay put. The HBonds constraints are kept by the rotations (H(N) turns with N's side). (phi, psi) every
   0.1 ps; a transition made and undone within one move step (its attempts) is not seen.

Transitions: phi-sign changes between cores, phi in (0.35, 1.75) rad (alpha_L / C7ax) and phi < -0.35 or
phi > 2.8 rad (beta / C7eq / alpha_R, wrapped); a transition is counted when the trajectory enters the core it
was not last in. When MD alone makes none, its rate is given as the Poisson 95% upper bound 3 / wall time and
the ratio as a lower bound. JSD: joint (phi, psi) histograms of 18 x 18 bins over [-pi, pi)^2 (natural log)
against the MBAR reference. phi > 0 fractions of the arms with a standard error from 10 blocks.

    OMP_NUM_THREADS=1 python benchmarks/torsion_move_alanine.py [--reference-ns 5] [--budget 300] \
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


def logsumexp(a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def mbar_weights(bias, counts, iterations=100000):
    """MBAR weights in the unbiased state (Shirts & Chodera 2008) of frames pooled from K runs, run k holding
    counts[k] frames of the state with reduced bias b_k (b_0 = 0, the unbiased run); bias [K, frames] holds b_k of
    every frame. w_n ∝ 1 / sum_k N_k exp(f_k - b_k(x_n)), the reduced free energies f_k solved self-consistently,
    exp(-f_k) = sum_n exp(-b_k(x_n)) / sum_j N_j exp(f_j - b_j(x_n))."""
    log_counts = np.log(np.asarray(counts, dtype=np.float64))[:, None]
    f = np.zeros((len(counts), 1))
    for _ in range(iterations):
        log_denominator = logsumexp(log_counts + f - bias, axis=0)
        updated = -logsumexp(-bias - log_denominator, axis=1)[:, None]
        updated -= updated[0]
        converged = np.max(np.abs(updated - f)) < 1e-10
        f = updated
        if converged:
            break
    log_weights = -logsumexp(log_counts + f - bias, axis=0)
    weights = np.exp(log_weights - log_weights.max())
    return weights / weights.sum()


def block_error(values, weights=None, blocks=10):
    """Standard error of a (weighted) mean from `blocks` consecutive blocks."""
    weights = np.ones(len(values)) if weights is None else weights
    means = [np.sum(w * v) / np.sum(w) for v, w in zip(np.array_split(values, blocks), np.array_split(weights, blocks))]
    return np.std(means, ddof=1) / np.sqrt(blocks)


def torsion_move(frames, prefix, args):
    """A GenerativeMove of phi and psi from a model `ada pretrain` fits to the frames' angles (in windows that
    start in the widest gaps of their histograms); returns it with the window starts and the training time."""
    starts = moves.window_starts(moves.torsion_angles(frames, TORSIONS))
    np.save(prefix + ".npy", moves.torsion_angles(frames, TORSIONS, starts))
    start = time.perf_counter()
    result = subprocess.run([bench.ADA, "pretrain", "--data", prefix + ".npy", "--out", prefix + ".adab", "--steps", str(args.train_steps),
                             "--hidden", str(args.hidden), "--layers", str(args.layers), "--batch", "256", "--ema", "0.995",
                             "--seed", str(args.seed), "--progress-every", str(max(args.train_steps // 5, 1))],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    seconds = time.perf_counter() - start
    move = openmmada.GenerativeMove(prefix + ".adab", [], args.frequency, bench.TEMPERATURE)
    for torsion, rotated, window in zip(TORSIONS, ROTATED, starts):
        move.addTorsion(*torsion, rotated, float(window))
    move.setAttemptsPerMove(args.attempts)
    move.setBatchSize(args.batch)
    move.setTolerance(args.tolerance)
    move.setRandomNumberSeed(args.seed)
    return move, starts, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference-ns", type=float, default=5.0, help="length of each of the three reference runs")
    parser.add_argument("--hidden", type=int, default=32, help="width of the model's hidden layers")
    parser.add_argument("--layers", type=int, default=2, help="hidden layers of the model")
    bench.add_move_arguments(parser, train_steps=5000, budget=300.0, frequency=250, attempts=32, batch=256, tolerance=1e-4)
    args = parser.parse_args(argv)
    start_all = time.perf_counter()

    with tempfile.TemporaryDirectory() as folder:
        runs = []  # (name, k, centre, frames, seconds)
        for index, (name, k, centre) in enumerate([("unbiased", 0.0, 0.0), ("U_1", args.bias, 0.5), ("U_2", 25.0, 0.0)]):
            path = os.path.join(folder, f"run{index}.npy")
            start = time.perf_counter()
            bench.record(path, args.reference_ns, args.seed + 10 * index, bias=k, constraints=app.HBonds, timestep=0.002, centre=centre)
            runs.append((name, k, centre, np.load(path), time.perf_counter() - start))
        frames = runs[1][3]
        phis = [bench.dihedrals(run[3], bench.PHI) for run in runs]
        psis = [bench.dihedrals(run[3], bench.PSI) for run in runs]
        phi_ref, psi_ref = np.concatenate(phis), np.concatenate(psis)
        reduced = np.array([-k * np.cos(phi_ref - centre) / KT for _, k, centre, _, _ in runs])
        weights = mbar_weights(reduced, [len(phi) for phi in phis])
        kish = 1.0 / np.sum(weights ** 2)
        alone = [np.exp(-k * np.cos(phi - centre) / KT) for (_, k, centre, _, _), phi in zip(runs[1:], phis[1:])]
        kish_alone = [w.sum() ** 2 / np.sum(w ** 2) for w in alone]
        quarters = []
        for j in range(4):
            parts = [np.array_split(np.arange(len(phi)), 4)[j] for phi in phis]
            phi_j = np.concatenate([phi[part] for phi, part in zip(phis, parts)])
            reduced_j = np.array([-k * np.cos(phi_j - centre) / KT for _, k, centre, _, _ in runs])
            quarters.append(np.sum(mbar_weights(reduced_j, [len(part) for part in parts]) * (phi_j > 0)))
        reference_positive = np.sum(weights * (phi_ref > 0))
        reference_error = np.std(quarters, ddof=1) / 2.0

        # The second model: the pooled frames resampled with their MBAR weights, i.e. (phi, psi) of the target.
        pooled = np.concatenate([run[3] for run in runs])[np.random.default_rng(args.seed).choice(len(weights), len(frames), p=weights)]
        models = [torsion_move(frames, os.path.join(folder, "biased"), args),
                             torsion_move(pooled, os.path.join(folder, "reweighted"), args)]
        rows = [bench.run_arm("MD, HBonds, 2 fs", app.HBonds, 0.002, args.budget, args.seed + 1),
                bench.run_arm("MD + torsion GenerativeMove, model of the U_1 run", app.HBonds, 0.002, args.budget, args.seed + 1,
                              models[0][0]),
                bench.run_arm("MD + torsion GenerativeMove, model of the MBAR-resampled frames", app.HBonds, 0.002, args.budget,
                              args.seed + 1, models[1][0])]

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
                     f"{np.mean(row['phi'] > 0):.4f} ± {block_error((row['phi'] > 0).astype(float)):.4f} | {bench.joint_jsd((row['phi'], row['psi']), (phi_ref, psi_ref), weights=weights):.4f} |")
    lines.append(f"| reference: 3 x {args.reference_ns:g} ns MD (no bias, U_1, U_2), MBAR | {3 * args.reference_ns:.3f} | "
                 f"{sum(run[4] for run in runs):.0f} | | | | | {reference_positive:.4f} ± {reference_error:.4f} | 0 |")
    table = "\n".join(lines)
    described = "; ".join(f"{run[0]}: {len(phi)} frames in {run[4]:.0f} s, phi > 0 in {np.mean(phi > 0):.3f} of them, "
                          f"{bench.transitions(phi)} phi-sign transitions" for run, phi in zip(runs, phis))
    setup = (f"Reference runs, {args.reference_ns} ns each ({described}). Kish effective sample size of the MBAR reference "
             f"{kish:.0f} (of the U_1 and U_2 runs each reweighted alone: {kish_alone[0]:.0f}, {kish_alone[1]:.0f}); phi > 0 "
             f"fraction of the quarters {', '.join(f'{q:.4f}' for q in quarters)}. Models: `ada pretrain` ({args.hidden} x "
             f"{args.layers} MLP, {args.train_steps} steps) on the U_1 run's {len(frames)} frames ({models[0][2]:.0f} s; window "
             f"starts {models[0][1][0]:.3f} (phi) and {models[0][1][1]:.3f} (psi) rad) and on as many frames resampled from the "
             f"three runs with the MBAR weights ({models[1][2]:.0f} s; window starts {models[1][1][0]:.3f} and "
             f"{models[1][1][1]:.3f} rad). GenerativeMove every {args.frequency} steps, {args.attempts} attempts per move step, "
             f"batches of {args.batch}, ODE tolerance {args.tolerance}. The whole run took {time.perf_counter() - start_all:.0f} s "
             "on 2 cores shared with other work; the arms ran one after the other.")
    print(table)
    print(setup)
    if args.markdown:
        command = " ".join(["OMP_NUM_THREADS=1 python benchmarks/torsion_move_alanine.py"] + (argv if argv is not None else sys.argv[1:]))
        with open(args.markdown, "w") as f:
            f.write(f"Command: `{command}`\n\n{setup}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
