"""Flow-matching training and sampling throughput: the C++ trainer (build/benchmarks/flow_training_benchmark)
against the same model, batch and optimiser in Python PyTorch (Debian's python3-torch, the LibTorch version),
run alternately in one session (round robin, medians), for the MLP vector field.

    .venv/bin/python benchmarks/flow_training_throughput.py [--rounds 3] [--markdown docs/benchmarks/flow_training.md]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(command):
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--python", default="/usr/bin/python3", help="a Python with torch (python3-torch)")
    parser.add_argument("--markdown")
    parser.add_argument("--dim", type=int, default=66)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    common = ["--dim", str(args.dim), "--batch", str(args.batch), "--threads", str(args.threads)]
    commands = {"cpp": [os.path.join(args.build, "benchmarks", "flow_training_benchmark")] + common,
                "python": [args.python, os.path.join(ROOT, "benchmarks", "flow_training_reference.py")] + common}
    results = {key: [] for key in commands}
    for _ in range(args.rounds):
        for key, command in commands.items():
            results[key].append(run(command))
    rows = []
    for key in ("cpp", "python"):
        r = results[key]
        rows.append((r[0]["implementation"], statistics.median(x["train_samples_per_s"] for x in r),
                     statistics.median(x["sample_per_s"] for x in r), max(x["peak_rss_mb"] for x in r)))
    ratio = rows[0][1] / rows[1][1]
    table = ["| implementation | training samples/s | RK4 samples/s (50 steps) | peak RSS (MB) |", "|---|---|---|---|"]
    table += [f"| {name} | {train:.0f} | {sample:.0f} | {rss:.0f} |" for name, train, sample, rss in rows]
    table.append(f"\nTraining throughput ratio C++ / Python: **{ratio:.2f}**")
    text = "\n".join(table)
    print(text)
    if args.markdown:
        command = " ".join(["python benchmarks/flow_training_throughput.py"] + (argv if argv is not None else sys.argv[1:]))
        with open(args.markdown, "w") as f:
            f.write("# Flow-matching training throughput\n\n" + __doc__.split("\n\n")[0].replace("\n", " ") + "\n\n")
            f.write(f"MLP vector field: D = {args.dim} (alanine dipeptide, 22 atoms x 3), 4 hidden layers of 256, batch "
                    f"{args.batch}, {args.threads} threads each, float32. Command: `{command}`; {args.rounds} rounds, medians.\n\n")
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
