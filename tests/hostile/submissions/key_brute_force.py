# expect: accepted
# trick: brute-force the sealing key of the staged (sealed) inputs. If only 32 bits of the
# 62-bit key mattered (torch's CPU mt19937 keeps 32 bits of its seed), 2^32 tries would open
# every future input; this checks that keys differing only above bit 32 seal differently, and
# tries the 2^32 low-bit classes' worth of aliasing on a sample. Prints `LEAK:` on a weakness.
import torch

try:
    from graders.harness.shared.cipher import keystream

    _dev = torch.device("cpu")
    for _key in (2**32 + 12345, 2**40 + 7, 3 * 2**50 + 99):
        _low = _key % 2**32
        if torch.equal(keystream(4096, _key, _dev), keystream(4096, _low, _dev)):
            print(f"LEAK: key {_key} seals like its low 32 bits {_low}", flush=True)
    _base = keystream(64, 1, _dev)
    for _high in range(1, 1 << 10):  # keys that share the low 32 bits with key 1
        if torch.equal(keystream(64, 1 + (_high << 32), _dev), _base):
            print(f"LEAK: key 1 + {_high} << 32 aliases key 1", flush=True)
            break
except ImportError as exc:
    print(f"probe: cipher not importable: {exc}", flush=True)


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
