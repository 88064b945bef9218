"""Reference: one batched pass per batch, everything on the device, one sync per batch.

- `submit` only enqueues: the frame stays where it arrived (on the GPU in GPU runs).
- The batcher groups requests by frame shape and model config, stacks the frames and
  does one resize (uint8 on the CPU, where it has a fast path; float on the GPU), one
  normalisation, one forward pass of a BatchNorm-folded model (float16 channels_last on
  a GPU), one log-softmax; each future gets its row.
- It waits for more requests only while the batch is not full (2 ms at most).
"""
import queue
import threading
from concurrent.futures import Future

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from model import MEAN, STD, Bottleneck, build_model

WINDOW_S = 0.002


def folded_model(width, resolution):
    model = build_model(width, resolution)
    model.conv1, model.bn1 = fuse_conv_bn_eval(model.conv1, model.bn1), nn.Identity()
    for block in model.modules():
        if isinstance(block, Bottleneck):
            for conv, bn in (("conv1", "bn1"), ("conv2", "bn2"), ("conv3", "bn3")):
                setattr(block, conv, fuse_conv_bn_eval(getattr(block, conv), getattr(block, bn)))
                setattr(block, bn, nn.Identity())
            if block.downsample is not None:
                block.downsample = fuse_conv_bn_eval(block.downsample[0], block.downsample[1])
    return model.eval()


class Server:
    def __init__(self, max_batch, device):
        self.max_batch = max_batch
        self.device = torch.device(device)
        self.half = self.device.type == "cuda"
        self.models = {}
        self.mean = torch.tensor(MEAN, device=self.device)[:, None, None]
        self.std = torch.tensor(STD, device=self.device)[:, None, None]
        self.inbox = queue.Queue()
        self.thread = threading.Thread(target=self._batcher, daemon=True)
        self.thread.start()

    def model(self, width, resolution):
        key = (width, resolution)
        if key not in self.models:
            model = folded_model(width, resolution).to(self.device)
            if self.half:
                model = model.to(dtype=torch.float16, memory_format=torch.channels_last)
            self.models[key] = model
        return self.models[key]

    def submit(self, request):
        future = Future()
        self.inbox.put((request, future))
        return future

    def _collect(self):
        item = self.inbox.get()
        if item is None:
            return None
        batch = [item]
        try:
            while len(batch) < self.max_batch:
                nxt = self.inbox.get(timeout=WINDOW_S)
                if nxt is None:
                    self.inbox.put(None)
                    break
                batch.append(nxt)
        except queue.Empty:
            pass
        return batch

    def _batcher(self):
        while (batch := self._collect()) is not None:
            groups = {}
            for request, future in batch:
                key = (tuple(request["frame"].shape), request["width"], request["resolution"])
                groups.setdefault(key, []).append((request, future))
            for (_, width, resolution), items in groups.items():
                try:
                    rows = self._run(items, width, resolution)
                except BaseException as exc:  # noqa: BLE001 - fail the requests, keep serving
                    for _, future in items:
                        future.set_exception(exc)
                    continue
                for (_, future), row in zip(items, rows):
                    future.set_result(row)

    @torch.no_grad()
    def _run(self, items, width, resolution):
        frames = torch.stack([request["frame"] for request, _ in items]).permute(0, 3, 1, 2)
        if self.half:
            x = F.interpolate(frames.float().div_(255.0), size=(resolution,) * 2, mode="bilinear", align_corners=False, antialias=True)
        else:  # uint8 has a vectorised antialiased path on the CPU
            x = F.interpolate(frames.contiguous(memory_format=torch.channels_last), size=(resolution,) * 2, mode="bilinear", align_corners=False, antialias=True).float().div_(255.0)
        x = x.sub_(self.mean).div_(self.std)
        if self.half:
            x = x.to(torch.float16).contiguous(memory_format=torch.channels_last)
        log_probs = torch.log_softmax(self.model(width, resolution)(x).float(), dim=-1)
        return [row.clone() for row in log_probs]

    def close(self):
        self.inbox.put(None)
        self.thread.join(timeout=5)


def make_server(max_batch, device):
    return Server(max_batch, device)
