# expect: wrong_answer
"""Chunks correctly, but reads the target's logit after the in-place exp overwrote it."""
import torch


def loss(hidden, weight, targets):
    out = torch.empty(hidden.shape[0], dtype=torch.float32, device=hidden.device)
    for start in range(0, hidden.shape[0], 64):
        logits = (hidden[start:start + 64] @ weight.T).float()
        m = logits.amax(dim=-1, keepdim=True)
        lse = logits.sub_(m).exp_().sum(dim=-1).log_() + m.squeeze(1)
        out[start:start + 64] = lse - logits.gather(1, targets[start:start + 64, None]).squeeze(1)
    return out
