# expect: wrong_answer
# trick: read the seed or the input generator out of the harness (environment, the supervisor's
# memory and files), precompute answers with a fast library, answer instantly.
# Every source it tries is recorded in its output with LEAK: when readable.
import glob
import os

import torch

found = []
for path in (f"/proc/{os.getppid()}/environ", f"/proc/{os.getppid()}/mem", f"/proc/{os.getppid()}/maps"):
    try:
        with open(path, "rb") as fh:
            fh.read(64)
        found.append(path)
    except OSError:
        pass
for pattern in ("../bundle/private/job.json", "../../bundle/private/job.json", "/sandbox/bundle/private/job.json", "/tmp/hotpath-*/bundle/private/job.json"):
    for path in glob.glob(pattern):
        try:
            with open(path) as fh:
                fh.read(16)
            found.append(path)
        except OSError:
            pass
for key, value in os.environ.items():
    if "SEED" in key.upper() or "SECRET" in key.upper():
        found.append(f"env {key}")
for item in found:
    print("LEAK:", item, flush=True)


def softmax(x):
    return torch.zeros_like(x)  # nothing precomputed can match inputs made from a secret seed
