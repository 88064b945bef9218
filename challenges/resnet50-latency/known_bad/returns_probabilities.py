# expect: wrong_answer
"""Returns probabilities, not log-probabilities: a misread of the contract."""
import torch
import torch.nn.functional as F

from model import MEAN, STD, build_model

_MODELS = {}


def predict(frame, resolution, width):
    key = (width, resolution, str(frame.device))
    if key not in _MODELS:
        _MODELS[key] = build_model(width, resolution).to(frame.device)
    x = frame.permute(2, 0, 1).unsqueeze(0).float() / 255.0
    x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=True)
    mean = torch.tensor(MEAN, device=frame.device)[:, None, None]
    std = torch.tensor(STD, device=frame.device)[:, None, None]
    with torch.no_grad():
        return torch.softmax(_MODELS[key]((x - mean) / std), dim=-1)[0]
