# expect: rejected
# trick: deferred work: the call returns a placeholder and leaves a torch dispatch mode active;
# the mode computes the real answer when the harness first copies the output
import torch
from torch.utils._python_dispatch import TorchDispatchMode

_pending = {}


class FinishLater(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        for arg in args:
            if isinstance(arg, torch.Tensor) and id(arg) in _pending:
                x = _pending.pop(id(arg))
                e = torch.exp(x - x.amax(dim=-1, keepdim=True))
                arg.copy_(e / e.sum(dim=-1, keepdim=True))
        return func(*args, **kwargs)


_mode = FinishLater()


def softmax(x):
    out = torch.empty_like(x)
    _pending[id(out)] = x
    _mode.__enter__()  # never left: the harness's own copy runs inside it
    return out
