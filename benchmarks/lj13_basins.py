"""Where an LJ-13 sampler's excess energy sits: in which basins, or in the vibrations inside them.

Every sample (and every frame of a reference draw) is minimised locally (L-BFGS with the analytic gradient);
the minimum found names its basin. Then
    E(x) = E_min(x) + ΔE(x),
the basin energy plus the thermal excess above it. A sampler that puts the right weight on each basin but
spreads too wide inside them has the reference's E_min distribution and a larger mean ΔE; one that finds the
wrong basins shifts E_min. The energy is LJ-13 in the published convention (DESIGN.md §5; the C++ class is
ada_core's LennardJonesCluster, whose tests check the reference mean −43.13), written here in numpy so that
scipy can minimise it; the script prints the reference's mean energy as a check of that copy.

    .venv/bin/python benchmarks/lj13_basins.py SAMPLES.npy [SAMPLES2.npy ...] [--count 300] [--seed 0]
"""
import argparse

import numpy as np
import scipy.optimize

N = 13
PAIRS = np.triu_indices(N, 1)


def energy(x):
    """E = 2 Σ_{i<j} (d^-12 − 2 d^-6) + ½ Σ_i |x_i − x̄|² for frames [B, 13, 3]."""
    d = np.linalg.norm(x[:, :, None] - x[:, None], axis=-1)[:, PAIRS[0], PAIRS[1]]
    centred = x - x.mean(1, keepdims=True)
    return 2 * np.sum(d**-12 - 2 * d**-6, axis=1) + 0.5 * np.sum(centred**2, axis=(1, 2))


def energy_and_gradient(v):
    x = v.reshape(N, 3)
    diff = x[:, None] - x[None]
    d = np.linalg.norm(diff, axis=-1) + np.eye(N)
    e = 2 * np.sum((d**-12 - 2 * d**-6)[PAIRS])
    radial = 2 * (-12 * d**-14 + 12 * d**-8) * (1 - np.eye(N))  # (dE/dd) / d per ordered pair
    g = np.sum(radial[:, :, None] * diff, axis=1)
    centred = x - x.mean(0)
    return e + 0.5 * np.sum(centred**2), (g + centred).ravel()


def local_minima(frames):
    out = np.empty(len(frames))
    for i, x in enumerate(frames):
        result = scipy.optimize.minimize(energy_and_gradient, x.astype(np.float64).ravel(), jac=True, method="L-BFGS-B",
                                         options={"gtol": 1e-8, "maxiter": 5000})
        out[i] = result.fun
    return out


def summary(name, frames, ground, minima=None):
    """One table row; `minima` are the frames' local minima when already computed."""
    e = energy(frames)
    minima = local_minima(frames) if minima is None else minima
    excess = e - minima
    ground_basin = minima < ground + 0.1
    first_excited = (minima >= ground + 0.1) & (minima < ground + 7.0)  # one atom off the icosahedron: ~6.3 above
    return (f"| {name} | {len(frames)} | {e.mean():.2f} | {minima.mean():.2f} | {ground_basin.mean():.3f} | "
            f"{first_excited.mean():.3f} | {excess.mean():.2f} ± {excess.std(ddof=1) / np.sqrt(len(excess)):.2f} |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("samples", nargs="+", help="NPY files of LJ-13 frames [B, 13, 3] or [B, 39]")
    p.add_argument("--reference", default="../shared/data/lj13_reference.npy")
    p.add_argument("--count", type=int, default=300, help="frames minimised per file (the first ones; reference: a random draw)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    def load(path):
        a = np.load(path)
        if a.ndim == 2 and a.shape[1] == 3 * N:
            a = a.reshape(-1, N, 3)
        if a.ndim != 3 or a.shape[1:] != (N, 3):
            raise SystemExit(f"{path}: expected LJ-13 frames [B, 13, 3] or [B, 39], got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise SystemExit(f"{path}: frames contain NaN or infinity")
        return a.astype(np.float64)

    reference = load(args.reference)
    print(f"reference mean energy over all {len(reference)} frames: {energy(reference).mean():.3f} (LennardJonesCluster: −43.13)")
    draw = reference[np.random.default_rng(args.seed).choice(len(reference), args.count, replace=False)]
    # The ground state (the icosahedron) is the lowest minimum the reference frames reach.
    draw_minima = local_minima(draw)
    ground = draw_minima.min()
    print(f"lowest minimum reached: {ground:.3f}")
    print()
    print("| frames | count | mean E | mean E_min (basin) | fraction in the ground basin | fraction in the next (< 7 above) | "
          "mean ΔE = E − E_min (± s.e.) |")
    print("|---|---|---|---|---|---|---|")
    print(summary(f"reference ({args.reference})", draw, ground, draw_minima), flush=True)
    for path in args.samples:
        print(summary(path, load(path)[: args.count], ground), flush=True)


if __name__ == "__main__":
    main()
