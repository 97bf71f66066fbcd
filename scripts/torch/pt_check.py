"""Judges a studio checkpoint with PyTorch: usage pt_check.py CHECKPOINT OUT_JSON.

Loads it with an allow-listed unpickler (torch 1.13's own weights_only loader rejects the BINFLOAT
that every Adam state dict holds, so it cannot judge) and with plain torch.load, loads the model strictly into the original
Classifier and the optimizer into Adam, takes one step, re-saves it with torch.save, and writes
what it read as JSON for the caller to compare.
"""
import io
import json
import pickle
import sys
import types
import zipfile

import torch

from pt_classifier import Classifier

ALLOWED = {
    ('collections', 'OrderedDict'),
    ('torch._utils', '_rebuild_tensor_v2'),
    ('torch', 'FloatStorage'),
    ('torch', 'LongStorage'),
}
seen_globals = []


class AllowListUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        seen_globals.append(f'{module}.{name}')
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f'global {module}.{name} is not allowed')
        return super().find_class(module, name)


restricted = types.ModuleType('allow_list_pickle')
restricted.Unpickler = AllowListUnpickler
restricted.load = lambda f, **kw: AllowListUnpickler(f, **kw).load()
restricted.__name__ = 'allow_list_pickle'


def storage_globals(pkl):
    """Storage classes bypass find_class inside torch.load, so list every GLOBAL opcode."""
    import pickletools
    return sorted({arg.replace(' ', '.') for op, arg, _ in pickletools.genops(pkl) if op.name == 'GLOBAL'})


def same_tensors(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same_tensors(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same_tensors(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def weights_only_verdict(path, model_sd, optim_sd):
    """torch 2.x's weights_only loader is the final judge; 1.13's refuses BINFLOAT, so it is only noted."""
    try:
        loaded = torch.load(path, weights_only=True)
    except Exception as error:
        return f'refused: {type(error).__name__}: {error}'[:400]
    verdict = 'loaded, same values' if same_tensors(loaded, (model_sd, optim_sd)) else 'loaded, DIFFERENT values'
    if int(torch.__version__.split('.')[0]) >= 2:
        mapped = torch.load(path, weights_only=True, mmap=True)
        verdict += '; mmap=True: ' + ('same values' if same_tensors(mapped, (model_sd, optim_sd)) else 'DIFFERENT values')
    return verdict


def tensor_json(t):
    return {'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''), 'values': t.reshape(-1).tolist()}


def value_json(v):
    if isinstance(v, torch.Tensor):
        return tensor_json(v)
    if isinstance(v, (list, tuple)):
        return {'type': type(v).__name__, 'items': [value_json(x) for x in v]}
    return {'type': type(v).__name__, 'value': v}


def main(path, out):
    report = {'torch': torch.__version__}
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        pkl_name = next(n for n in names if n.endswith('/data.pkl'))
        pkl = z.read(pkl_name)
    report['records'] = names
    report['pickle_globals'] = storage_globals(pkl)
    outside = set(report['pickle_globals']) - {f'{m}.{n}' for m, n in ALLOWED}
    if outside:
        raise pickle.UnpicklingError(f'globals outside the allow-list: {sorted(outside)}')

    # Debian's torch 1.13 replaces an explicit pickle_module with pickle inside torch.load, so
    # the allow-listed unpickler goes to the zip loader torch.load itself calls.
    with open(path, 'rb') as f, torch.serialization._open_zipfile_reader(f) as archive:
        model_sd, optim_sd = torch.serialization._load(archive, None, restricted, encoding='utf-8')
    plain_model_sd, _ = torch.load(path)
    assert list(plain_model_sd) == list(model_sd)
    report['find_class_globals'] = sorted(set(seen_globals))
    report['model_sd_type'] = type(model_sd).__name__
    report['has_metadata'] = hasattr(model_sd, '_metadata')
    report['weights_only'] = weights_only_verdict(path, model_sd, optim_sd)

    f1 = model_sd['CL1.weight'].shape[0]
    f2 = model_sd['bneck1.Projection.weight'].shape[0]
    model = Classifier(f1, f2)
    result = model.load_state_dict(model_sd, strict=True)
    report['strict_load'] = {'missing': list(result.missing_keys), 'unexpected': list(result.unexpected_keys)}
    group = optim_sd['param_groups'][0]
    optimizer = torch.optim.Adam(model.parameters(), lr=group['lr'], betas=group['betas'])
    optimizer.load_state_dict(optim_sd)

    report['model'] = [{'key': k, **tensor_json(v)} for k, v in model_sd.items()]
    report['optimizer_state'] = {
        str(i): {name: value_json(v) for name, v in s.items()} for i, s in optim_sd['state'].items()
    }
    report['param_groups'] = [{k: value_json(v) for k, v in g.items()} for g in optim_sd['param_groups']]

    resaved = io.BytesIO()
    torch.save((model_sd, optim_sd), resaved)
    with zipfile.ZipFile(resaved) as z:
        report['resave_identical_pickle'] = z.read('archive/data.pkl') == pkl

    torch.manual_seed(0)
    model.train()
    loss = torch.nn.functional.cross_entropy(model(torch.rand(16, 1, 28, 28)), torch.randint(0, 10, (16,)))
    loss.backward()
    optimizer.step()
    state0 = optimizer.state_dict()['state'][0]
    report['after_step'] = {
        'loss': loss.item(),
        'step': float(state0['step']),
        'finite': all(bool(torch.isfinite(p).all()) for p in model.parameters()),
    }
    with open(out, 'w') as f:
        json.dump(report, f)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
