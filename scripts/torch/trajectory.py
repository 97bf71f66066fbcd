"""Trains the original Classifier along a batch order the studio chose, for whole-run parity.

Usage: /usr/bin/python3 scripts/torch/trajectory.py MNIST_DATA_DIR REQUEST.json OUT.json

The request names the model (f1, f2), Adam's lr and betas, the batch size, PyTorch's seed, the
training set (the first `train_count` images of `train`, or of train followed by t10k when
`train` is "train+test"), the first `val_count` t10k images as validation, and one order per
epoch (the studio's shuffle) with how many of its steps to train (all, as a DataLoader with
drop_last=False does, when absent: the last batch may be smaller).

First the model takes one Adam step on the training images 0..batch-1 in file order, so that
the starting state has non-zero Adam moments, a step count and moved BatchNorm statistics; that
state is saved as `(model.state_dict(), optimizer.state_dict())` to `checkpoint` for the studio
to import. Then it trains the orders and writes every step's loss, each epoch's train_loss,
val_loss and val_acc (evaluation mode), and the final state dict and Adam state.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import adam_state, read_idx, state_list  # noqa: E402
from pt_classifier import Classifier  # noqa: E402


def split(data_dir, name):
    files = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}[name]
    pixels = read_idx(os.path.join(data_dir, files[0]), 16)
    labels = read_idx(os.path.join(data_dir, files[1]), 8)
    images = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).reshape(-1, 1, 28, 28)
    return images, torch.frombuffer(bytearray(labels), dtype=torch.uint8).to(torch.int64)


def evaluate(model, images, labels, batch=1000):
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for lo in range(0, len(labels), batch):
            logits = model(images[lo: lo + batch].to(torch.float32) / 255.0)
            y = labels[lo: lo + batch]
            loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
            correct += int((logits.argmax(1) == y).sum())
    model.train()
    return {"val_loss": loss_sum / len(labels), "val_acc": correct / len(labels)}


def main():
    data_dir, request_path, out_path = sys.argv[1:4]
    with open(request_path) as f:
        req = json.load(f)
    torch.manual_seed(req["seed"])
    torch.set_num_threads(1)

    train_images, train_labels = split(data_dir, "train")
    test_images, test_labels = split(data_dir, "test")
    if req["train"] == "train+test":
        train_images, train_labels = torch.cat([train_images, test_images]), torch.cat([train_labels, test_labels])
    count, batch = req["train_count"], req["batch"]
    train_images, train_labels = train_images[:count], train_labels[:count]
    val_images, val_labels = test_images[: req["val_count"]], test_labels[: req["val_count"]]

    model = Classifier(req["f1"], req["f2"])
    model.train()
    optim = torch.optim.Adam(model.parameters(), lr=req["lr"], betas=tuple(req["betas"]))

    def step(indices):
        optim.zero_grad()
        x = train_images[indices].to(torch.float32) / 255.0
        loss = F.cross_entropy(model(x), train_labels[indices])
        loss.backward()
        optim.step()
        return loss.item()

    step(torch.arange(batch))
    torch.save((model.state_dict(), optim.state_dict()), req["checkpoint"])

    losses, epochs = [], []
    for epoch in req["epochs"]:
        order = torch.tensor(epoch["order"], dtype=torch.int64)
        assert sorted(epoch["order"]) == list(range(count)), "an epoch's order must be a permutation of the training set"
        steps = epoch.get("steps") or (count + batch - 1) // batch
        loss_sum = 0.0
        for s in range(steps):
            indices = order[s * batch: (s + 1) * batch]
            loss = step(indices)
            losses.append(loss)
            loss_sum += loss * len(indices)
        if steps * batch >= count:
            epochs.append({"train_loss": loss_sum / count, **evaluate(model, val_images, val_labels)})

    with open(out_path, "w") as f:
        json.dump({
            "losses": losses,
            "epochs": epochs,
            "end": {"state": state_list(model), "adam": adam_state(optim, model)},
            "end_eval": evaluate(model, val_images, val_labels),
        }, f)


if __name__ == "__main__":
    main()
