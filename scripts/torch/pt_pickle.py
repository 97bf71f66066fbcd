"""Compares pickles with CPython's: usage pt_pickle.py PICKLE_FILE.

Prints JSON: CPython's own protocol 2 and 4 pickles of the same object (hex), and
pickletools' disassembly of the given bytes. Only for pickles the test suite wrote itself.
"""
import io
import json
import pickle
import pickletools
import sys


def main(path):
    with open(path, 'rb') as f:
        data = f.read()
    obj = pickle.loads(data)
    listing = io.StringIO()
    pickletools.dis(data, out=listing)
    print(json.dumps({
        'protocol2': pickle.dumps(obj, protocol=2).hex(),
        'protocol4': pickle.dumps(obj, protocol=4).hex(),
        'dis': listing.getvalue(),
        'repr': repr(obj)[:2000],
    }))


if __name__ == '__main__':
    main(sys.argv[1])
