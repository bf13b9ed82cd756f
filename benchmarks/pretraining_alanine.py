"""Time to a good alanine dipeptide model: `ada pretrain` on 2 ns of MD (AMBER99SB-ILDN + OBC, 300 K, frames
every 0.5 ps, recorded with DataRecorder), for several step counts; each model samples 2000 configurations
(RK4, 20 steps) whose joint (phi, psi) histogram (18 x 18 bins) is compared with an independent 1 ns of MD by
`ada evaluate`. Each step count is trained on the MD of every --md-seeds with every --train-seeds, so the table
shows the spread within which another machine (other floating-point results) should land. The
pre-training test (tests/test_pretrain_cli.py) asks for JSD < 0.08 nats at 10000 steps.

    .venv/bin/python benchmarks/pretraining_alanine.py [--steps 1000 2500 5000 10000] [--md-seeds 1 3 5]
        [--train-seeds 1 2 3] [--markdown docs/benchmarks/pretraining.md]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import alanine_md  # noqa: E402

ADA = os.path.join(os.path.dirname(sys.executable), "ada")
OBSERVABLES = {"observables": [{"name": "phi", "type": "dihedral", "atoms": [4, 6, 8, 14]},
                               {"name": "psi", "type": "dihedral", "atoms": [6, 8, 14, 16]}],
               "joint": [["phi", "psi"]], "bins": 36, "joint_bins": 18}


def ada(*args):
    result = subprocess.run([ADA, *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return result


def joint_jsd(folder, samples, reference):
    ada("evaluate", "--samples", samples, "--data", reference, "--observables", os.path.join(folder, "obs.json"),
        "--report", os.path.join(folder, "report.json"))
    with open(os.path.join(folder, "report.json")) as f:
        return json.load(f)["joint"][0]["jsd"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1000, 2500, 5000, 10000])
    parser.add_argument("--md-seeds", type=int, nargs="+", default=[1, 3, 5], help="seeds of the 2 ns training MD runs")
    parser.add_argument("--train-seeds", type=int, nargs="+", default=[1, 2, 3], help="seeds of `ada pretrain`")
    parser.add_argument("--markdown")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        heldout = os.path.join(folder, "heldout.npy")
        trains = {seed: os.path.join(folder, f"train{seed}.npy") for seed in args.md_seeds}
        start = time.perf_counter()
        alanine_md.record(heldout, 1.0, seed=2)
        md_seconds = time.perf_counter() - start
        for seed, train in trains.items():
            alanine_md.record(train, 2.0, seed=seed)
        with open(os.path.join(folder, "obs.json"), "w") as f:
            json.dump(OBSERVABLES, f)
        floors = [joint_jsd(folder, train, heldout) for train in trains.values()]
        for steps in args.steps:
            train_seconds, sample_seconds, jsds = [], [], []
            for md_seed, train in trains.items():
                for train_seed in args.train_seeds:
                    model, samples = os.path.join(folder, "m.adab"), os.path.join(folder, "s.npy")
                    start = time.perf_counter()
                    ada("pretrain", "--data", train, "--out", model, "--steps", steps, "--batch", 256, "--ema", 0.995,
                        "--seed", train_seed)
                    train_seconds.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    ada("sample", "--model", model, "--count", 2000, "--out", samples, "--method", "rk4", "--steps", 20,
                        "--seed", 3)
                    sample_seconds.append(time.perf_counter() - start)
                    jsds.append(joint_jsd(folder, samples, heldout))
                    print(f"{steps} steps, MD seed {md_seed}, training seed {train_seed}: {train_seconds[-1]:.1f} s, "
                          f"JSD {jsds[-1]:.4f}", file=sys.stderr)
            rows.append((steps, sum(train_seconds) / len(train_seconds), sum(sample_seconds) / len(sample_seconds),
                         jsds[0], min(jsds), sum(jsds) / len(jsds), max(jsds)))
    runs = len(args.md_seeds) * len(args.train_seeds)
    first = f"MD seed {args.md_seeds[0]}, training seed {args.train_seeds[0]}"
    lines = ["| pre-training steps (batch 256) | wall time of `ada pretrain` (s, mean) | `ada sample` 2000 (s, mean) | "
             f"joint (phi, psi) JSD to held-out MD (nats), {first} | min / mean / max over {runs} runs |",
             "|---|---|---|---|---|"]
    lines += [f"| {s} | {t:.1f} | {u:.1f} | {j:.4f} | {lo:.4f} / {mean:.4f} / {hi:.4f} |" for s, t, u, j, lo, mean, hi in rows]
    lines.append(f"| MD vs MD (floor) | | | {floors[0]:.4f} | {min(floors):.4f} / {sum(floors) / len(floors):.4f} / "
                 f"{max(floors):.4f} |")
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        command = " ".join(["python benchmarks/pretraining_alanine.py"] + (argv if argv is not None else sys.argv[1:]))
        with open(args.markdown, "w") as f:
            f.write("# Pre-training on alanine dipeptide\n\n" + __doc__.split("\n\n")[0].replace("\n", " ") + "\n\n")
            f.write(f"Command: `{command}` (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}); "
                    f"recording 1 ns of MD took {md_seconds:.0f} s on the Reference platform. MLP vector field, 4 x 256, "
                    "coordinates centred, superposed on the first frame and scaled to unit RMS. 2 cores.\n\n")
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
