# expect: accepted
# flag: timing_mismatch
# trick: forge the reply instead of the clock: the worker's channel is patched so that every
# reply reports half the measured time ("t"), whatever clock produced it
import sys

import torch

_channel = sys.modules.get("graders.harness.shared.channel")
if _channel is not None:
    _send_raw = _channel.Channel.send_raw

    def _forged(self, header, items):
        if isinstance(header.get("t"), int):
            header = {**header, "t": header["t"] // 2}
        return _send_raw(self, header, items)

    _channel.Channel.send_raw = _forged


def softmax(x):
    for _ in range(12):
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        out = e / e.sum(dim=-1, keepdim=True)
    return out
