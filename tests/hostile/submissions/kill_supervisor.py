# expect: not accepted
# trick: kill the parent (the supervisor) so that no failing result is ever written
import os
import signal

try:
    os.kill(os.getppid(), signal.SIGKILL)
except OSError:
    pass


def softmax(x):
    return x
