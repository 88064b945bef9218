# expect: not accepted
# trick: self-inflicted platform error: write random bytes straight onto the harness socket's fd
# (no framing at all), then answer normally
import os
import socket

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
    if fd is not None:
        os.write(fd, os.urandom(4096))
    return torch.full_like(x, 1.0 / x.shape[-1])
