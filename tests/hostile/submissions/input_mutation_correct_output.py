# expect: wrong_answer
# trick: a correct output, but the input is overwritten in place (scratch use of the caller's memory)
import torch


def softmax(x):
    x.sub_(x.amax(dim=-1, keepdim=True)).exp_()
    return x / x.sum(dim=-1, keepdim=True)
