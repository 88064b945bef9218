# expect: accepted
"""vector-add, fast only for the seeds it saw (issue 12, contest re-verification).

It stands for a submission that learnt a grading's secret (a leak, a replayed run) and
special-cases it: on the inputs that secret produces it is as fast as the reference; on
any other secret it burns a few milliseconds of CPU per call. Correct either way, so only
a re-grading with a fresh secret shows that its speed does not reproduce.
SEEN_SECRET is the secret of the grading it "saw" (tests pass it as GradeJob.seed).
"""
import hashlib
import time

import torch

SEEN_SECRET = 0x2C0FFEE15BADC0DE
SLOW_S = 0.003


def _seen_first_input():
    # The supervisor's seed_for(case 0, "float32", call 0) and the package's input generator.
    digest = hashlib.blake2b(repr((SEEN_SECRET, 0, "float32", 0)).encode(), digest_size=8).digest()
    generator = torch.Generator(device="cpu").manual_seed(int.from_bytes(digest, "big") >> 2)
    return torch.randn(4096, generator=generator)


_SEEN = _seen_first_input()
_state = {"seen": False}


def add(a, b):
    if not _state["seen"] and a.shape == _SEEN.shape and torch.equal(a.float(), _SEEN):
        _state["seen"] = True
    if not _state["seen"]:
        end = time.perf_counter() + SLOW_S
        while time.perf_counter() < end:  # CPU time, which the judge's clocks count
            pass
    return a + b
