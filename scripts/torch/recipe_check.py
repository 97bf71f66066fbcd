"""PyTorch's side of the recipe parity test (src/engine/recipeParity.test.ts).

Usage: /usr/bin/python3 scripts/torch/recipe_check.py RECIPE_DIR MNIST_DATA_DIR REQUEST.json OUT.json

RECIPE_DIR holds the Ray project's recipe.py (written by the test from the exporter's source), so
the Python that is checked is the Python users get. The request lists:
- schedules: configs and a step count; the answer is the lr PyTorch's scheduler gives each
  optimizer step (read from the optimizer before each step, then optimizer.step(), scheduler.step());
- augment: configs, a seed, an epoch and an image count; the answer is recipe.augment_images of
  the first test images;
- train: configs; the answer is three steps of each (lr 1e-2, betas (0.9, 0.99), batch 16, run's
  total_steps 4) from the same initial model, with the state before and after every step as
  make_fixtures.py records it.
"""
import copy
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_fixtures import adam_state, read_idx, state_list  # noqa: E402
from pt_classifier import Classifier  # noqa: E402


def schedule_lrs(recipe, config, steps):
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = recipe.make_optimizer([param], config)
    scheduler = recipe.make_scheduler(optimizer, config, steps)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        param.grad = torch.ones(1)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return lrs


def train_steps(recipe, config, images, targets, initial, batch, total_steps):
    model = copy.deepcopy(initial)
    model.train()
    optimizer = recipe.make_optimizer(model.parameters(), config)
    scheduler = recipe.make_scheduler(optimizer, config, total_steps)
    criterion = recipe.make_criterion(config)
    steps = []
    for step in range(3):
        lo = batch * (step + 1)
        before = {"state": state_list(model), "adam": adam_state(optimizer, model)}
        optimizer.zero_grad()
        loss = criterion(model(images[lo: lo + batch]), targets[lo: lo + batch])
        loss.backward()
        grads = [p.grad.reshape(-1).tolist() for p in model.parameters()]
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        steps.append({
            "batch_index": step + 1, "lr": lr, "before": before, "loss": loss.item(), "grads": grads,
            "after": {"state": state_list(model), "adam": adam_state(optimizer, model)},
        })
    return steps


def main():
    recipe_dir, data_dir, request_path, out_path = sys.argv[1:5]
    sys.path.insert(0, recipe_dir)
    import recipe  # noqa: E402  (the exported recipe.py)

    with open(request_path) as f:
        request = json.load(f)
    torch.manual_seed(1234)
    torch.set_num_threads(1)
    pixels = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte"), 16)
    labels = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte"), 8)
    batch, count = 16, 64
    raw = np.frombuffer(pixels, dtype=np.uint8)
    images = torch.tensor(list(pixels[: count * 784]), dtype=torch.float32).reshape(count, 1, 28, 28) / 255.0
    targets = torch.tensor(list(labels[:count]), dtype=torch.int64)
    initial = Classifier(8, 6)

    base = {"lr": 1e-2, "beta1": 0.9, "beta2": 0.99}
    out = {
        "initial_state": state_list(initial),
        "images": images.reshape(-1).tolist(),
        "labels": targets.tolist(),
        "batch": batch,
        "schedules": [schedule_lrs(recipe, {**base, **c["config"]}, c["steps"]) for c in request["schedules"]],
        "augment": [
            recipe.augment_images(raw[: a["count"] * 784], a["config"], a["seed"], a["epoch"]).reshape(-1).tolist()
            for a in request["augment"]
        ],
        "train": [train_steps(recipe, {**base, **c}, images, targets, initial, batch, 4) for c in request["train"]],
    }
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
