"""Which force-field pairs can the alanine ADA benchmark (benchmarks/alanine_alignment.py) distinguish through its
two observables? For every ordered pair (base, experiment) of the force-field sets in tests/alanine_md.FORCE_FIELDS:
the (phi, psi) Jensen-Shannon divergence (18 x 18 bins over [-pi, pi]^2, nats) of base MD to a second run of the
experiment, and that of the ideal tilt of the base frames in J and d (`ideal_tilt` of the benchmark: both
observables' distributions matched exactly), which bounds what any alignment through these observables can reach.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/alanine_pair_scan.py --folder F [--ns 2] [--sets NAME ...]

MD runs are kept in F as <set>_<seed>.npy (seed 1: base / experiment data, seed 2: the experiment's reference) and
reused. Prints the pairs sorted by ideal-tilt JSD / base JSD.
"""
import argparse
import itertools
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import alanine_md  # noqa: E402
from alanine_alignment import dihedral, ideal_tilt, observables_of  # noqa: E402


def phi_psi_histogram(frames, weights=None, bins=18):
    phi, psi = dihedral(frames, *alanine_md.PHI), dihedral(frames, *alanine_md.PSI)
    h, _, _ = np.histogram2d(phi, psi, bins=bins, range=[[-np.pi, np.pi], [-np.pi, np.pi]], weights=weights)
    return h / h.sum()


def jensen_shannon(p, q):
    m = 0.5 * (p + q)
    kl = lambda a, b: np.sum(a[a > 0] * np.log(a[a > 0] / b[a > 0]))  # noqa: E731
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", required=True)
    parser.add_argument("--ns", type=float, default=2.0)
    parser.add_argument("--sets", nargs="+", default=sorted(alanine_md.FORCE_FIELDS), choices=sorted(alanine_md.FORCE_FIELDS))
    args = parser.parse_args(argv)
    os.makedirs(args.folder, exist_ok=True)
    runs = {}
    for name in args.sets:
        for seed in (1, 2):
            path = os.path.join(args.folder, f"{name}_{seed}.npy")
            if not os.path.exists(path):
                alanine_md.record(path, args.ns, seed=seed, forcefields=alanine_md.FORCE_FIELDS[name])
            runs[name, seed] = np.load(path)
    rows = []
    for base, experiment in itertools.permutations(args.sets, 2):
        frames, data, reference = runs[base, 1], runs[experiment, 1], runs[experiment, 2]
        target = phi_psi_histogram(reference)
        base_jsd = jensen_shannon(phi_psi_histogram(frames), target)
        w = ideal_tilt(frames, observables_of(data))
        tilt_jsd = jensen_shannon(phi_psi_histogram(frames, w), target)
        rows.append((tilt_jsd / base_jsd, base, experiment, base_jsd, tilt_jsd, 1.0 / (np.sum(w**2) * len(w))))
    print("| base | experiment | base JSD | ideal J-and-d tilt JSD | ratio | tilt ESS |\n|---|---|---|---|---|---|")
    for ratio, base, experiment, base_jsd, tilt_jsd, ess in sorted(rows):
        print(f"| {base} | {experiment} | {base_jsd:.3f} | {tilt_jsd:.3f} | {ratio:.2f} | {ess:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
