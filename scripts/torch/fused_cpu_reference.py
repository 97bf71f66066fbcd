"""Reference runs of the original PyTorch Classifier for the fused CPU step's parity tests.

Usage: /usr/bin/python3 scripts/torch/fused_cpu_reference.py MNIST_DATA_DIR OUT.json

From PyTorch's own initial state (seed 1234, f1 8, f2 6), Adam (lr 1e-3, betas (0.9, 0.99)) trains
each case's batches in sequence on train images taken in a fixed shuffled order; the fixture holds
that order, the initial state, and after every step its loss, gradients, state (parameters and
BatchNorm buffers) and Adam's state; then an eval-mode pass over the first val images (summed
cross-entropy, correct count, and the first images' logits).
"""
import copy
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pt_classifier import Classifier  # noqa: E402
from make_fixtures import adam_state, read_idx, state_list  # noqa: E402

CASES = {
    "batch 1": [1],
    "batch 16": [16],
    "batch 64": [64],
    "batch 512": [512],
    "last partial batch (60000 mod 64)": [60000 % 64],
    "three steps": [64, 64, 64],
}
EVAL_COUNT = 1000
EVAL_LOGITS = 32


def main():
    data_dir, out_path = sys.argv[1], sys.argv[2]
    f1, f2, lr, betas = 8, 6, 1e-3, (0.9, 0.99)
    torch.manual_seed(1234)
    torch.set_num_threads(1)
    initial = Classifier(f1, f2)
    train_px = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"), 16)
    train_lb = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"), 8)
    val_px = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte"), 16)
    val_lb = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte"), 8)
    order = torch.randperm(60000, generator=torch.Generator().manual_seed(99))[:1024].tolist()

    def train_batch(indices):
        raw = torch.tensor([b for i in indices for b in train_px[i * 784:(i + 1) * 784]], dtype=torch.uint8)
        x = raw.to(torch.float32).reshape(len(indices), 1, 28, 28) / 255.0
        return x, torch.tensor([train_lb[i] for i in indices], dtype=torch.int64)

    cases = []
    for name, sizes in CASES.items():
        model = copy.deepcopy(initial)
        model.train()
        optim = torch.optim.Adam(model.parameters(), lr=lr, betas=betas)
        steps = []
        start = 0
        for size in sizes:
            x, y = train_batch(order[start:start + size])
            optim.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            grads = [p.grad.reshape(-1).tolist() for p in model.parameters()]
            optim.step()
            steps.append({
                "start": start, "size": size, "loss": loss.item(), "grads": grads,
                "state": state_list(model), "adam": adam_state(optim, model),
            })
            start += size
        model.eval()
        vx = torch.tensor(list(val_px[:EVAL_COUNT * 784]), dtype=torch.uint8).to(torch.float32).reshape(EVAL_COUNT, 1, 28, 28) / 255.0
        vy = torch.tensor(list(val_lb[:EVAL_COUNT]), dtype=torch.int64)
        with torch.no_grad():
            logits = model(vx)
            loss_sum = F.cross_entropy(logits, vy, reduction="sum").item()
            correct = int((logits.argmax(1) == vy).sum().item())
        cases.append({
            "name": name, "steps": steps,
            "eval": {"count": EVAL_COUNT, "loss_sum": loss_sum, "correct": correct,
                     "logits": logits[:EVAL_LOGITS].reshape(-1).tolist()},
        })

    with open(out_path, "w") as f:
        json.dump({
            "torch_version": torch.__version__, "f1": f1, "f2": f2, "lr": lr, "betas": list(betas),
            "order": order, "initial_state": state_list(initial), "eval_logits_count": EVAL_LOGITS, "cases": cases,
        }, f)


if __name__ == "__main__":
    main()
