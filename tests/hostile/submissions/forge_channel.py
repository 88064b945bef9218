# expect: wrong_answer
# trick: write a forged "ok" answer (uniform output, nothing computed) straight onto the harness's
# socket, in the channel's own framing, ahead of the real answer
import json
import socket
import struct

import torch


def _channel_sock():
    for fd in range(3, 64):
        try:
            s = socket.socket(fileno=fd)
        except OSError:
            continue
        if s.family == socket.AF_UNIX:
            return s
        s.detach()
    return None


SOCK = _channel_sock()


def softmax(x):
    fake = torch.full_like(x, 1.0 / x.shape[-1]).contiguous()
    blob = fake.view(torch.uint8).numpy().tobytes()
    header = {"ok": True, "outputs": [{"type": "tensor", "device": "cpu"}], "inputs_after": 0, "tripwire": [],
              "t": 1, "times_ns": [1], "tensors": [{"dtype": "float32", "shape": list(fake.shape), "nbytes": len(blob)}]}
    raw = json.dumps(header).encode()
    if SOCK is not None:
        SOCK.sendall(struct.pack("!I", len(raw)) + raw + blob)
    return fake
