# expect: wrong_answer
"""Batches correctly, then hands every future the first row of the batch."""
import queue
import threading
from concurrent.futures import Future

import torch
import torch.nn.functional as F

from model import MEAN, STD, build_model


class Server:
    def __init__(self, max_batch, device):
        self.max_batch, self.device, self.models = max_batch, torch.device(device), {}
        self.inbox = queue.Queue()
        threading.Thread(target=self._batcher, daemon=True).start()

    def submit(self, request):
        future = Future()
        self.inbox.put((request, future))
        return future

    def _batcher(self):
        while True:
            batch = [self.inbox.get()]
            while len(batch) < self.max_batch and not self.inbox.empty():
                batch.append(self.inbox.get())
            request = batch[0][0]
            key = (request["width"], request["resolution"])
            if key not in self.models:
                self.models[key] = build_model(*key).to(self.device)
            frames = torch.stack([r["frame"] for r, _ in batch if r["frame"].shape == request["frame"].shape]).permute(0, 3, 1, 2).float() / 255
            x = F.interpolate(frames, size=(key[1],) * 2, mode="bilinear", align_corners=False, antialias=True)
            x = (x - torch.tensor(MEAN, device=self.device)[:, None, None]) / torch.tensor(STD, device=self.device)[:, None, None]
            with torch.no_grad():
                out = torch.log_softmax(self.models[key](x), dim=-1)
            for _, future in batch:
                future.set_result(out[0].clone())


def make_server(max_batch, device):
    return Server(max_batch, device)
