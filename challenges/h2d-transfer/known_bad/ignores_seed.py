# expect: wrong_answer
"""Always reads the first chunks of the dataset, whatever batch was asked for."""
import torch

from source import host_chunks


def run(weight, mean, std, seed, n_chunks, rows):
    scaled = weight / (255.0 * std)[:, None]
    shift = -(mean / std) @ weight
    chunks = host_chunks(0, n_chunks, rows, weight.shape[0])
    return torch.cat([torch.addmm(shift, c.to(weight.device, weight.dtype), scaled) for c in chunks])
