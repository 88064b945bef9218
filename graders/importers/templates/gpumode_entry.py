# ---- Hotpath adapter: keep this block. The grader calls hotpath_entry(**inputs): it rebuilds
# `data` as generate_input made it and returns custom_kernel(data) (a tuple or list of outputs
# is flattened into one tensor). ----
def hotpath_entry(*, layout, **items):
    import torch

    values = [items[f"arg_{i}"] for i in range(layout["count"])]
    if layout["kind"] == "single":
        data = values[0]
    elif layout["kind"] == "dict":
        data = dict(zip(layout["keys"], values))
    else:
        data = values if layout["kind"] == "list" else tuple(values)
    out = custom_kernel(data)  # noqa: F821 - defined above this block
    if isinstance(out, (tuple, list)):
        out = torch.cat([torch.as_tensor(t).reshape(-1) for t in out])
    return out if isinstance(out, torch.Tensor) else torch.as_tensor(out)
