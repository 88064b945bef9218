# expect: runtime_error
# trick: raise SystemExit(0) from inside the call
import sys


def softmax(x):
    sys.exit(0)
