# expect: runtime_error
# trick: self-inflicted platform error: close the worker's end of the harness socket (its fd)
# in the middle of the call, so the supervisor's next read finds the channel gone
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
    if s is not None:
        s.detach()
        os.close(fd)
    return torch.full_like(x, 1.0 / x.shape[-1])
