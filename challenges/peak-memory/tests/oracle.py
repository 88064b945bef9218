"""Expected per-row cross-entropy, in float64 on the CPU and in chunks (it must not run out
of memory itself); TF32 is never used."""
import torch

ROWS = 256


def expected(*, hidden, weight, targets):
    on_gpu = hidden.is_cuda
    dtype = torch.float32 if on_gpu else torch.float64  # fp32 without TF32 on a GPU: ~1e-6 relative
    if on_gpu:
        torch.backends.cuda.matmul.allow_tf32 = False
    w = weight.to(dtype)
    out = torch.empty(hidden.shape[0], dtype=torch.float64, device=hidden.device)
    for start in range(0, hidden.shape[0], ROWS):
        h = hidden[start:start + ROWS].to(dtype)
        logits = h @ w.T
        picked = logits.gather(1, targets[start:start + ROWS, None]).squeeze(1)
        out[start:start + ROWS] = (torch.logsumexp(logits, dim=-1) - picked).to(torch.float64)
    return out


def check(*, out, expected, inputs, dtype, tolerance):
    """float32 losses of the right shape, within the relative L2 tolerance."""
    from graders.harness.compare import compare

    if out.dtype != torch.float32:
        return False, f"loss dtype {str(out.dtype).removeprefix('torch.')}, expected float32"
    return compare(out=out, expected=expected, metric="rel_l2", tolerance=tolerance)
