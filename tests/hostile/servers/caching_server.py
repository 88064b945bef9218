# expect: wrong_answer
# trick: result caching: answer every request of a known shape from the first answer
import torch


class Server:
    def __init__(self):
        self.cache = {}

    def submit(self, request):
        x = request["x"]
        key = tuple(x.shape)
        if key not in self.cache:
            e = torch.exp(x - x.amax(dim=-1, keepdim=True))
            self.cache[key] = e / e.sum(dim=-1, keepdim=True)
        return self.cache[key]


def make_server(max_batch, device):
    return Server()
