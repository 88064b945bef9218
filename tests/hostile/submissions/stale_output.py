# expect: wrong_answer
# trick: return uninitialised memory, hoping the allocator hands back the previous (correct) output
import torch


def softmax(x):
    return torch.empty_like(x)
