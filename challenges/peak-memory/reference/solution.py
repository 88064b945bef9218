"""Reference: never holds more than one block of logits.

Rows are processed in blocks sized to a fixed logit budget (about 2 MiB of float32 per
block); within a block the picked logit is read before the block is turned, in place,
into exp(logit - rowmax) for the log-sum-exp. Peak memory is one block plus the output,
whatever N is.
"""
import torch

BLOCK_BYTES = 2 << 20


def loss(hidden, weight, targets):
    n, vocab = hidden.shape[0], weight.shape[0]
    rows = max(1, min(n, BLOCK_BYTES // (4 * vocab)))
    out = torch.empty(n, dtype=torch.float32, device=hidden.device)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        logits = (hidden[start:stop] @ weight.T).float()
        picked = logits.gather(1, targets[start:stop, None]).squeeze(1)
        row_max = logits.amax(dim=-1, keepdim=True)
        total = logits.sub_(row_max).exp_().sum(dim=-1)
        out[start:stop] = total.log_().add_(row_max.squeeze(1)).sub_(picked)
    return out
