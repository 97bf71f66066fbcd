"""Eval logits of a Classifier checkpoint with PyTorch, for the studio's round-trip checks.

usage:
  pt_logits.py judge CHECKPOINT IMAGES OUT_JSON
      Loads the studio's (model_sd, optim_sd) with the allow-listed unpickler, strictly into the
      original Classifier and into torch.optim.Adam, and writes the eval logits of IMAGES.
  pt_logits.py make F1 F2 OUT_DIR IMAGES OUT_JSON
      Trains Classifier(F1, F2) for 3 Adam steps, saves OUT_DIR/tuple.pt ((model_sd, optim_sd))
      and OUT_DIR/bare.pt (model_sd), and writes the eval logits of IMAGES.

IMAGES is raw little-endian float32, N x 28 x 28 values in 0..1.
"""
import json
import sys

import torch

from pt_check import restricted, seen_globals, ALLOWED
from pt_classifier import Classifier


def read_images(path):
    data = open(path, 'rb').read()
    pixels = torch.frombuffer(bytearray(data), dtype=torch.float32)
    return pixels.reshape(-1, 1, 28, 28)


def eval_logits(model, images):
    model.eval()
    with torch.no_grad():
        return model(images).reshape(-1).tolist()


def judge(checkpoint, images_path, out):
    with open(checkpoint, 'rb') as f, torch.serialization._open_zipfile_reader(f) as archive:
        model_sd, optim_sd = torch.serialization._load(archive, None, restricted, encoding='utf-8')
    outside = sorted(g for g in set(seen_globals) if tuple(g.rsplit('.', 1)) not in ALLOWED)
    f1 = model_sd['CL1.weight'].shape[0]
    f2 = model_sd['bneck1.Projection.weight'].shape[0]
    model = Classifier(f1, f2)
    result = model.load_state_dict(model_sd, strict=True)
    group = optim_sd['param_groups'][0]
    optimizer = torch.optim.Adam(model.parameters(), lr=group['lr'], betas=group['betas'])
    optimizer.load_state_dict(optim_sd)
    logits = eval_logits(model, read_images(images_path))
    steps = sorted({float(s['step']) for s in optimizer.state_dict()['state'].values()})
    # One more step from the loaded state shows Adam took it as its own.
    model.train()
    torch.manual_seed(0)
    loss = torch.nn.functional.cross_entropy(model(torch.rand(4, 1, 28, 28)), torch.randint(0, 10, (4,)))
    loss.backward()
    optimizer.step()
    report = {
        'torch': torch.__version__,
        'f1': f1,
        'f2': f2,
        'globals_outside_allow_list': outside,
        'missing': list(result.missing_keys),
        'unexpected': list(result.unexpected_keys),
        'adam_states': len(optim_sd['state']),
        'adam_steps': steps,
        'lr': group['lr'],
        'betas': list(group['betas']),
        'step_after': float(optimizer.state_dict()['state'][0]['step']),
        'finite_after': all(bool(torch.isfinite(p).all()) for p in model.parameters()),
        'logits': logits,
    }
    with open(out, 'w') as f:
        json.dump(report, f)


def make(f1, f2, out_dir, images_path, out):
    torch.manual_seed(4321)
    model = Classifier(f1, f2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.99))
    model.train()
    for _ in range(3):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.rand(16, 1, 28, 28)), torch.randint(0, 10, (16,)))
        loss.backward()
        optimizer.step()
    torch.save((model.state_dict(), optimizer.state_dict()), f'{out_dir}/tuple.pt')
    torch.save(model.state_dict(), f'{out_dir}/bare.pt')
    with open(out, 'w') as f:
        json.dump({'torch': torch.__version__, 'logits': eval_logits(model, read_images(images_path))}, f)


if __name__ == '__main__':
    if sys.argv[1] == 'judge':
        judge(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == 'make':
        make(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    else:
        sys.exit(f'unknown command {sys.argv[1]}')
