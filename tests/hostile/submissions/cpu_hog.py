# expect: rejected

# trick: leave a forked process spinning to slow the baseline down while it is timed. On the cpu
# device the candidate's process group is watched while the baseline runs (its CPU time from
# /proc): a candidate busy while it should be idle is rejected. (On CUDA it is stopped instead.)
import os
import signal
import torch

_pid = os.fork()
if _pid == 0:
    while True:
        pass


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
