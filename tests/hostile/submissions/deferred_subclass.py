# expect: rejected
# trick: deferred work: the timed call returns a torch.Tensor subclass at once; its values are
# computed only when the harness touches it (__torch_function__ runs the softmax on detach,
# clone, contiguous, numpy, ...), so the in-process timer sees nothing
import torch


class Lazy(torch.Tensor):
    @staticmethod
    def __new__(cls, x):
        out = torch.Tensor._make_subclass(cls, torch.empty_like(x))
        out._source = x
        return out

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        args = [a._materialise() if isinstance(a, Lazy) else a for a in args]
        with torch._C.DisableTorchFunctionSubclass():
            return func(*args, **kwargs)

    def _materialise(self):
        with torch._C.DisableTorchFunctionSubclass():
            x = self._source
            e = torch.exp(x - x.amax(dim=-1, keepdim=True))
            return e / e.sum(dim=-1, keepdim=True)


def softmax(x):
    return Lazy(x)
