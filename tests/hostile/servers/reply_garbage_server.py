# expect: rejected
# trick: self-inflicted platform error: patch the channel in the server's process so every
# response carries an unhashable id (a list) and the end-of-load message a tripwire dict: the
# load generator looks the id up in a dict, which would crash it
import graders.harness.shared.channel as _channel
import torch

_NAME = "send_raw" if hasattr(_channel.Channel, "send_raw") else "send"
_send = getattr(_channel.Channel, _NAME)


def _patched(self, header, tensors=()):
    header = dict(header)
    if header.get("op") == "resp":
        header["id"] = [header.get("id"), 0]
    if header.get("op") == "ended":
        header["tripwire"] = {"x": 1}
    return _send(self, header, tensors)


setattr(_channel.Channel, _NAME, _patched)


class Server:
    def submit(self, request):
        x = request["x"]
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        return e / e.sum(dim=-1, keepdim=True)


def make_server(max_batch, device):
    return Server()
