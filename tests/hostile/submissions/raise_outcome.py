# expect: runtime_error
# trick: self-inflicted platform error: raise an exception class named like the harness's own
# `Outcome`, with verdict "accepted" (and one named `RuntimeError` on the second shape), hoping the
# supervisor treats the name as its own
import torch

_calls = [0]


class Outcome(Exception):
    verdict = "accepted"
    message = "all good"

    def __init__(self, *args):
        super().__init__("accepted", "all good")
        self.verdict = "accepted"


class RuntimeError(Exception):  # noqa: A001 - the trick
    pass


def softmax(x):
    _calls[0] += 1
    raise (Outcome if _calls[0] % 2 else RuntimeError)("internal_error: harness failure: KeyError")
