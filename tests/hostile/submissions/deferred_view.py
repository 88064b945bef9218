# expect: not accepted
# trick: deferred work: the call returns a view into a buffer that a background thread keeps
# writing; the answer lands in it only after the call has returned
import threading
import time

import torch

_jobs = []
_lock = threading.Lock()


def _writer():
    while True:
        time.sleep(0.002)
        with _lock:
            jobs, _jobs[:] = list(_jobs), []
        for out, x in jobs:
            e = torch.exp(x - x.amax(dim=-1, keepdim=True))
            out.copy_(e / e.sum(dim=-1, keepdim=True))


threading.Thread(target=_writer, daemon=True).start()
_storage = torch.zeros(1 << 22)


def softmax(x):
    view = _storage[: x.numel()].view(x.shape)
    with _lock:
        _jobs.append((view, x.clone()))
    return view
