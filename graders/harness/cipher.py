"""Sealed inputs: a batch is staged in the worker encrypted, and each call's key arrives only
when the call is due.

Why: staging a whole batch before timing keeps host-to-device copies and socket transfers out
of the measurement, but it would put the inputs of every future call in the candidate's
memory, where a "batch-and-skip" submission could find them (gc, frames) and answer all of
them in one launch. Sealed, they are noise until their key arrives (ANTI_CHEAT.md: "a per-call
seed arrives only at call time"). The key is 62 bits the supervisor draws from its secret seed;
every one of them changes the keystream (tests/graders/test_cipher.py):

- CPU: SHAKE-128 (hashlib, an extendable-output function built on Keccak) over a domain tag and
  the key's 8 bytes, read out to the length needed: a real keystream, and the whole key counts.
  (torch's CPU generator, mt19937, keeps only 32 bits of a manual seed and is not a cipher: 2^32
  tries would have opened every staged input.) About 0.4 s per 256 MiB on one core here.
- CUDA: torch's Philox4x32-10 generator on the device, whose seed keeps all 64 bits: it stays
  because it fills the keystream where the data already is, at memory speed, with no host copy.
  Philox is a counter-based generator built from a weakened block cipher, not a vetted cipher;
  what it protects (inputs staged for seconds, each batch under fresh keys) needs no more.
"""
from __future__ import annotations

import hashlib

import torch

KEY_BITS = 62


_DOMAIN = b"hotpath-seal-v2\0"


def keystream(nbytes: int, key: int, device: torch.device) -> torch.Tensor:
    device = torch.device(device)
    if device.type == "cpu":
        if nbytes <= 0:
            return torch.empty(0, dtype=torch.uint8)
        stream = hashlib.shake_128(_DOMAIN + (int(key) % (1 << 64)).to_bytes(8, "little")).digest(nbytes)
        return torch.frombuffer(bytearray(stream), dtype=torch.uint8)
    generator = torch.Generator(device=device).manual_seed(int(key))  # Philox: the full 64-bit seed
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
