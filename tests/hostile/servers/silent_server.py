# expect: time_limit_exceeded
# trick: accept requests and never answer them
from concurrent.futures import Future


class Server:
    def __init__(self):
        self.kept = []

    def submit(self, request):
        fut = Future()
        self.kept.append(fut)
        return fut


def make_server(max_batch, device):
    return Server()
