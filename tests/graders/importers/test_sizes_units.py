"""Import-side units, no sandbox: size constants read from source text in every form, the
shrink sequence, slugs cut to --slug-max, the exact comparison of integer outputs and a 0-dim
tensor on the channel."""
import ast
import socket

import pytest
import torch

from graders.harness.compare import compare
from graders.harness.shared.channel import Channel
from graders.importers import slug_for
from graders.importers.sizes import is_free, module_constants, rederive, shrink_sequence, shrinkable, size_values

SOURCE = """
import torch
batch_size = 16
depth, height, width = 64, 1024, 1024
height2 = width2 = 256
N = 2048 * 2
input_shape = (N,)
hidden: int = N // 4
kernel_size = 3
eps = 1e-5
name = "not a size"
shape = torch.Size([4])
"""


def constants():
    return module_constants(ast.parse(SOURCE))


def test_constants_in_every_form():
    assert size_values(constants()) == {
        "batch_size": 16, "depth": 64, "height": 1024, "width": 1024, "height2": 256, "width2": 256, "N": 4096,
        "input_shape": [4096], "hidden": 1024, "kernel_size": 3, "eps": 1e-5,
    }


def test_free_and_shrinkable_sizes():
    by_name = {c.name: c for c in constants()}
    assert is_free(by_name["N"]) and not is_free(by_name["hidden"]) and not is_free(by_name["input_shape"])
    assert shrinkable(by_name["kernel_size"]) == [] and shrinkable(by_name["eps"]) == [] and shrinkable(by_name["depth"]) == [0]


def test_derived_sizes_follow_the_free_ones():
    values = rederive(constants(), free={"N": 512})
    assert values["input_shape"] == [512] and values["hidden"] == 128 and values["kernel_size"] == 3


def test_shrink_sequence_halves_the_largest_first_and_keeps_equal_sizes_equal():
    sequence = shrink_sequence(constants())
    assert sequence[0]["N"] == 4096
    assert sequence[1]["N"] == 2048 and sequence[1]["height"] == 1024  # 4096 was the largest
    assert (sequence[2]["N"], sequence[2]["height"]) == (1024, 1024)
    assert sequence[3]["N"] == sequence[3]["height"] == sequence[3]["width"] == 512 and sequence[3]["hidden"] == 128
    assert all(s["height2"] == s["width2"] for s in sequence) and all(s["kernel_size"] == 3 for s in sequence)
    assert sequence[-1]["N"] == 2 and sequence[-1]["batch_size"] == 2


def test_hostile_expressions_are_not_evaluated():
    tree = ast.parse("a = 10 ** 10 ** 10\nb = __import__('os').getpid()\nc = 2 ** 70\nd = 1 // 0\n")
    assert module_constants(tree) == []


def test_long_slugs_get_a_stable_hashed_short_form():
    long = "level3/" + "x" * 120
    slug = slug_for(prefix="kb-", relative_path=long)
    assert len(slug) == 80 and slug == slug_for(prefix="kb-", relative_path=long)
    assert slug != slug_for(prefix="kb-", relative_path=long + "y")
    assert len(slug_for(prefix="kb-", relative_path=long, slug_max=30)) == 30
    assert slug_for(prefix="kb-", relative_path="level1/19_ReLU") == "kb-level1-19-relu"


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.bool])
def test_integer_outputs_are_compared_exactly(dtype):
    expected = torch.tensor([3, 0, 1, 2]).to(dtype)
    assert compare(out=expected.clone(), expected=expected, metric="rel_l2", tolerance=0.5)[0]
    off = expected.clone()
    off[0] = 0 if dtype != torch.bool else False
    ok, detail = compare(out=off, expected=expected, metric="rel_l2", tolerance=0.5)
    assert not ok and "compared exactly" in detail
    ok, detail = compare(out=expected.to(torch.float32), expected=expected, metric="rel_l2", tolerance=0.5)
    assert not ok and "dtype" in detail


def test_a_0_dim_tensor_crosses_the_channel():
    left, right = socket.socketpair()
    try:
        Channel(left).send({"ok": True}, [torch.tensor(2.5), torch.tensor(7, dtype=torch.int64)])
        header, tensors = Channel(right).recv(max_tensor_bytes=64, timeout=5)
    finally:
        left.close()
        right.close()
    assert header == {"ok": True} and [t.shape for t in tensors] == [torch.Size([]), torch.Size([])]
    assert float(tensors[0]) == 2.5 and int(tensors[1]) == 7


def test_cpu_tolerance_follows_the_references_own_float32_error_but_never_lets_x1_01_pass():
    from graders.importers.common import cpu_tolerance

    assert cpu_tolerance(None) == 1e-4 and cpu_tolerance(1e-7) == 1e-4
    assert cpu_tolerance(3.79e-5) == 3.8e-4  # a deep network's float32 drift
    assert cpu_tolerance(0.5) == 2e-3 < 1e-2  # the rel L2 error of a x1.01 answer


def test_batch_sequence_halves_only_the_batch():
    sequence = __import__("graders.importers.sizes", fromlist=["batch_sequence"]).batch_sequence(constants())
    assert [s["batch_size"] for s in sequence] == [16, 8, 4, 2, 1]
    assert all(s["height"] == 1024 and s["N"] == 4096 for s in sequence)
