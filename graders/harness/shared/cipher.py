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
  SHAKE is slower than the data it seals, and unsealing runs inside every timed call's round
  trip, so for floating-point tensors only each element's top byte (the sign and the high
  exponent bits, little-endian) is sealed: without them every element is unknown in sign and
  scale, so nothing about a future call can be computed, at a quarter of the keystream for
  float32. Integer and boolean tensors (indices, masks) are sealed whole.
- CUDA: torch's Philox4x32-10 generator on the device, whose seed keeps all 64 bits: it stays
  because it fills the keystream where the data already is, at memory speed, with no host copy.
  Philox is a counter-based generator built from a weakened block cipher, not a vetted cipher;
  what it protects (inputs staged for seconds, each batch under fresh keys) needs no more.
"""
from __future__ import annotations

import hashlib
import sys

import numpy
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


def _sealed_stride(dtype: torch.dtype, device: torch.device) -> int:
    """1: every byte is sealed; k: only the top byte of each k-byte element (CPU floats)."""
    if torch.device(device).type != "cpu" or not dtype.is_floating_point or sys.byteorder != "little":
        return 1
    return torch.empty((), dtype=dtype).element_size()


def _xor(raw: torch.Tensor, key: int, stride: int) -> torch.Tensor:
    return _xor_with(raw, keystream(raw.numel() // stride, key, raw.device), stride)


def _xor_with(raw: torch.Tensor, stream: torch.Tensor, stride: int, *, in_place: bool = False) -> torch.Tensor:
    """`raw` (flat uint8) with `stream` XORed into every `stride`-th byte (the top byte of each element).

    On the CPU through numpy: torch's XOR over a strided uint8 view runs element by element
    (about 1 ms for a 256 KiB tensor here, 40x numpy's), and unsealing is inside every timed
    call's round trip, where its cost is the harness's and its jitter is noise in both sides'
    outside clocks."""
    out = raw if in_place else raw.clone()
    if out.device.type == "cpu" and stream.device.type == "cpu":
        target = out.numpy() if stride == 1 else out.numpy().reshape(-1, stride)[:, stride - 1]
        numpy.bitwise_xor(target, stream.numpy(), out=target)
        return out
    target = out if stride == 1 else out.view(-1, stride)[:, stride - 1]
    target ^= stream
    return out


def pad_for(tensor: torch.Tensor, key: int) -> torch.Tensor:
    """The keystream bytes `seal(tensor, key)` XORs in, on their own (the "pad").

    On the CPU the supervisor sends a call's pads *with* the call instead of its key: the worker
    then only XORs (the keystream is made by the supervisor, before the batch, outside the
    worker's clocks), which keeps the harness's cost per call small next to a short call. A
    pad is as secret as the key it comes from and is used once."""
    stride = _sealed_stride(tensor.dtype, tensor.device)
    return keystream(tensor.numel() * tensor.element_size() // stride, key, tensor.device)


def unseal_with_pad(sealed: torch.Tensor, pad: torch.Tensor, *, dtype: torch.dtype, shape: list[int]) -> torch.Tensor:
    """`unseal`, with the pad `pad_for` made instead of the key, in place: the sealed buffer (staged
    for this one call) becomes the input, so unsealing allocates nothing, and the harness's cost
    per call does not depend on what the candidate's code left in the allocator."""
    if sealed.numel() == 0:
        return torch.empty(shape, dtype=dtype, device=sealed.device)
    stride = _sealed_stride(dtype, sealed.device)
    if pad.dtype != torch.uint8 or pad.numel() * stride != sealed.numel():
        raise ValueError("the pad does not fit the sealed tensor")
    return _xor_with(sealed, pad.to(sealed.device), stride, in_place=True).view(dtype).reshape(shape)


def seal(tensor: torch.Tensor, key: int) -> torch.Tensor:
    """The tensor's bytes XOR the keystream (see the module docstring), as a flat uint8 tensor on the same device."""
    raw = tensor.detach().contiguous().view(-1).view(torch.uint8) if tensor.numel() else torch.empty(0, dtype=torch.uint8, device=tensor.device)
    return _xor(raw, key, _sealed_stride(tensor.dtype, tensor.device))


def seal_with_pad(tensor: torch.Tensor, key: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`seal(tensor, key)` and `pad_for(tensor, key)` from one keystream (half the SHAKE work)."""
    if tensor.numel() == 0:
        empty = torch.empty(0, dtype=torch.uint8, device=tensor.device)
        return empty, empty
    raw = tensor.detach().contiguous().view(-1).view(torch.uint8)
    stride = _sealed_stride(tensor.dtype, tensor.device)
    pad = keystream(raw.numel() // stride, key, tensor.device)
    return _xor_with(raw, pad, stride), pad


def unseal(sealed: torch.Tensor, key: int, *, dtype: torch.dtype, shape: list[int]) -> torch.Tensor:
    if sealed.numel() == 0:
        return torch.empty(shape, dtype=dtype, device=sealed.device)
    raw = _xor(sealed, key, _sealed_stride(dtype, sealed.device))
    return raw.view(dtype).reshape(shape)


def tensor_key(call_key: int, index: int) -> int:
    return (call_key + 7919 * (index + 1)) % (1 << KEY_BITS)
