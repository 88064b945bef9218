"""Tiny synthetic KernelBench and GPU MODE sources, written into a test's tmp_path."""
from __future__ import annotations

from pathlib import Path

RELU = '''import torch
import torch.nn as nn


class Model(nn.Module):
    """Simple model that performs a ReLU activation."""

    def __init__(self):
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x)


batch_size = 4
dim = 256


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
'''

MATMUL = '''import torch
import torch.nn as nn


class Model(nn.Module):
    """A linear layer: y = x W^T + b."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, x):
        return self.linear(x)


batch_size = 8
in_features = 32
out_features = 16


def get_inputs():
    return [torch.randn(batch_size, in_features)]


def get_init_inputs():
    return [in_features, out_features]
'''

REFERENCE = '''import torch


def generate_input(size: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(size, size, generator=gen), torch.randn(size, size, generator=gen)


def ref_kernel(data):
    a, b = data
    return a + b


def check_implementation(data, output):
    if not torch.allclose(output, ref_kernel(data), rtol=1e-5, atol=1e-5):
        return False, "mismatch found"
    return True, ""
'''

TASK_YML = '''files:
  - {"name": "submission.py", "source": "@SUBMISSION@"}
lang: "py"
description: |
  Implement a float32 vector addition kernel: C = A + B.
tests:
  - {"size": 17, "seed": 4242}
  - {"size": 33, "seed": 5236}
benchmarks:
  - {"size": 64, "seed": 54352}
'''

SUBMISSION = '''def custom_kernel(data):
    a, b = data
    return a + b
'''


def kernelbench_source(root: Path) -> Path:
    level = root / "KernelBench" / "level1"
    level.mkdir(parents=True)
    (level / "19_ReLU.py").write_text(RELU)
    (level / "2_Small_matmul_with_bias.py").write_text(MATMUL)
    (level / "helpers.py").write_text("def not_a_problem():\n    return 1\n")
    return root / "KernelBench"


def gpumode_source(root: Path) -> Path:
    problems = root / "problems"
    good = problems / "pmpp" / "vectoradd_py"
    good.mkdir(parents=True)
    (good / "reference.py").write_text(REFERENCE)
    (good / "task.yml").write_text(TASK_YML)
    (good / "submission.py").write_text(SUBMISSION)
    broken = problems / "pmpp" / "broken_py"
    broken.mkdir()
    (broken / "reference.py").write_text("def something_else():\n    pass\n")
    (broken / "task.yml").write_text("tests: []\n")
    return problems
