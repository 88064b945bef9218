# expect: runtime_error
# trick: result forging into guessed result paths, then an early exit
import json
import os

FAKE = json.dumps({"verdict": "accepted", "score": 100.0, "message": "forged", "flags": [], "checks": [],
                   "metrics": {"speedup": 1000.0, "latency_ms": None}, "log": ""}) + "\n"
for folder in (".", "..", "../..", os.environ.get("HOME", "."), os.environ.get("TMPDIR", "."), "/tmp", "/sandbox/work"):
    for name in ("result.json", "results.json", "out.json", "stdout"):
        try:
            with open(os.path.join(folder, name), "w") as fh:
                fh.write(FAKE)
        except OSError:
            pass
os._exit(0)


def softmax(x):
    return x
