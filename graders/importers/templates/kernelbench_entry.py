# ---- Hotpath adapter: keep this block. The grader calls hotpath_entry(**inputs): it builds
# ModelNew(*init_inputs) once per case (after setting the case's size constants), drawing parameters after torch.manual_seed(init_seed) as the
# reference Model does, and returns forward(input_0, input_1, ...) (several outputs are
# flattened into one tensor). ----
_hotpath_models = {}


def hotpath_entry(*, init_inputs, init_seed, constants=None, **inputs):
    import json

    import torch

    for name, value in (constants or {}).items():  # the case's sizes, as the problem's module constants
        globals()[name] = tuple(value) if isinstance(value, list) else value
    args = [inputs[f"input_{i}"] for i in range(len(inputs))]
    first = next((a for a in args if isinstance(a, torch.Tensor) and a.is_floating_point()), None)
    device = first.device if first is not None else torch.device("cpu")
    dtype = first.dtype if first is not None else torch.float32
    key = (json.dumps(init_inputs), init_seed, str(device), dtype, json.dumps(constants, sort_keys=True))
    if key not in _hotpath_models:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(init_seed)
            model = ModelNew(*init_inputs)  # noqa: F821 - defined above this block
        _hotpath_models[key] = model.to(device=device, dtype=dtype)
    with torch.no_grad():
        out = _hotpath_models[key](*args)
    if isinstance(out, (tuple, list)):
        out = torch.cat([torch.as_tensor(t).reshape(-1) for t in out])
    return out if isinstance(out, torch.Tensor) else torch.as_tensor(out)
