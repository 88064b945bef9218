# expect: runtime_error
# trick: self-inflicted platform error: patch Channel.send so every reply is a failure with a 900 KB error text and traceback
import graders.harness.shared.channel as _channel
import torch

# every reply leaves through send_raw where the channel has it (send calls it), else send
_NAME = "send_raw" if hasattr(_channel.Channel, "send_raw") else "send"
_send = getattr(_channel.Channel, _NAME)


def _patched(self, header, tensors=()):
    header = dict(header)
    header = {"ok": False, "error_type": "E" * 1000, "error": "x" * 450000, "traceback": "y" * 450000}
    return _send(self, header, tensors)


setattr(_channel.Channel, _NAME, _patched)


def softmax(x):
    return torch.full_like(x, 1.0 / x.shape[-1])  # wrong: were the supervisor to crash, a free retry
