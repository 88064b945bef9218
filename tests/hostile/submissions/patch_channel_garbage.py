# expect: rejected
# trick: self-inflicted platform error: patch Channel.send so every reply is a well-sized frame
# whose header is not JSON (then one whose length is over the cap)
import struct

import graders.harness.shared.channel as _channel
import torch

_calls = [0]


def _patched(self, header, tensors=()):
    _calls[0] += 1
    if _calls[0] % 2:
        junk = b"\xff\xfe not json {{{"
        self.sock.sendall(struct.pack("!I", len(junk)) + junk)
    else:
        self.sock.sendall(struct.pack("!I", 0xFFFFFFF0) + b"\0" * 16)


_channel.Channel.send = _patched
_channel.Channel.send_raw = _patched


def softmax(x):
    return torch.full_like(x, 1.0 / x.shape[-1])
