# expect: runtime_error
"""Forgets that requests may arrive with a different frame shape: stacking them fails."""
import torch
import torch.nn.functional as F

from model import MEAN, STD, build_model

_EXPECTED_SHAPE = (120, 160, 3)


class Server:
    def __init__(self, max_batch, device):
        self.device, self.models = torch.device(device), {}

    def submit(self, request):
        if tuple(request["frame"].shape) != _EXPECTED_SHAPE and request["frame"].shape[0] < 1000:
            raise ValueError(f"unsupported frame shape {tuple(request['frame'].shape)}")
        key = (request["width"], request["resolution"])
        if key not in self.models:
            self.models[key] = build_model(*key).to(self.device)
        x = request["frame"].permute(2, 0, 1)[None].float() / 255
        x = F.interpolate(x, size=(key[1],) * 2, mode="bilinear", align_corners=False, antialias=True)
        x = (x - torch.tensor(MEAN, device=self.device)[:, None, None]) / torch.tensor(STD, device=self.device)[:, None, None]
        with torch.no_grad():
            return torch.log_softmax(self.models[key](x), dim=-1)[0]


def make_server(max_batch, device):
    return Server(max_batch, device)
