"""The Python PyTorch reference for benchmarks/FlowTrainingBenchmark.cpp: the same MLP vector field
(sinusoidal time embedding of 32 features with frequencies geometric from 1 to 100, SiLU hidden layers),
the same loss (DESIGN.md §3.1), Adam with a warm-up + cosine learning rate and an EMA of the weights, on a
fixed batch; prints one line of JSON. Run with Debian's python3 and python3-torch (the LibTorch version):

    /usr/bin/python3 benchmarks/flow_training_reference.py --dim 66 --batch 256 --steps 200 --threads 2
"""
import argparse
import json
import math
import resource
import time

import torch


class TimeEmbedding(torch.nn.Module):
    def __init__(self, dimension=32, max_frequency=100.0):
        super().__init__()
        k = dimension // 2
        exponents = torch.arange(k, dtype=torch.float32) / max(k - 1, 1)
        self.register_buffer("frequencies", torch.exp(math.log(max_frequency) * exponents))

    def forward(self, t):
        angles = t[:, None] * self.frequencies[None, :]
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class MLPVectorField(torch.nn.Module):
    def __init__(self, dim, hidden, layers, embedding=32):
        super().__init__()
        self.embedding = TimeEmbedding(embedding)
        sizes = [dim + embedding] + [hidden] * layers
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.output = torch.nn.Linear(hidden, dim)

    def forward(self, x, t):
        h = torch.cat([x, self.embedding(t)], dim=1)
        for layer in self.layers:
            h = torch.nn.functional.silu(layer(h))
        return self.output(h)


def main():
    parser = argparse.ArgumentParser()
    for name, default in (("dim", 66), ("hidden", 256), ("layers", 4), ("batch", 256), ("steps", 200), ("warmup", 20),
                          ("threads", 2), ("samples", 1000), ("rk4-steps", 50)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = MLPVectorField(args.dim, args.hidden, args.layers)
    ema = [p.detach().clone() for p in model.parameters()]
    total = args.warmup + args.steps
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / 100 if s < 100 else 0.5 * (1 + math.cos(math.pi * (s - 100) / max(total - 100, 1))))
    batch = torch.randn(4 * args.batch, args.dim)[: args.batch]

    def step():
        x0 = torch.randn_like(batch)
        t = torch.rand(batch.shape[0])
        xt = t[:, None] * batch + (1 - t[:, None]) * x0
        loss = ((model(xt, t) - (batch - x0)) ** 2).sum(dim=1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        with torch.no_grad():
            for average, p in zip(ema, model.parameters()):
                average.mul_(0.999).add_(p.detach(), alpha=0.001)

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    train_seconds = time.perf_counter() - start

    with torch.no_grad():
        start = time.perf_counter()
        x = torch.randn(args.samples, args.dim)
        h = 1.0 / args.rk4_steps
        for i in range(args.rk4_steps):
            t = torch.full((args.samples,), i * h)
            k1 = model(x, t)
            k2 = model(x + 0.5 * h * k1, t + 0.5 * h)
            k3 = model(x + 0.5 * h * k2, t + 0.5 * h)
            k4 = model(x + h * k3, t + h)
            x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        sample_seconds = time.perf_counter() - start
    print(json.dumps({"implementation": f"Python PyTorch {torch.__version__}",
                      "train_samples_per_s": args.steps * args.batch / train_seconds,
                      "sample_per_s": args.samples / sample_seconds,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
