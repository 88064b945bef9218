"""The baseline server: the starter's, in its own trusted worker (same contract)."""
import queue
import threading
from concurrent.futures import Future

import torch
import torch.nn.functional as F

from model import MEAN, STD, build_model

WINDOW_S = 0.002


class Server:
    def __init__(self, max_batch, device):
        self.max_batch = max_batch
        self.device = torch.device(device)
        self.models = {}
        self.inbox = queue.Queue()
        self.thread = threading.Thread(target=self._batcher, daemon=True)
        self.thread.start()

    def model(self, width, resolution):
        key = (width, resolution)
        if key not in self.models:
            self.models[key] = build_model(width, resolution).to(self.device)
        return self.models[key]

    def submit(self, request):
        future = Future()
        frame = request["frame"].cpu()  # back to the host (a sync on a GPU)
        x = frame.permute(2, 0, 1).unsqueeze(0).float() / 255.0  # float32 on the host: 4x the bytes
        x = F.interpolate(x, size=(request["resolution"],) * 2, mode="bilinear", align_corners=False, antialias=True)
        x = (x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]
        self.inbox.put((x, request["width"], request["resolution"], future))
        return future

    def _batcher(self):
        while True:
            item = self.inbox.get()
            if item is None:
                return
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
            for x, width, resolution, future in batch:  # one sample at a time
                with torch.no_grad():
                    logits = self.model(width, resolution)(x.to(self.device))  # pageable copy
                log_probs = torch.log_softmax(logits, dim=-1)[0]
                future.set_result(log_probs.cpu().to(self.device))  # a sync per request

    def close(self):
        self.inbox.put(None)
        self.thread.join(timeout=5)


def make_server(max_batch, device):
    return Server(max_batch, device)
