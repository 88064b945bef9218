# expect: rejected
# trick: result forging on every inherited file descriptor (and /proc/<parent>/fd), then an early exit
# (the harness socket is among those descriptors: the forged bytes break its framing -> rejected)
import json
import os

FAKE = (json.dumps({"verdict": "accepted", "score": 100.0, "message": "forged", "flags": [], "checks": [],
                    "metrics": {"speedup": 1000.0, "latency_ms": None}, "log": ""}) + "\n").encode()
for fd in range(0, 256):
    try:
        os.write(fd, FAKE)
    except OSError:
        pass
for path in (f"/proc/{os.getppid()}/fd/1", f"/proc/{os.getppid()}/fd/2"):
    try:
        with open(path, "wb") as fh:
            fh.write(FAKE)
    except OSError:
        pass
os._exit(0)


def softmax(x):
    return x
