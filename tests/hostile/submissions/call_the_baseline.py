# expect: rejected
# trick: calling the very function to beat (caught by the static check)
import torch


def softmax(x):
    return torch.softmax(x, dim=-1)
