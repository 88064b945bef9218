# expect: wrong_answer
"""Memoises the answer per frame shape: every later frame gets the first frame's classes."""
import torch
import torch.nn.functional as F

from model import MEAN, STD, build_model

_ANSWERS = {}


def predict(frame, resolution, width):
    key = (tuple(frame.shape), width, resolution)
    if key not in _ANSWERS:
        model = build_model(width, resolution).to(frame.device)
        x = frame.permute(2, 0, 1).unsqueeze(0).float() / 255.0
        x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=True)
        mean = torch.tensor(MEAN, device=frame.device)[:, None, None]
        std = torch.tensor(STD, device=frame.device)[:, None, None]
        with torch.no_grad():
            _ANSWERS[key] = torch.log_softmax(model((x - mean) / std), dim=-1)[0]
    return _ANSWERS[key].clone()
