"""Starter: the naive single-image pipeline. Correct, and slow on a GPU.

The frame goes back to the host, is resized there in float32, copied to the device
from pageable memory, run through the fp32 eager model, and the result makes one more
round trip to the host for the softmax.
"""
import torch
import torch.nn.functional as F

from model import MEAN, STD, build_model

_MODELS = {}


def get_model(width, resolution, device):
    key = (width, resolution, str(device))
    if key not in _MODELS:
        _MODELS[key] = build_model(width, resolution).to(device)
    return _MODELS[key]


def predict(frame, resolution, width):
    model = get_model(width, resolution, frame.device)
    x = frame.cpu().permute(2, 0, 1).unsqueeze(0).float() / 255.0
    x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=True)
    x = (x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]
    with torch.no_grad():
        logits = model(x.to(frame.device))
    log_probs = torch.log_softmax(logits.cpu(), dim=-1)[0]
    return log_probs.to(frame.device)
