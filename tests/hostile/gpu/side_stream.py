# expect: accepted
# speedup_vs_honest_at_most: 1.25
# trick: launch the work on a side stream and return at once, so a timer on the default stream
# sees nothing (caught: every timer is closed by a device-wide synchronize; graph capture of
# unjoined side-stream work fails, so both sides are timed eagerly)
import torch

_side = None


def softmax(x):
    global _side
    if _side is None:
        _side = torch.cuda.Stream()
    _side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(_side):
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        out = e / e.sum(dim=-1, keepdim=True)
    out.record_stream(_side)
    return out
