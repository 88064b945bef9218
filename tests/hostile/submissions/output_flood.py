# expect: output_limit_exceeded
# trick: flood stdout
import sys


def softmax(x):
    chunk = "A" * 65536
    while True:
        sys.stdout.write(chunk)
