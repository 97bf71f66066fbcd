/**
 * objective.py of the generated project: trains one trial from a config dict and hands each
 * epoch's metrics and checkpoint to a `report` callback. It imports no Ray, so it runs alone
 * (`python objective.py`) and under Ray Tune (main.py passes a callback that calls tune.report).
 * Metric names are the studio's; the checkpoint is the original's
 * `(model.state_dict(), optimizer.state_dict())` tuple, which the studio imports.
 */
/** The Python source of objective.py (the same for every search: the trial's config arrives as a dict). */
export const OBJECTIVE_PY = `"""Train one trial of the search: the studio's objective, without Ray.

    python objective.py --data-dir data/MNIST/raw --out trial_out lr=0.001 f1=8 f2=6 max_num_epochs=2

runs one trial and writes trial_out/result.json (one line per epoch) and trial_out/checkpoint.pt.
main.py runs the same \`run_trial\` under Ray Tune.
"""
import argparse
import gzip
import json
import os
import shutil
import struct
import tempfile
import time

import torch
import torch.nn.functional as F

from architecture import build_model, total_params, with_model_defaults
from recipe import augment_images, augments, make_criterion, make_optimizer, make_scheduler

CHECKPOINT_FILE = "checkpoint.pt"
STATE_FILE = "trial_state.json"
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# The model's widths (f1, f2 for the Classifier) come from architecture.py's with_model_defaults.
DEFAULT_CONFIG = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "batch_size": 64,
                  "max_num_epochs": 20, "model": "Classifier", "seed": 0}


def _read_idx(path):
    """An IDX file (plain or .gz) as a uint8 tensor of its declared shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    values = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return values.reshape(dims)


def _find(data_dir, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    return None


def load_mnist(data_dir, split, limit=None):
    """MNIST images (N x 1 x 28 x 28, pixel / 255, no normalisation, as the studio) and labels.

    Reads the IDX files from data_dir; when they are missing and torchvision is installed, it
    downloads them there first (as the original project's loader did).
    """
    images_name, labels_name = IDX_FILES[split]
    images, labels = _find(data_dir, images_name), _find(data_dir, labels_name)
    if images is None or labels is None:
        try:
            import torchvision
        except ImportError as error:
            raise FileNotFoundError(f"MNIST {split} IDX files not found in {data_dir}; "
                                    "copy them there or pip install torchvision") from error
        root = os.path.dirname(os.path.dirname(os.path.abspath(data_dir)))
        torchvision.datasets.MNIST(root, train=split == "train", download=True)
        images, labels = _find(data_dir, images_name), _find(data_dir, labels_name)
        if images is None or labels is None:
            raise FileNotFoundError(f"MNIST {split} IDX files not found in {data_dir} after download")
    x = _read_idx(images)[:limit].to(torch.float32).div_(255.0).unsqueeze(1)
    y = _read_idx(labels)[:limit].to(torch.int64)
    return x, y


def _evaluate(model, x, y, batch_size, device):
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size].to(device), y[start:start + batch_size].to(device)
            logits = model(xb)
            loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
    return loss_sum / len(x), correct / len(x)


def run_trial(config, report, data_dir, checkpoint_dir=None, train_limit=None, val_limit=None, device=None):
    """Trains the config's model (architecture.py's build_model: Classifier(f1, f2) by default) with its recipe (recipe.py: Adam or AdamW, lr schedule,
    label smoothing, augmentation; the original's Adam(lr, (beta1, beta2)) by default) for
    config["max_num_epochs"] epochs.

    After every epoch calls report(metrics, checkpoint_dir) with the studio's metric names and a
    folder holding checkpoint.pt; report returns nothing and may stop the trial by raising.
    checkpoint_dir: a folder from an earlier report, to resume after its epoch.
    """
    config = with_model_defaults({**DEFAULT_CONFIG, **config})
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.manual_seed(int(config["seed"]))
    model = build_model(config).to(device)
    optimizer = make_optimizer(model.parameters(), config)
    first_epoch = 1
    if checkpoint_dir:
        model_sd, optim_sd = torch.load(os.path.join(checkpoint_dir, CHECKPOINT_FILE), map_location=device)
        model.load_state_dict(model_sd)
        optimizer.load_state_dict(optim_sd)
        with open(os.path.join(checkpoint_dir, STATE_FILE)) as f:
            first_epoch = json.load(f)["epoch"] + 1

    x_train, y_train = load_mnist(data_dir, "train", train_limit)
    x_val, y_val = load_mnist(data_dir, "test", val_limit)
    batch_size = int(config["batch_size"])
    steps_per_epoch = -(-len(x_train) // batch_size)
    scheduler = make_scheduler(optimizer, config, int(config["max_num_epochs"]) * steps_per_epoch)
    if scheduler is not None and first_epoch > 1:
        # The schedule is a function of the optimizer step: replay it to where the checkpoint stopped.
        for _ in range((first_epoch - 1) * steps_per_epoch):
            scheduler.step()
    criterion = make_criterion(config)
    raw_train = (x_train.squeeze(1) * 255).round().to(torch.uint8).numpy() if augments(config) else None
    params = total_params(model)
    shuffle = torch.Generator().manual_seed(int(config["seed"]))
    for epoch in range(first_epoch, int(config["max_num_epochs"]) + 1):
        model.train()
        started = time.perf_counter()
        order = torch.randperm(len(x_train), generator=shuffle)
        images = x_train
        if raw_train is not None:
            # The studio's augmentation of this epoch (0-based), from the trial's seed.
            images = torch.from_numpy(augment_images(raw_train, config, int(config["seed"]), epoch - 1)).to(torch.float32).div_(255.0).unsqueeze(1)
        loss_sum = 0.0
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            xb, yb = images[index].to(device), y_train[index].to(device)
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            loss_sum += loss.item() * len(index)
        train_seconds = time.perf_counter() - started
        val_loss, val_acc = _evaluate(model, x_val, y_val, max(batch_size, 256), device)
        metrics = {
            "epoch": epoch,
            "train_loss": loss_sum / len(x_train),
            "val_loss": val_loss,
            "val_acc": val_acc,
            "total_params": params,
            "time_s": time.perf_counter() - started,
            "samples_per_s": len(x_train) / train_seconds,
        }
        with tempfile.TemporaryDirectory() as folder:
            torch.save((model.state_dict(), optimizer.state_dict()), os.path.join(folder, CHECKPOINT_FILE))
            with open(os.path.join(folder, STATE_FILE), "w") as f:
                json.dump({"epoch": epoch}, f)
            report(metrics, folder)


def _value(text):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def main():
    parser = argparse.ArgumentParser(description="Train one trial without Ray.")
    parser.add_argument("--data-dir", default="data/MNIST/raw", help="folder of the MNIST IDX files (.gz or not)")
    parser.add_argument("--out", default="trial_out", help="where result.json and checkpoint.pt go")
    parser.add_argument("--train-limit", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--val-limit", type=int, default=None, help="validate on the first N test images only")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("overrides", nargs="*", help="config values as key=value (lr=0.01 f1=8 ...)")
    args = parser.parse_args()
    config = dict(DEFAULT_CONFIG)
    for item in args.overrides:
        key, _, value = item.partition("=")
        config[key] = _value(value)
    config = with_model_defaults(config)
    os.makedirs(args.out, exist_ok=True)
    results = open(os.path.join(args.out, "result.json"), "w")

    def report(metrics, folder):
        row = {**metrics, "training_iteration": metrics["epoch"], "config": config}
        results.write(json.dumps(row) + "\\n")
        results.flush()
        shutil.copy(os.path.join(folder, CHECKPOINT_FILE), os.path.join(args.out, CHECKPOINT_FILE))
        print(json.dumps(metrics), flush=True)

    with open(os.path.join(args.out, "params.json"), "w") as f:
        json.dump(config, f, indent=2)
    run_trial(config, report, args.data_dir, train_limit=args.train_limit, val_limit=args.val_limit, device=args.device)
    results.close()


if __name__ == "__main__":
    main()
`;
