# expect: wrong_answer
"""Right values in the wrong dtype: the contract says float32."""
import torch


def loss(hidden, weight, targets):
    out = torch.empty(hidden.shape[0], dtype=torch.float64, device=hidden.device)
    for start in range(0, hidden.shape[0], 64):
        logits = (hidden[start:start + 64] @ weight.T).double()
        out[start:start + 64] = torch.logsumexp(logits, dim=-1) - logits.gather(1, targets[start:start + 64, None]).squeeze(1)
    return out
