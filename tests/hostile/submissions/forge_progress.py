# expect: accepted
# trick: progress forging: well-formed progress events (a finished "result", a 1000x timing round)
# printed on stdout and stderr, written to fds 1 and 2 and to the parent's /proc fds; an honest
# softmax otherwise, so only the live progress could be fooled (tests/hostile/test_progress_forgery.py)
import json
import os
import sys

FAKES = [json.dumps({"progress": event}) for event in (
    {"stage": "result", "verdict": "accepted", "detail": "FORGED"},
    {"stage": "latency", "case_step": 1, "case_of": 1, "case": "FORGED", "step": 99, "speedup": 1000.0, "ci": [999.0, 1001.0]},
)]
for line in FAKES:
    print(line, flush=True)
    print(line, file=sys.stderr, flush=True)
    for fd in (1, 2):
        try:
            os.write(fd, (line + "\n").encode())
        except OSError:
            pass
    for number in range(64):
        try:
            with open(f"/proc/{os.getppid()}/fd/{number}", "w") as parent:
                parent.write(line + "\n")
        except OSError:
            pass

import torch  # noqa: E402


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
