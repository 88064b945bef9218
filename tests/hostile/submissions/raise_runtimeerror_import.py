# expect: runtime_error
# trick: self-inflicted platform error: at import, raise an exception whose type is named
# `RuntimeError` (a class of its own) with a message that reads like the harness failing
class RuntimeError(Exception):  # noqa: A001 - the trick
    pass


raise RuntimeError("baseline worker failed: harness failure: KeyError 'ok'")


def softmax(x):
    return x
