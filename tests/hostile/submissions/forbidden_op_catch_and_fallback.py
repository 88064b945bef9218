# expect: rejected
# trick: calls the forbidden kernel (name built at run time), swallows the block's exception and falls back to an honest answer, hoping the hit goes unnoticed
import torch

_NAME = "soft" + "max"


def softmax(x):
    try:
        return getattr(torch, _NAME)(x, dim=-1)
    except Exception:  # noqa: BLE001
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        return e / e.sum(dim=-1, keepdim=True)
