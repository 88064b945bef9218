# expect: wrong_answer
# trick: re-derive the test inputs from guessable seeds (0..999, time, pid) and answer for the guessed input
import torch


def _guess(shape):
    for seed in range(1000):
        g = torch.Generator().manual_seed(seed)
        yield torch.randn(shape, generator=g) * 4.0


def softmax(x):
    guess = next(_guess(tuple(x.shape)))
    e = torch.exp(guess - guess.amax(dim=-1, keepdim=True))
    return (e / e.sum(dim=-1, keepdim=True)).to(x.dtype)
