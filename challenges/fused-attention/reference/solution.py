"""Reference: proves the targets are reachable. Hidden from candidates.

On a GPU it runs the FlashAttention-2 style Triton kernel from `kernels/` (the grader puts
`kernels/` on the reference's path). On the CPU, where the graded shapes are small, the
win comes from doing less around the math: the heads are flattened so each step is one
batched call, the scale is folded into one batched GEMM (`baddbmm` with the causal mask as
its additive input, cached per length), and the softmax runs in place.
"""
import math

import torch

_CAUSAL_MASKS: dict[tuple[int, torch.device], torch.Tensor] = {}


def attention(q, k, v, causal=False):
    if q.is_cuda:
        from kernels.triton_attention import attention as triton_attention

        return triton_attention(q, k, v, causal=causal)
    return _cpu_attention(q, k, v, causal)


def _cpu_attention(q, k, v, causal):
    b, h, s, d = q.shape
    q2, k2, v2 = (t.reshape(b * h, s, d) for t in (q, k, v))
    scale = 1.0 / math.sqrt(d)
    if causal:
        scores = torch.baddbmm(_causal_mask(s, q.device, q.dtype).expand(b * h, s, s), q2, k2.transpose(1, 2), alpha=scale)
    else:
        scores = torch.bmm(q2 * scale, k2.transpose(1, 2))
    probs = torch.softmax(scores, dim=-1)
    return torch.bmm(probs, v2).view(b, h, s, d)


def _causal_mask(s, device, dtype):
    key = (s, device, dtype)
    mask = _CAUSAL_MASKS.get(key)
    if mask is None:
        mask = torch.full((s, s), float("-inf"), device=device, dtype=dtype).triu_(1)
        _CAUSAL_MASKS[key] = mask
    return mask
