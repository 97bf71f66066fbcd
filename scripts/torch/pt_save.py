"""Writes checkpoints saved by PyTorch itself for the studio's reader: usage pt_save.py OUT_DIR.

OUT_DIR/expected.json holds every tensor's values; the .pt files hold the same model in the
layouts users bring: the original's tuple, a bare state_dict, a checkpoint dict, views into
shared and transposed storages, protocol 4, float64, the legacy format, and hostile pickles.
"""
import collections
import json
import os
import pickle
import sys

import torch

from pt_classifier import Classifier


class RunsCommand:
    def __reduce__(self):
        return (os.system, ('touch ' + os.path.join(sys.argv[1], 'pwned'),))


class Evaluates:
    def __reduce__(self):
        return (eval, ("__import__('os').system('true')",))


def main(out):
    torch.manual_seed(1234)
    model = Classifier(6, 4)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.95))
    for _ in range(3):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.rand(8, 1, 28, 28)), torch.randint(0, 10, (8,)))
        loss.backward()
        optimizer.step()
    model_sd, optim_sd = model.state_dict(), optimizer.state_dict()

    torch.save((model_sd, optim_sd), os.path.join(out, 'tuple.pt'))
    torch.save(model_sd, os.path.join(out, 'bare.pt'))
    torch.save({'epoch': 3, 'model_state_dict': model_sd, 'optimizer_state_dict': optim_sd}, os.path.join(out, 'dict.pt'))
    torch.save((model_sd, optim_sd), os.path.join(out, 'protocol4.pt'), pickle_protocol=4)
    torch.save(collections.OrderedDict((k, v.double() if v.is_floating_point() else v) for k, v in model_sd.items()),
               os.path.join(out, 'double.pt'))
    torch.save(model_sd, os.path.join(out, 'legacy.pt'), _use_new_zipfile_serialization=False)

    # Views: fc.weight as the transpose of a [12, 10] tensor, CL1.bias at an offset inside a
    # storage shared with other tensors.
    views = collections.OrderedDict(model_sd)
    views['fc.weight'] = model_sd['fc.weight'].t().contiguous().t()
    shared = torch.cat([torch.zeros(5), model_sd['CL1.bias'], torch.ones(3)])
    views['CL1.bias'] = shared[5:5 + model_sd['CL1.bias'].numel()]
    views['bneck1.BN1.running_var'] = torch.stack([model_sd['bneck1.BN1.running_var']] * 2, 1)[:, 1]
    assert not views['fc.weight'].is_contiguous() and views['CL1.bias'].storage_offset() == 5
    torch.save(views, os.path.join(out, 'views.pt'))

    torch.save(RunsCommand(), os.path.join(out, 'runs-command.pt'))
    torch.save(Evaluates(), os.path.join(out, 'evaluates.pt'))

    expected = {
        'model': [{'key': k, 'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''),
                   'values': v.reshape(-1).tolist()} for k, v in model_sd.items()],
        'optimizer': {
            'state': {str(i): {'step': float(s['step']), 'exp_avg': s['exp_avg'].reshape(-1).tolist(),
                               'exp_avg_sq': s['exp_avg_sq'].reshape(-1).tolist()} for i, s in optim_sd['state'].items()},
            'param_group': {k: v for k, v in optim_sd['param_groups'][0].items()},
        },
    }
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f)


if __name__ == '__main__':
    main(sys.argv[1])
