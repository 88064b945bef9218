# expect: runtime_error
# trick: self-inflicted platform error: send the first half of a reply frame (its length and half
# its header) on the harness socket, then exit at once
import json
import os
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
            return fd, s
        s.detach()
    return None, None


def softmax(x):
    fd, s = _channel_sock()
    if s is not None:
        raw = json.dumps({"ok": True, "outputs": [{"type": "tensor", "device": "cpu"}], "inputs_after": 0, "tripwire": [], "tensors": []}).encode()
        s.sendall(struct.pack("!I", len(raw)) + raw[: len(raw) // 2])
    os._exit(0)
