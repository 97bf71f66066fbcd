"""Training throughput of the reference PyTorch Classifier(8, 6): Adam, random data on the device.

Prints one JSON line per variant and batch size, in the keys `npm run bench` prints for the studio.
On CUDA it times eager steps and the whole step captured in one CUDA graph (Adam capturable=True,
as in the PyTorch docs' whole-network capture example); elsewhere it times CPU steps on the given
number of threads.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn

from pt_classifier import Classifier


def planned_steps(estimate_s, args):
    if args.steps:
        return args.steps
    if estimate_s >= args.seconds:
        return 0
    wanted = math.ceil(args.seconds / estimate_s) if estimate_s > 0 else args.max_steps
    return max(args.min_steps, min(args.max_steps, wanted))


def timed_loop(timed, args):
    """Steps and seconds: one synced step sizes the loop, or is the measurement when it filled the budget."""
    estimate = timed(1)
    steps = planned_steps(estimate, args)
    return (1, estimate) if steps == 0 else (steps, timed(steps))


def setup(batch, device, capturable):
    torch.manual_seed(0)
    model = Classifier(8, 6).to(device).train()
    kwargs = {"capturable": True} if capturable else {}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, **kwargs)
    x = torch.rand(batch, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    return model, optimizer, nn.CrossEntropyLoss(), x, y


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def eager_step(batch, device):
    """One eager Adam step on a fresh model and a fixed random batch, as a function returning its loss."""
    model, optimizer, loss_fn, x, y = setup(batch, device, capturable=False)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def time_eager(batch, device, args):
    step = eager_step(batch, device)

    def timed(count):
        started = time.perf_counter()
        for _ in range(count):
            loss = step()
        loss.item()
        sync(device)
        return time.perf_counter() - started

    first = timed(1)
    return first, *timed_loop(timed, args)


def time_graph(batch, device, args):
    model, optimizer, loss_fn, x, y = setup(batch, device, capturable=True)
    started = time.perf_counter()
    # Warm up on a side stream before capture, as the PyTorch docs do.
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            optimizer.step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    optimizer.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    graph.replay()
    loss.item()
    sync(device)
    first = time.perf_counter() - started

    def timed(count):
        began = time.perf_counter()
        for _ in range(count):
            graph.replay()
        loss.item()
        sync(device)
        return time.perf_counter() - began

    return first, *timed_loop(timed, args)


def row(backend, engine, adapter, batch, first, steps, seconds):
    return {
        "backend": backend,
        "engine": engine,
        "adapter": adapter,
        "runtime": f"pytorch {torch.__version__}",
        "batch": batch,
        "samples_per_s": round(steps * batch / seconds, 1),
        "ms_per_step": round(seconds * 1000 / steps, 3),
        "first_step_ms": round(first * 1000, 1),
        "dispatches_per_step": None,
        "steps": steps,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", default="64,512", help="comma-separated batch sizes")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (default: PyTorch's own choice)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--steps", type=int, default=0, help="fixed timed steps (default: fill --seconds)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--min-steps", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=2000)
    args = parser.parse_args()
    batches = [int(b) for b in args.batch.split(",") if b]
    cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if cuda:
        device = torch.device("cuda")
        adapter = torch.cuda.get_device_name(device)
        variants = [("torch-cuda-eager", "eager", time_eager), ("torch-cuda-graph", "cuda-graph", time_graph)]
    else:
        device = torch.device("cpu")
        adapter = f"CPU, {torch.get_num_threads()} threads"
        variants = [("torch-cpu", "eager", time_eager)]
    for batch in batches:
        for backend, engine, measure in variants:
            first, steps, seconds = measure(batch, device, args)
            print(json.dumps(row(backend, engine, adapter, batch, first, steps, seconds)), flush=True)


if __name__ == "__main__":
    main()
