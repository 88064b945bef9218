# expect: rejected
# trick: self-inflicted platform error: patch Channel.send so a reply's mode is a dict
import graders.harness.shared.channel as _channel
import torch

# every reply leaves through send_raw where the channel has it (send calls it), else send
_NAME = "send_raw" if hasattr(_channel.Channel, "send_raw") else "send"
_send = getattr(_channel.Channel, _NAME)


def _patched(self, header, tensors=()):
    header = dict(header)
    if "mode" in header:
        header["mode"] = {"graph": True}
    return _send(self, header, tensors)


setattr(_channel.Channel, _NAME, _patched)


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))  # correct: the trick is in the timed replies
    return e / e.sum(dim=-1, keepdim=True)
