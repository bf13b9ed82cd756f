"""Cost of an exported image critic in an ADAForce: µs per energy-and-force evaluation of a contact-map bias
(the CNN critic of `ada align`: 3 x 3 convolutions 1 -> 8 channels stride 1 and 8 -> 8 stride 2, tanh, then
dense 64 tanh and 1 output) with its convolutions run natively (mlp layers with "convolution") against the
same function with each convolution written as a dense matrix (the export before 2026-12-01), n x n maps.

Both variants are ADAForces of one n-particle System each on the Reference platform, in one process,
interleaved block by block (A B A B ...); the table reports median µs per getState(energy, forces) and the
ratio. The two energies are checked equal first (relative 1e-9).

    .venv/bin/python benchmarks/contact_map_bias_cost.py [--atoms 8 12 16] [--blocks 7] [--calls 200]
        [--markdown docs/benchmarks/contact_map_bias_cost.md]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

import openmm as mm

import openmmada
from openmmada import bias

CHANNELS, HIDDEN = 8, 64


def convolve(image, kernel, stride):
    """3 x 3, zero padding 1: image [C, H, W] -> [C_out, (H - 1) // stride + 1, (W - 1) // stride + 1]."""
    channels, height, width = image.shape
    padded = np.zeros((channels, height + 2, width + 2))
    padded[:, 1:-1, 1:-1] = image
    rows, cols = (height - 1) // stride + 1, (width - 1) // stride + 1
    out = np.empty((kernel.shape[0], rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[:, i, j] = np.tensordot(kernel, padded[:, stride * i:stride * i + 3, stride * j:stride * j + 3], axes=3)
    return out


def dense_matrix(kernel, shape, stride):
    """The convolution of images of `shape` as a matrix: column j is the convolution of the j-th unit image."""
    size = int(np.prod(shape))
    columns = [convolve(np.eye(size)[j].reshape(shape), kernel, stride).reshape(-1) for j in range(size)]
    return np.stack(columns, axis=1)


def terms(n, rng):
    """(native, dense) bias terms of the same critic of an n x n contact map."""
    half = (n - 1) // 2 + 1
    k1, b1 = rng.normal(size=(CHANNELS, 1, 3, 3)) / 3, 0.1 * rng.normal(size=CHANNELS)
    k2, b2 = rng.normal(size=(CHANNELS, CHANNELS, 3, 3)) / (3 * np.sqrt(CHANNELS)), 0.1 * rng.normal(size=CHANNELS)
    w3, b3 = rng.normal(size=(HIDDEN, CHANNELS * half * half)) / np.sqrt(CHANNELS * half * half), 0.1 * rng.normal(size=HIDDEN)
    w4, b4 = rng.normal(size=(1, HIDDEN)) / np.sqrt(HIDDEN), np.zeros(1)
    observable = {"type": "contact_map", "atoms": list(range(n)), "r0": 0.5}
    native = [(k1, b1, "tanh", {"input": [1, n, n], "stride": 1}), (k2, b2, "tanh", {"input": [CHANNELS, n, n], "stride": 2}),
              (w3, b3, "tanh"), (w4, b4, "linear")]
    dense = [(dense_matrix(k1, (1, n, n), 1), np.repeat(b1, n * n), "tanh"),
             (dense_matrix(k2, (CHANNELS, n, n), 2), np.repeat(b2, half * half), "tanh"), (w3, b3, "tanh"), (w4, b4, "linear")]
    return bias.mlp_term(observable, native), bias.mlp_term(observable, dense)


def make_context(n, term, folder, name):
    system = mm.System()
    for _ in range(n):
        system.addParticle(12.0)
    system.addForce(openmmada.ADAForce(bias.write_bias(os.path.join(folder, name), [term], 300.0)))
    return mm.Context(system, mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))


def time_block(context, calls):
    start = time.perf_counter()
    for _ in range(calls):
        context.getState(getEnergy=True, getForces=True)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--atoms", type=int, nargs="+", default=[8, 12, 16])
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--markdown", help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.atoms:
            native_term, dense_term = terms(n, rng)
            positions = rng.uniform(0, 1.0, (n, 3))
            contexts = {}
            for name, term in (("native", native_term), ("dense", dense_term)):
                contexts[name] = make_context(n, term, tmp, f"{name}{n}.json")
                contexts[name].setPositions(positions)
            energies = {k: c.getState(getEnergy=True).getPotentialEnergy()._value for k, c in contexts.items()}
            if not abs(energies["native"] - energies["dense"]) <= 1e-9 * max(1.0, abs(energies["dense"])):
                raise SystemExit(f"n = {n}: the native and dense functions differ: {energies}")
            times = {"native": [], "dense": []}
            for _ in range(args.blocks):
                for name in ("native", "dense"):
                    times[name].append(time_block(contexts[name], args.calls))
            native, dense = (1e6 * statistics.median(times[k]) / args.calls for k in ("native", "dense"))
            entries = sum(len(layer["weight"]) * len(layer["weight"][0]) for layer in dense_term["function"]["layers"][:2])
            rows.append((n, entries, native, dense, dense / native))
            print(f"n = {n}: done", file=sys.stderr)
    header = ("| atoms n (n x n map) | dense entries of the two convolutions | µs native convolutions | µs dense | dense / native |\n"
              "|---|---|---|---|---|")
    table = "\n".join([header] + [f"| {n} | {e} | {a:.1f} | {b:.1f} | {r:.2f} |" for n, e, a, b, r in rows])
    print(table)
    if args.markdown:
        command = " ".join([".venv/bin/python benchmarks/contact_map_bias_cost.py"] + (argv if argv is not None else sys.argv[1:]))
        with open(args.markdown, "w") as f:
            f.write("# Cost of an exported contact-map critic\n\n" + __doc__.split("\n\n")[0].replace("\n", " ") + "\n\n")
            f.write(f"Command: `{command}`, {args.blocks} interleaved blocks of {args.calls} calls, medians.\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
