"""Reference: fewer, bigger launches; on a GPU, one graph replay per call.

Per layer the work is one `addmm` (matmul and bias), one `layer_norm` and one `gelu`,
and the residual add in place: 4 kernels instead of ~20. On a GPU the whole stack is
captured once per (shape, dtype) into a CUDA graph, so a call is a few input copies,
one replay and one output copy, whatever the number of layers.
"""
import torch
import torch.nn.functional as F

EPS = 1e-5
_GRAPHS: dict = {}


def _fused(x, weight, bias, gamma, beta):
    x = x.clone()
    d = x.shape[-1]
    for layer in range(weight.shape[0]):
        h = torch.addmm(bias[layer], x, weight[layer])
        h = F.layer_norm(h, (d,), gamma[layer], beta[layer], EPS)
        x.add_(F.gelu(h, approximate="tanh"))
    return x


class _Captured:
    """Static input buffers, one captured graph, and the static output it writes."""

    def __init__(self, args):
        self.static_in = [a.clone() for a in args]
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(2):  # warm up kernels and allocator outside the capture
                _fused(*self.static_in)
        torch.cuda.current_stream().wait_stream(stream)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.static_out = _fused(*self.static_in)

    def __call__(self, args):
        for dst, src in zip(self.static_in, args):
            dst.copy_(src, non_blocking=True)
        self.graph.replay()
        # The next replay overwrites static_out; the caller keeps its own copy.
        return self.static_out.clone()


def forward(x, weight, bias, gamma, beta):
    args = (x, weight, bias, gamma, beta)
    if not x.is_cuda:
        with torch.inference_mode():
            return _fused(*args)
    key = tuple((tuple(a.shape), a.dtype, a.device) for a in args)
    captured = _GRAPHS.get(key)
    if captured is None:
        captured = _GRAPHS[key] = _Captured(args)
    return captured(args)
