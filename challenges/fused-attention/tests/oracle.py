"""The expected output, in float64, written out by hand (no SDPA, nothing the candidate can patch:
this runs in the supervisor, which never loads candidate code)."""
import math

import torch


def expected(*, q, k, v, causal=False):
    q, k, v = (t.to(torch.float64) for t in (q, k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        s = q.shape[-2]
        mask = torch.ones(s, s, dtype=torch.bool, device=q.device).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
