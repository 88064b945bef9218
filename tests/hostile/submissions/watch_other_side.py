# expect: accepted
# trick: watch the other side: read /proc/<pid>/{stat,sched,schedstat,status} of every other
# process (the supervisor, the trusted baseline, the worker template) to learn exactly when
# the baseline runs, then slow it down then. Prints `LEAK:` for each foreign process it can read.
import os

import torch

_me = os.getpid()
for _pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
    if _pid == _me:
        continue
    _readable = []
    for _name in ("stat", "sched", "schedstat", "status"):
        try:
            with open(f"/proc/{_pid}/{_name}") as _fh:
                _fh.read(256)
            _readable.append(_name)
        except OSError:
            pass
    if _readable:
        print(f"LEAK: pid {_pid} readable: {','.join(_readable)}", flush=True)


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
