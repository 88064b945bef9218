"""Hidden variants for micro-benchmark: which workloads the candidate's benchmark measures,
and their sizes, drawn from the secret seed (so no figure can be known in advance).

The workloads themselves are built in the worker processes by the `benchmark` grader's
library (graders/harness/steps/benchmark.py); a case names one and its size range.
"""
import torch


def cases(*, shapes, hidden_shapes, params):
    return [{"name": f"{v['variant']} {v['min']}-{v['max']}", "variant": v["variant"], "min": v["min"], "max": v["max"]} for v in params["variants"]]


def make_inputs(case, *, dtype, device, generator):
    size = int(torch.randint(case["min"], case["max"] + 1, (1,), generator=generator))
    return {"variant": case["variant"], "size": size}


def expected(*, variant, size):
    """The nominal work of one call, reported beside the figures (FLOPs or elements)."""
    work = {"matmul": 2 * size**3, "lazy_init": 2 * size**3, "elementwise": size, "allocating": size}
    return {"variant": variant, "work": work[variant]}
