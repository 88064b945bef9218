# expect: accepted
# trick: learn the host's layout (checkout, venv, user names) from PATH, sys.path, the cwd,
# argv and /proc/self/cmdline, to aim other attacks. Prints `LEAK:` for each host path seen
# outside the Python installation itself (sys.prefix, sys.base_prefix: the process backend
# binds the interpreter at its own path, which docs/sandbox.md lists as what remains).
import os
import sys

import torch

HOST_MARKERS = ("/work/main", "/home/", "/root/", ".venv", "/tmp/hotpath-direct")
_install = tuple(p for p in {sys.prefix, sys.base_prefix} if p not in ("/", "/usr"))
_cmdline = open("/proc/self/cmdline", "rb").read().split(b"\0")
_seen = {
    "PATH": os.environ.get("PATH", ""),
    "env": " ".join(f"{k}={v}" for k, v in os.environ.items()),
    "sys.path": os.pathsep.join(p for p in sys.path if not p.startswith(_install)),
    "argv": " ".join(sys.argv),
    "cwd": os.getcwd(),
    "cmdline": b" ".join(_cmdline[1:]).decode(errors="replace"),  # past the interpreter's own path
}
print(f"probe: PATH={_seen['PATH']!r} cwd={_seen['cwd']!r} argv={_seen['argv']!r}", flush=True)
print(f"probe: sys.path={sys.path!r}", flush=True)
print(f"probe: cmdline={_seen['cmdline']!r} executable={sys.executable!r}", flush=True)
for _what, _text in _seen.items():
    for _marker in HOST_MARKERS:
        if _marker in _text:
            print(f"LEAK: {_what} shows {_marker!r}", flush=True)


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
