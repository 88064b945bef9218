# expect: wrong_answer
# trick: shape special-casing: correct only for the published request shape
import torch


class Server:
    def submit(self, request):
        x = request["x"]
        if x.shape[-1] != 64:
            return torch.zeros_like(x)
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        return e / e.sum(dim=-1, keepdim=True)


def make_server(max_batch, device):
    return Server()
