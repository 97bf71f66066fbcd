"""How far rounding alone moves a run of the seed's recipe: PyTorch against itself.

Usage: /usr/bin/python3 scripts/torch/rounding_spread.py MNIST_DATA_DIR [--epochs N] [--seed S] [--lr LR]

One Classifier(8, 6) initialised by torch.manual_seed(seed) is trained twice from the same start
along the same shuffle, once in float32 and once in float64 (Adam, batch 64, the full 60,000
training images), and both are evaluated on the 10,000 test images after every epoch. The two
runs differ only by rounding; at lr 1e-3 the difference grows until the runs are as far apart as
two seeds. That spread is the floor any other float32 implementation (the studio's engines
included) can be compared against: `npm run accuracy` prints the studio against PyTorch from one
start, and this prints PyTorch against itself.
"""
import argparse
import copy
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pt_classifier import Classifier  # noqa: E402
from trajectory import split  # noqa: E402


def accuracy(model, images, labels, dtype, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for lo in range(0, len(labels), batch):
            correct += int((model(images[lo: lo + batch].to(dtype) / 255.0).argmax(1) == labels[lo: lo + batch]).sum())
    model.train()
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    torch.set_num_threads(1)
    images, labels = split(args.data_dir, "train")
    val_images, val_labels = split(args.data_dir, "test")

    torch.manual_seed(args.seed)
    runs = {}
    start = Classifier(8, 6)
    for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        model = copy.deepcopy(start).to(dtype)
        runs[name] = (model, torch.optim.Adam(model.parameters(), lr=args.lr), dtype)

    shuffle = torch.Generator().manual_seed(args.seed + 1)
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(labels), generator=shuffle)
        loss_sums = {name: 0.0 for name in runs}
        for lo in range(0, len(labels), args.batch):
            indices = order[lo: lo + args.batch]
            for name, (model, optim, dtype) in runs.items():
                optim.zero_grad()
                loss = F.cross_entropy(model(images[indices].to(dtype) / 255.0), labels[indices])
                loss.backward()
                optim.step()
                loss_sums[name] += loss.item() * len(indices)
        row = {"seed": args.seed, "epoch": epoch}
        for name, (model, _, dtype) in runs.items():
            row[f"train_loss_{name}"] = loss_sums[name] / len(labels)
            row[f"val_acc_{name}"] = accuracy(model, val_images, val_labels, dtype)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
