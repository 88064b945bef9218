"""The sealing key has its stated strength: every one of its 62 bits changes the keystream
(torch's CPU mt19937, used before, kept only 32 bits of a seed), and the CPU keystream stays
fast enough for staged batches of up to 256 MiB."""
import time

import pytest
import torch

from graders.harness.shared.cipher import KEY_BITS, keystream, pad_for, seal, seal_with_pad, tensor_key, unseal, unseal_with_pad

CPU = torch.device("cpu")


@pytest.mark.parametrize("bit", [0, 31, 32, 40, 61])
def test_keys_differing_in_one_bit_give_different_keystreams(bit):
    key = 0x2545F4914F6CDD1D % (1 << KEY_BITS)
    other = key ^ (1 << bit)
    a, b = keystream(4096, key, CPU), keystream(4096, other, CPU)
    assert (a != b).float().mean() > 0.95


def test_high_bits_alone_matter():
    low = 123456789
    streams = {bytes(keystream(64, low + (high << 32), CPU).tolist()) for high in range(64)}
    assert len(streams) == 64  # mt19937 would have given one


def test_keystream_is_deterministic_and_prefix_stable():
    assert torch.equal(keystream(1000, 77, CPU), keystream(1000, 77, CPU))
    assert torch.equal(keystream(1000, 77, CPU)[:10], keystream(10, 77, CPU))
    assert keystream(0, 77, CPU).numel() == 0


def test_round_trip_with_tensor_keys():
    x = torch.randn(3, 1001)
    key = tensor_key(2**61 + 3, 4)
    assert torch.equal(unseal(seal(x, key), key, dtype=x.dtype, shape=list(x.shape)), x)


@pytest.mark.parametrize("tensor", [torch.randn(4, 160, 64), torch.randint(0, 9, (33,)), torch.empty(0)], ids=["float", "int", "empty"])
def test_seal_with_pad_is_seal_and_pad_for_from_one_keystream(tensor):
    key = tensor_key(2**60 + 11, 2)
    sealed, pad = seal_with_pad(tensor, key)
    assert torch.equal(sealed, seal(tensor, key)) and torch.equal(pad, pad_for(tensor, key))
    if tensor.numel():
        assert not torch.equal(sealed, tensor.contiguous().view(-1).view(torch.uint8)), "sealed bytes differ from the plain ones"
        opened = unseal_with_pad(sealed.clone(), pad, dtype=tensor.dtype, shape=list(tensor.shape))
        assert torch.equal(opened, tensor)


@pytest.mark.slow
def test_a_256_mib_batch_seals_in_seconds():
    x = torch.empty(64 << 20, dtype=torch.float32)  # 256 MiB
    start = time.perf_counter()
    sealed = seal(x, 2**60 + 1)
    assert time.perf_counter() - start < 10.0  # about 0.5-1 s on one core of the dev VM
    assert sealed.numel() == 256 << 20
