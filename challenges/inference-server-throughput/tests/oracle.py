"""The expected log-probabilities: the statement's pipeline in float64, on the grading device,
with the grader's own copy of the model. The check compares log-probabilities and top-1."""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the grader's own model.py
from model import MEAN, STD, build_model  # noqa: E402

TOP1_MARGIN = 0.1  # below this top-1/top-2 gap (in log-probability) either label is accepted
_MODELS: dict = {}


def expected(*, frame, resolution, width):
    key = (width, resolution, frame.device)
    if key not in _MODELS:
        _MODELS[key] = build_model(width, resolution).to(device=frame.device, dtype=torch.float64).requires_grad_(False)
    x = frame.permute(2, 0, 1).unsqueeze(0).to(torch.float64) / 255.0
    x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=True)
    mean = torch.tensor(MEAN, dtype=torch.float64, device=frame.device)[:, None, None]
    std = torch.tensor(STD, dtype=torch.float64, device=frame.device)[:, None, None]
    logits = _MODELS[key]((x - mean) / std)
    return torch.log_softmax(logits, dim=-1)[0]


def check(*, out, expected, inputs, dtype, tolerance):
    from graders.harness.compare import compare

    if out.dtype != torch.float32:
        return False, f"log-probabilities in {str(out.dtype).removeprefix('torch.')}, expected float32"
    ok, detail = compare(out=out, expected=expected, metric="rel_l2", tolerance=tolerance)
    if not ok:
        return False, f"log-probabilities: {detail}"
    top2 = expected.topk(2)
    margin = float(top2.values[0] - top2.values[1])
    got = int(out.detach().to("cpu").argmax())
    want = int(top2.indices[0])
    if margin > TOP1_MARGIN and got != want:
        return False, f"top-1 class {got}, expected {want} (the reference's margin is {margin:.3f})"
    return True, detail
