"""Hidden inputs for launch-overhead: a small residual MLP stack with fresh weights per call."""
import torch


def cases(*, shapes, hidden_shapes, params):
    layers = int(params.get("layers", 12))
    out = [{"shape": s, "layers": layers} for s in shapes]
    out += [{"shape": s, "layers": layers, "hidden": True} for s in hidden_shapes]
    out.append({"shape": shapes[0], "layers": 1, "hidden": True})
    return out


def make_inputs(case, *, dtype, device, generator):
    n, d = case["shape"]
    layers = case["layers"]
    x = torch.randn(n, d, generator=generator)
    weight = torch.randn(layers, d, d, generator=generator) / d**0.5
    bias = torch.randn(layers, d, generator=generator) * 0.1
    gamma = 1.0 + 0.1 * torch.randn(layers, d, generator=generator)
    beta = 0.1 * torch.randn(layers, d, generator=generator)
    return {name: t.to(device=device, dtype=dtype) for name, t in
            {"x": x, "weight": weight, "bias": bias, "gamma": gamma, "beta": beta}.items()}
