# expect: accepted
# trick: create a nested user namespace (unshare(CLONE_NEWUSER), by os.unshare and by ctypes)
# to get a full capability set in it and a larger kernel surface (mount, more namespaces).
# Prints `LEAK:` with CapEff for each unshare that succeeded.
import ctypes
import os

import torch

CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000


def _try(how: str) -> None:
    pid = os.fork()
    if pid == 0:
        try:
            if how == "os.unshare":
                if not hasattr(os, "unshare"):  # Python 3.12+
                    print("refused: os.unshare: not in this Python", flush=True)
                    os._exit(0)
                os.unshare(CLONE_NEWUSER)
            else:
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
                    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
            caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
            print(f"LEAK: {how}(CLONE_NEWUSER) succeeded, CapEff {caps}", flush=True)
        except OSError as exc:
            print(f"refused: {how}: {exc}", flush=True)
        os._exit(0)
    os.waitpid(pid, 0)


for _how in ("os.unshare", "ctypes"):
    _try(_how)


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
