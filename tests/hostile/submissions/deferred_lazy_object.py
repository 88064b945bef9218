# expect: rejected
# trick: deferred work: the call returns a lazy object that computes the answer when the
# harness converts it (__array__, numpy, __reduce__, detach, clone, to, contiguous)
import torch


def _compute(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


class Deferred:
    def __init__(self, x):
        self._x = x

    def _value(self):
        return _compute(self._x)

    def __array__(self, *args, **kwargs):
        return self._value().numpy()

    def numpy(self):
        return self._value().numpy()

    def __reduce__(self):
        return (torch.tensor, (self._value().tolist(),))

    def __getattr__(self, name):
        return getattr(self._value(), name)


def softmax(x):
    return Deferred(x)
