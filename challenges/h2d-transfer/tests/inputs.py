"""Hidden inputs for h2d-transfer: the device-side parameters and which host chunks to read."""
import torch


def cases(*, shapes, hidden_shapes, params):
    out = [{"shape": s} for s in shapes]
    out += [{"shape": s, "hidden": True} for s in hidden_shapes]
    return out


def make_inputs(case, *, dtype, device, generator):
    n_chunks, rows, features, out_features = case["shape"]
    weight = torch.randn(features, out_features, generator=generator) / features**0.5
    mean = 0.5 + 0.05 * torch.randn(features, generator=generator)
    std = 0.25 + 0.05 * torch.rand(features, generator=generator)
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
    return {
        "weight": weight.to(device=device, dtype=dtype),
        "mean": mean.to(device=device, dtype=dtype),
        "std": std.to(device=device, dtype=dtype),
        "seed": seed,
        "n_chunks": n_chunks,
        "rows": rows,
    }
