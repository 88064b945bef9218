# expect: wrong_answer
"""Subtracts the mean in uint8 arithmetic before converting: values wrap around."""
import torch

from source import host_chunks


def run(weight, mean, std, seed, n_chunks, rows):
    outs = []
    offset = (mean * 255).round().to(torch.uint8)
    for chunk in host_chunks(seed, n_chunks, rows, weight.shape[0]):
        x = (chunk.to(weight.device) - offset).float() / 255.0
        outs.append((x / std) @ weight)
    return torch.cat(outs)
