# expect: runtime_error
# trick: early exit (status 0) before any test runs
import os

os._exit(0)


def softmax(x):
    return x
