# expect: wrong_answer
# trick: answer fast with something that is not the result (the input itself)
class Server:
    def submit(self, request):
        return request["x"].clone()


def make_server(max_batch, device):
    return Server()
