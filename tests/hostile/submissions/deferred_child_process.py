# expect: not accepted
# trick: deferred work: the answer is written into shared memory by a forked child process
# after the call has returned
import os
import time

import torch


def softmax(x):
    out = torch.zeros_like(x).share_memory_()
    if os.fork() == 0:
        time.sleep(0.005)
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        out.copy_(e / e.sum(dim=-1, keepdim=True))
        os._exit(0)
    return out
