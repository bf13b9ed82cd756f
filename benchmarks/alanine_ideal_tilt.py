"""Diagnostic for the alanine ADA benchmark (docs/benchmarks/ada_alanine.md): the ideal tilt of the base model's
samples toward each experimental observable distribution alone, without the critics' Lipschitz bound.

For one observable o with base samples o_b and experimental samples y_j, it maximises the concave dual of the
ADA saddle (DESIGN.md §3.3) over f, a piecewise-linear function on a 60-point grid (L-BFGS):
    J(f) = -(1/beta) log( (1/B) sum_b exp(-beta f(o_b)) ) - (1/m) sum_j f(y_j),
and prints the optimum's value, the slopes |f'| it needs at the base samples (median and 90th percentile; ADA's
critics are held to |f'| <= 1 in the observable's units), the pool ESS and the W1 of the tilted base to the experiment.

    .venv/bin/python benchmarks/alanine_ideal_tilt.py FOLDER [--beta 20]

FOLDER: the --folder of benchmarks/alanine_alignment.py (base_samples.npy, j.npy, d.npy).
"""
import argparse
import os
import sys

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from alanine_alignment import observables_of  # noqa: E402


def ideal_tilt(base, data, beta, points=60):
    grid = np.linspace(min(base.min(), data.min()), max(base.max(), data.max()), points)

    def negative_dual(values):
        fb, fd = np.interp(base, grid, values), np.interp(data, grid, values)
        return (logsumexp(-beta * fb) - np.log(len(fb))) / beta + fd.mean()

    values = minimize(negative_dual, np.zeros(points), method="L-BFGS-B").x
    log_w = -beta * np.interp(base, grid, values)
    w = np.exp(log_w - logsumexp(log_w))
    q = np.linspace(0.0005, 0.9995, 2000)
    order = np.argsort(base)
    tilted = np.interp(q, np.cumsum(w[order]), base[order])
    target = np.quantile(data, q)
    slopes = np.abs(np.diff(values) / np.diff(grid))
    at_samples = slopes[np.clip(np.searchsorted(grid, base) - 1, 0, points - 2)]
    return {"dual": -negative_dual(values), "slope_median": np.median(at_samples), "slope_90": np.percentile(at_samples, 90),
            "ess": 1 / np.sum(w ** 2) / len(w), "mean_base": base.mean(), "mean_tilted": np.sum(w * base),
            "mean_target": data.mean(), "w1_base": np.mean(np.abs(np.quantile(base, q) - target)),
            "w1_tilted": np.mean(np.abs(tilted - target))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--beta", type=float, default=20.0)
    args = parser.parse_args(argv)
    j, d = observables_of(np.load(os.path.join(args.folder, "base_samples.npy")))
    print("| observable | ideal dual | slope needed (median / 90%) | pool ESS | mean: base -> tilted (experiment) | W1: base -> tilted |")
    print("|---|---|---|---|---|---|")
    for name, base, file in (("J_HN_HA (Hz)", j, "j.npy"), ("d_N_N (nm)", d, "d.npy")):
        r = ideal_tilt(base, np.load(os.path.join(args.folder, file)), args.beta)
        print(f"| {name} | {r['dual']:.4f} | {r['slope_median']:.2f} / {r['slope_90']:.2f} | {r['ess']:.3f} | {r['mean_base']:.3f} -> "
              f"{r['mean_tilted']:.3f} ({r['mean_target']:.3f}) | {r['w1_base']:.4f} -> {r['w1_tilted']:.4f} |")


if __name__ == "__main__":
    main()
