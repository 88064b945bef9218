"""Hidden requests for inference-server-throughput: one camera frame each (uint8, [H, W, 3], RGB),
plus the model configuration (`resolution`, `width`) of the device table.

Frames are smooth random scenes plus sensor noise, so that different frames give clearly
different predictions (white noise would average out to grey in the resize, and every
frame would look the same to the model).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import smooth_images  # noqa: E402


def cases(*, shapes, hidden_shapes, params):
    common = {"resolution": int(params["resolution"]), "width": int(params["width"])}
    out = [{"shape": s, **common} for s in shapes]
    out += [{"shape": s, "hidden": True, **common} for s in hidden_shapes]
    return out


def make_inputs(case, *, dtype, device, generator):
    height, width, _ = case["shape"]
    scene = smooth_images(1, height, width, generator)[0]
    frame = (scene * 255).round().to(torch.uint8).permute(1, 2, 0).contiguous()
    return {"frame": frame.to(device), "resolution": case["resolution"], "width": case["width"]}
