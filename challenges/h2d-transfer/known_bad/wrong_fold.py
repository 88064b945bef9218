# expect: wrong_answer
"""Folds the normalisation into the weights but forgets the mean's shift term."""
import torch

from source import host_chunks


def run(weight, mean, std, seed, n_chunks, rows):
    scaled = weight / (255.0 * std)[:, None]
    chunks = host_chunks(seed, n_chunks, rows, weight.shape[0])
    return torch.cat([c.to(weight.device, weight.dtype) @ scaled for c in chunks])
