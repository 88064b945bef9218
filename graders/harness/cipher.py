"""Sealed inputs: a batch is staged in the worker encrypted, and each call's key arrives only
when the call is due.

Why: staging a whole batch before timing keeps host-to-device copies and socket transfers out
of the measurement, but it would put the inputs of every future call in the candidate's
memory, where a "batch-and-skip" submission could find them (gc, frames) and answer all of
them in one launch. Sealed, they are noise until their key arrives (ANTI_CHEAT.md: "a per-call
seed arrives only at call time"). The keystream is torch's generator on the grading device
(mt19937 on the CPU, Philox on CUDA), seeded by a 62-bit key the supervisor draws from its
secret seed: the same bytes in the supervisor and in the worker, and not guessable.
"""
from __future__ import annotations

import torch

KEY_BITS = 62


def keystream(nbytes: int, key: int, device: torch.device) -> torch.Tensor:
    generator = torch.Generator(device=device).manual_seed(int(key))
    words = torch.randint(-(2**63), 2**63 - 1, ((nbytes + 7) // 8,), dtype=torch.int64, generator=generator, device=device)
    return words.view(torch.uint8)[:nbytes]


def seal(tensor: torch.Tensor, key: int) -> torch.Tensor:
    """The tensor's bytes XOR the keystream, as a flat uint8 tensor on the same device."""
    raw = tensor.detach().contiguous().view(-1).view(torch.uint8) if tensor.numel() else torch.empty(0, dtype=torch.uint8, device=tensor.device)
    return raw ^ keystream(raw.numel(), key, tensor.device)


def unseal(sealed: torch.Tensor, key: int, *, dtype: torch.dtype, shape: list[int]) -> torch.Tensor:
    raw = sealed ^ keystream(sealed.numel(), key, sealed.device)
    if raw.numel() == 0:
        return torch.empty(shape, dtype=dtype, device=sealed.device)
    return raw.view(dtype).reshape(shape)


def tensor_key(call_key: int, index: int) -> int:
    return (call_key + 7919 * (index + 1)) % (1 << KEY_BITS)
