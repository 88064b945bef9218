"""Hidden inputs for fused-attention. Never served to candidates.

Queries are scaled so that attention is peaked (logit std about 2.5), as in trained
models: near-uniform attention would let `v.mean()` pass a loose tolerance.
"""
import torch

QUERY_SCALE = 2.5


def cases(*, shapes, hidden_shapes, params):
    out = []
    for shape in shapes:
        for causal in (False, True):
            out.append({"shape": shape, "causal": causal})
    for shape in hidden_shapes:
        for causal in (False, True):
            out.append({"shape": shape, "causal": causal, "hidden": True})
    return out


def make_inputs(case, *, dtype, device, generator):
    shape = case["shape"]
    q = torch.randn(shape, generator=generator, dtype=torch.float32) * QUERY_SCALE
    k = torch.randn(shape, generator=generator, dtype=torch.float32)
    v = torch.randn(shape, generator=generator, dtype=torch.float32)
    return {
        "q": q.to(device=device, dtype=dtype),
        "k": k.to(device=device, dtype=dtype),
        "v": v.to(device=device, dtype=dtype),
        "causal": case["causal"],
    }
