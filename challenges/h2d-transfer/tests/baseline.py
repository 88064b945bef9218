"""The timed baseline: the starter's per-chunk pipeline. Runs in its own trusted worker."""
import torch

from source import host_chunks


def baseline(*, weight, mean, std, seed, n_chunks, rows):
    device = weight.device
    outs = []
    for chunk in host_chunks(seed, n_chunks, rows, weight.shape[0]):
        x = chunk.float() / 255.0
        x = x.to(device)
        x = (x - mean) / std
        y = x @ weight
        outs.append(y.cpu())
    return torch.cat(outs).to(device)
