"""The timed baseline: the starter's naive pipeline, in its own trusted worker."""
import torch
import torch.nn.functional as F

from model import MEAN, STD, build_model

_MODELS = {}


def get_model(width, resolution, device):
    key = (width, resolution, str(device))
    if key not in _MODELS:
        _MODELS[key] = build_model(width, resolution).to(device)
    return _MODELS[key]


def baseline(*, frame, resolution, width):
    model = get_model(width, resolution, frame.device)
    x = frame.cpu().permute(2, 0, 1).unsqueeze(0).float() / 255.0
    x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", align_corners=False, antialias=True)
    x = (x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]
    with torch.no_grad():
        logits = model(x.to(frame.device))
    log_probs = torch.log_softmax(logits.cpu(), dim=-1)[0]
    return log_probs.to(frame.device)
