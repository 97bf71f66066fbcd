"""PyTorch CPU training throughput of Classifier(8, 6), by wall clock and by CPU time.

Usage: /usr/bin/python3 scripts/torch/bench_torch_cpu.py --batch 64 --threads 1 --seconds 3

Times the same eager Adam step as bench_torch.py on random images and prints one JSON line with
samples per wall-clock second and per CPU-second of this process (time.process_time over the
timed loop only): on a shared, loaded machine the second says what the code costs.
"""
import argparse
import json
import time

import torch

from bench_torch import eager_step


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    step = eager_step(args.batch, torch.device("cpu"))

    began = time.perf_counter()
    step().item()
    first = time.perf_counter() - began
    steps = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while steps < 3 or time.perf_counter() - wall0 < args.seconds:
        loss = step()
        steps += 1
    loss.item()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(json.dumps({
        "backend": "torch-cpu", "engine": "eager", "runtime": f"pytorch {torch.__version__}",
        "threads": args.threads, "batch": args.batch, "steps": steps,
        "samples_per_s": round(steps * args.batch / wall, 1),
        "samples_per_cpu_s": round(steps * args.batch / cpu, 1),
        "ms_per_step": round(wall * 1000 / steps, 3), "first_step_ms": round(first * 1000, 1),
    }), flush=True)


if __name__ == "__main__":
    main()
