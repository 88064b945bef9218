# expect: not accepted
# trick: write forged "resp" frames for request ids it has not served yet straight onto the socket
import json
import socket
import struct

import torch


def _sock():
    for fd in range(3, 64):
        try:
            s = socket.socket(fileno=fd)
        except OSError:
            continue
        if s.family == socket.AF_UNIX:
            return s
        s.detach()
    return None


class Server:
    def __init__(self):
        self.sock = _sock()

    def submit(self, request):
        x = request["x"]
        fake = torch.full_like(x, 1.0 / x.shape[-1])
        blob = fake.contiguous().view(torch.uint8).numpy().tobytes()
        for rid in range(1, 50):
            header = {"op": "resp", "id": rid, "ok": True, "device": "cpu",
                      "tensors": [{"dtype": "float32", "shape": list(fake.shape), "nbytes": len(blob)}]}
            raw = json.dumps(header).encode()
            try:
                self.sock.sendall(struct.pack("!I", len(raw)) + raw + blob)
            except OSError:
                pass
        return fake


def make_server(max_batch, device):
    return Server()
