# expect: not accepted
# trick: deferred work: the call returns an empty tensor at once and a thread writes the answer
# into it a few milliseconds later, after the timed call has returned
import threading
import time

import torch


def _fill(out, x):
    time.sleep(0.005)
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    out.copy_(e / e.sum(dim=-1, keepdim=True))


def softmax(x):
    out = torch.zeros_like(x)
    threading.Thread(target=_fill, args=(out, x), daemon=True).start()
    return out
