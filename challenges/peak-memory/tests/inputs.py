"""Hidden inputs for peak-memory: hidden states, an output projection, target ids.

The weights are scaled so logits have a standard deviation of about 3, as in a trained
language model head: the loss then depends on the largest logits, not on their average.
"""
import torch

LOGIT_STD = 3.0


def cases(*, shapes, hidden_shapes, params):
    # The first case is the one the peak_memory step measures: keep the large shape first.
    out = [{"shape": s} for s in shapes]
    out += [{"shape": s, "hidden": True} for s in hidden_shapes]
    return out


def make_inputs(case, *, dtype, device, generator):
    n, vocab, dim = case["shape"]
    hidden = torch.randn(n, dim, generator=generator)
    weight = torch.randn(vocab, dim, generator=generator) * (LOGIT_STD / dim**0.5)
    targets = torch.randint(0, vocab, (n,), generator=generator)
    return {"hidden": hidden.to(device=device, dtype=dtype), "weight": weight.to(device=device, dtype=dtype), "targets": targets.to(device)}
