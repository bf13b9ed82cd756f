"""ADA sim-to-sim on alanine dipeptide (issue "ADA" §7): the base is MD with one force field (default
AMBER99SB-ILDN in vacuum); the "experiment" is MD with another (default AMBER96 in vacuum), seen only through two
observables: the 3J(HN,HA) coupling (Karplus relation on phi: A cos^2(phi - 60 deg) + B cos(phi - 60 deg) + C,
A 6.51, B -1.76, C 1.60 Hz) and the psi-dependent distance N(Ala)-N(Nme). The truth test is the full (phi, psi)
distribution, which the alignment never sees: the Jensen-Shannon divergence (18 x 18 bins, nats) of each ensemble
to an independent run of the experiment's force field, for base MD, the base model, the ADA generator, MD biased by
the exported ADAForce, and the expectation-alignment baseline with K = 1, 2, 3 moments (`ada align --critics
polynomial`: the tilt of the base model's samples, resampled, and MD biased by its exported polynomial ADAForce).
The ideal tilt row reweights the base MD frames so that both observables' distributions match the experiment's
exactly (iterative proportional fitting on 40 quantile bins of each): what any tilt exp(-g(J) - h(d)) can reach.

    .venv/bin/python benchmarks/alanine_alignment.py [--base amber99sbildn-vacuum] [--experiment amber96-vacuum]
        [--ns 2] [--rounds 100] [--beta 20] [--align-options "..."] [--ea-moments 1 2 3] [--folder F [--reuse]]
        [--markdown docs/benchmarks/ada_alanine.md]

With --reuse, the files of an earlier run in F (MD, base model, ADA alignment, samples) are kept, so only what is
missing is made (e.g. the EA rows for an earlier ADA run).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import alanine_md  # noqa: E402

ADA = os.path.join(os.path.dirname(sys.executable), "ada")
J_COUPLING = {"type": "jcoupling", "atoms": [4, 6, 8, 14], "A": 6.51, "B": -1.76, "C": 1.60, "offset": -np.pi / 3}
DISTANCE = {"type": "distance", "atoms": [6, 16]}
EVALUATION = {"observables": [{"name": "phi", "type": "dihedral", "atoms": [4, 6, 8, 14]},
                              {"name": "psi", "type": "dihedral", "atoms": [6, 8, 14, 16]}],
              "joint": [["phi", "psi"]], "bins": 36, "joint_bins": 18}


def ada(*args):
    result = subprocess.run([ADA, *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(" ".join(map(str, args)) + "\n" + result.stderr)
    return result


def dihedral(x, a, b, c, d):
    """Dihedral angles (radians) of frames x [B, N, 3], IUPAC convention as OpenMM."""
    b0, b1, b2 = x[:, a] - x[:, b], x[:, c] - x[:, b], x[:, d] - x[:, c]
    b1 = b1 / np.linalg.norm(b1, axis=1, keepdims=True)
    v = b0 - np.sum(b0 * b1, axis=1, keepdims=True) * b1
    w = b2 - np.sum(b2 * b1, axis=1, keepdims=True) * b1
    return np.arctan2(np.sum(np.cross(b1, v) * w, axis=1), np.sum(v * w, axis=1))


def observables_of(frames):
    phi = dihedral(frames, *J_COUPLING["atoms"])
    theta = phi + J_COUPLING["offset"]
    j = J_COUPLING["A"] * np.cos(theta) ** 2 + J_COUPLING["B"] * np.cos(theta) + J_COUPLING["C"]
    d = np.linalg.norm(frames[:, DISTANCE["atoms"][0]] - frames[:, DISTANCE["atoms"][1]], axis=1)
    return j, d


def joint_jsd(folder, samples, reference, tag):
    report = os.path.join(folder, f"eval_{tag}.json")
    ada("evaluate", "--samples", samples, "--data", reference, "--observables", os.path.join(folder, "eval.json"), "--report", report)
    with open(report) as f:
        return json.load(f)["joint"][0]["jsd"]


def ideal_tilt(base, experiment, bins=40, sweeps=200):
    """Weights of the base frames whose J and d distributions equal the experiment's on `bins` quantile bins of
    each (iterative proportional fitting): the maximum-entropy tilt exp(-g(J) - h(d)) of the base, i.e. what ADA
    reaches with unbounded critics and beta -> infinity."""
    labels, targets = [], []
    for b, e in zip(observables_of(base), experiment):
        edges = np.quantile(e, np.linspace(0, 1, bins + 1))
        labels.append(np.clip(np.searchsorted(edges[1:-1], b), 0, bins - 1))
        targets.append(np.bincount(np.clip(np.searchsorted(edges[1:-1], e), 0, bins - 1), minlength=bins) / len(e))
    w = np.full(len(base), 1.0 / len(base))
    for _ in range(sweeps):
        for label, target in zip(labels, targets):
            current = np.bincount(label, weights=w, minlength=bins)
            w = w * np.where(current > 0, target / np.maximum(current, 1e-300), 0.0)[label]
        w /= w.sum()
    return w


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="amber99sbildn-vacuum", choices=sorted(alanine_md.FORCE_FIELDS),
                        help="force field of the base MD")
    parser.add_argument("--experiment", default="amber96-vacuum", choices=sorted(alanine_md.FORCE_FIELDS),
                        help="force field of the 'experiment' MD")
    parser.add_argument("--ns", type=float, default=2.0, help="length of each MD run")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--beta", type=float, default=20.0)
    parser.add_argument("--steps", type=int, default=5000, help="pre-training steps")
    parser.add_argument("--align-options", default="--critic-lr-final-fraction 0.1",
                        help="more `ada align` options (the default decays the critics' learning rate to a tenth)")
    parser.add_argument("--distance-scale", type=float, default=0.01,
                        help="the scale (nm) of the distance observable: its critic is 1-Lipschitz in these units")
    parser.add_argument("--model-pool", action="store_true",
                        help="fit the critics on samples of the base model (default: on the base MD frames, --pool-samples)")
    parser.add_argument("--ea-moments", type=int, nargs="*", default=[1, 2, 3], help="EA baselines with these numbers of moments")
    parser.add_argument("--seed", type=int, default=0, help="added to every seed (MD runs, pre-training, alignment, sampling)")
    parser.add_argument("--folder", help="keep the files here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="keep the files of an earlier run in --folder")
    parser.add_argument("--markdown")
    args = parser.parse_args(argv)
    base_ff, experiment_ff = alanine_md.FORCE_FIELDS[args.base], alanine_md.FORCE_FIELDS[args.experiment]
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.folder or temporary
        os.makedirs(folder, exist_ok=True)
        path = lambda name: os.path.join(folder, name)  # noqa: E731
        missing = lambda name: not (args.reuse and os.path.exists(path(name)))  # noqa: E731
        seconds = {}
        start = time.perf_counter()
        if missing("target_reference.npy"):
            alanine_md.record(path("base_md.npy"), args.ns, seed=1 + 10 * args.seed, forcefields=base_ff)
            alanine_md.record(path("target_md.npy"), args.ns, seed=3 + 10 * args.seed, forcefields=experiment_ff)
            alanine_md.record(path("target_reference.npy"), args.ns, seed=4 + 10 * args.seed, forcefields=experiment_ff)
            seconds["MD (3 runs)"] = time.perf_counter() - start
        j, d = observables_of(np.load(path("target_md.npy")))
        np.save(path("j.npy"), j)
        np.save(path("d.npy"), d)
        with open(path("observables.json"), "w") as f:
            json.dump({"temperature": 300.0, "observables": [{"name": "J_HN_HA", "observable": J_COUPLING, "data": "j.npy"},
                                                             {"name": "d_N_N", "observable": DISTANCE, "data": "d.npy",
                                                              "scale": args.distance_scale}]}, f)
        with open(path("eval.json"), "w") as f:
            json.dump(EVALUATION, f)

        start = time.perf_counter()
        if missing("base.model"):
            ada("pretrain", "--data", path("base_md.npy"), "--out", path("base.model"), "--steps", args.steps, "--batch", 256, "--ema", 0.995,
                "--seed", 1 + args.seed)
            seconds["pre-training"] = time.perf_counter() - start
        start = time.perf_counter()
        pool = [] if args.model_pool else ["--pool-samples", path("base_md.npy")]
        if missing(os.path.join("aligned", "bias.json")):
            ada("align", "--model", path("base.model"), "--observables", path("observables.json"), "--out", path("aligned"),
                "--beta", args.beta, "--rounds", args.rounds, "--seed", 1 + args.seed, *pool, *args.align_options.split())
            seconds["alignment"] = time.perf_counter() - start
        for name in ("base", "aligned"):
            model = path("base.model") if name == "base" else path(os.path.join("aligned", "aligned.model"))
            if missing(f"{name}_samples.npy"):
                ada("sample", "--model", model, "--count", 2000, "--out", path(f"{name}_samples.npy"), "--seed", 2 + args.seed)
        import openmmada
        start = time.perf_counter()
        if missing("biased_md.npy"):
            alanine_md.record(path("biased_md.npy"), args.ns, seed=5 + 10 * args.seed, forcefields=base_ff,
                              forces=[openmmada.ADAForce(path(os.path.join("aligned", "bias.json")))])
            seconds["biased MD"] = time.perf_counter() - start
        base_md = np.load(path("base_md.npy"))
        w = ideal_tilt(base_md, (j, d))
        picked = np.random.default_rng(args.seed).choice(len(base_md), size=len(base_md), p=w)
        np.save(path("ideal_tilt.npy"), base_md[picked])
        ideal_ess = 1.0 / (np.sum(w**2) * len(w))
        ensembles = [(f"base MD ({args.base})", "base_md.npy"), ("base model", "base_samples.npy"),
                     ("ADA generator", "aligned_samples.npy"), ("MD + exported ADA bias", "biased_md.npy"),
                     (f"ideal tilt of base MD in J and d (resampled; ESS {ideal_ess:.2f})", "ideal_tilt.npy")]
        for k in args.ea_moments:
            start = time.perf_counter()
            ea = f"ea{k}"
            ada("align", "--critics", "polynomial", "--moments", k, "--model", path("base.model"), "--observables",
                path("observables.json"), "--out", path(ea), "--beta", args.beta, "--samples", 2000, "--seed", 1 + args.seed, "--no-png", *pool)
            shutil.copy(path(os.path.join(ea, "tilted_samples.npy")), path(f"{ea}_tilted.npy"))
            alanine_md.record(path(f"{ea}_biased_md.npy"), args.ns, seed=5 + 10 * args.seed, forcefields=base_ff,
                              forces=[openmmada.ADAForce(path(os.path.join(ea, "bias.json")))])
            seconds[f"EA-{k} (alignment and biased MD)"] = time.perf_counter() - start
            ensembles += [(f"EA-{k} tilt of the {'base model' if args.model_pool else 'base MD'} (resampled)", f"{ea}_tilted.npy"), (f"MD + exported EA-{k} bias", f"{ea}_biased_md.npy")]
        ensembles.append((f"experiment MD, second run (floor)", "target_md.npy"))

        rows = []
        target_j, target_d = observables_of(np.load(path("target_reference.npy")))
        for label, samples in ensembles:
            frames = np.load(path(samples))
            sj, sd = observables_of(frames)
            rows.append((label, joint_jsd(folder, path(samples), path("target_reference.npy"), samples.split(".")[0]),
                         sj.mean(), sd.mean(), len(frames)))
        with open(path(os.path.join("aligned", "report.json"))) as f:
            report = json.load(f)
    lines = [f"Base {args.base}, experiment {args.experiment}, seed {args.seed}; `ada align --beta {args.beta} --rounds {args.rounds} --seed {1 + args.seed} "
             f"{args.align_options}{'' if args.model_pool else ' --pool-samples base_md.npy'}`; distance scale {args.distance_scale} nm", "",
             "| ensemble | (phi, psi) JSD to the experiment's MD (nats) | <J> (Hz) | <d N-N> (nm) | frames |", "|---|---|---|---|---|"]
    for label, jsd, mj, md, n in rows:
        lines.append(f"| {label} | {jsd:.3f} | {mj:.2f} | {md:.4f} | {n} |")
    lines.append(f"| experiment MD ({args.experiment}) | 0 | {target_j.mean():.2f} | {target_d.mean():.4f} | {len(target_j)} |")
    lines.append("")
    lines.append("Per observable W1 to the experiment (the aligned model's samples, from `ada align`'s report): " + ", ".join(
        f"{o['name']} {o['w1_base']:.3g} -> {o['w1_aligned']:.3g}" for o in report["observables"]))
    lines.append("")
    lines.append("Wall time on this machine (2 cores, shared): " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
