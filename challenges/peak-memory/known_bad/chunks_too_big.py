# expect: memory_limit_exceeded
"""Chunks, but by 512 rows: at the graded shape that is the whole matrix again."""
import torch


def loss(hidden, weight, targets):
    out = torch.empty(hidden.shape[0], dtype=torch.float32, device=hidden.device)
    for start in range(0, hidden.shape[0], 512):
        logits = (hidden[start:start + 512] @ weight.T).float()
        picked = logits.gather(1, targets[start:start + 512, None]).squeeze(1)
        out[start:start + 512] = torch.logsumexp(logits, dim=-1) - picked
    return out
