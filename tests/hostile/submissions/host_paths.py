# expect: accepted
# trick: learn the host's layout (checkout, venv, user names) from PATH, sys.path, sys.prefix,
# sys.executable, the cwd, argv, /proc/self/cmdline, /proc/self/maps, the modules' __file__s,
# pyvenv.cfg and the small files of site-packages (an editable install's .pth names its
# checkout), to aim other attacks. Prints `LEAK:` for each host path seen. What is still
# visible is listed in docs/sandbox.md (a bind mount's source in /proc/self/mountinfo, the
# bytes of compiled files), and is not probed here.
import os
import sys

import torch

HOST_MARKERS = ("/work/main", "/home/", ".venv", "/tmp/hotpath-direct", "/tmp/ci-clone")


def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode(errors="replace")
    except OSError:
        return ""


def _site_files():
    texts = []
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            for name in os.listdir(entry):
                if name.endswith((".pth", ".py", ".egg-link")):
                    texts.append(_read(os.path.join(entry, name)))
                if name.endswith(".dist-info"):
                    texts.append(_read(os.path.join(entry, name, "direct_url.json")))
    return " ".join(texts)


_cmdline = open("/proc/self/cmdline", "rb").read().split(b"\0")
_seen = {
    "PATH": os.environ.get("PATH", ""),
    "env": " ".join(f"{k}={v}" for k, v in os.environ.items()),
    "sys.path": os.pathsep.join(sys.path),
    "sys.prefix": f"{sys.prefix} {sys.base_prefix} {sys.exec_prefix} {sys.executable}",
    "argv": " ".join(sys.argv),
    "cwd": os.getcwd(),
    "cmdline": b" ".join(_cmdline).decode(errors="replace"),
    "module files": " ".join(str(getattr(m, "__file__", "") or "") for m in list(sys.modules.values())),
    "maps": _read("/proc/self/maps", 8 << 20),
    "pyvenv.cfg": _read(os.path.join(sys.prefix, "pyvenv.cfg")),
    "bin": " ".join(_read(os.path.join(sys.prefix, "bin", n), 4096) for n in ("activate", "pip", "hotpath")),
    "site-packages": _site_files(),
}
print(f"probe: PATH={_seen['PATH']!r} cwd={_seen['cwd']!r} argv={_seen['argv']!r}", flush=True)
print(f"probe: sys.path={sys.path!r}", flush=True)
print(f"probe: prefix={_seen['sys.prefix']!r} cmdline={_seen['cmdline']!r}", flush=True)
for _what, _text in _seen.items():
    for _marker in HOST_MARKERS:
        if _marker in _text:
            print(f"LEAK: {_what} shows {_marker!r}", flush=True)


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
