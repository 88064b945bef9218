# expect: rejected
# trick: self-inflicted platform error: patch Channel.send so tripwire is a dict, not a list of names
import graders.harness.shared.channel as _channel
import torch

# every reply leaves through send_raw where the channel has it (send calls it), else send
_NAME = "send_raw" if hasattr(_channel.Channel, "send_raw") else "send"
_send = getattr(_channel.Channel, _NAME)


def _patched(self, header, tensors=()):
    header = dict(header)
    header["tripwire"] = {"torch.softmax": 1}
    return _send(self, header, tensors)


setattr(_channel.Channel, _NAME, _patched)


def softmax(x):
    return torch.full_like(x, 1.0 / x.shape[-1])  # wrong: were the supervisor to crash, a free retry
