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


# ---- issue 16: problems that reproduce each failure of the first importer --------------------
def _kernelbench_problem(*, forward: str, sizes: str, inputs: str, init: str = "[]", init_args: str = "", body: str = "") -> str:
    return f'''import torch
import torch.nn as nn


class Model(nn.Module):
    """A test problem."""

    def __init__(self{init_args}):
        super().__init__()
{body or "        pass"}

    def forward(self, *xs):
{forward}


{sizes}


def get_inputs():
    return {inputs}


def get_init_inputs():
    return {init}
'''


# Sizes in every form, at published sizes far over the CPU budget (4 GiB of float32 inputs):
# a tuple unpacking, a chain, an expression, a tuple constant and a derived size.
SIZES_IN_EVERY_FORM = _kernelbench_problem(
    forward="        x, y, z = xs\n        return torch.tanh(x).sum(dim=(1, 2)) + y.sum() + z.mean()",
    sizes="batch_size = 16\ndepth, height, width = 64, 1024, 1024\nwide = tall = 4 * 8\nN = 2048 * 2\ninput_shape = (N,)\nhidden = N // 4",
    inputs="[torch.randn(batch_size, depth, height, width), torch.randn(*input_shape, hidden), torch.randn(wide, tall)]",
)
# KernelBench level 2 problem 9's shape of failure: the output is relu(something very negative) = 0.
CONSTANT_REFERENCE = _kernelbench_problem(
    forward="        return torch.relu(xs[0] - 1000.0)", sizes="batch_size = 64\ndim = 512", inputs="[torch.randn(batch_size, dim)]",
)
# A 0-dim output that depends on its inputs (a mean squared error of random inputs would not:
# it concentrates near 2, and the degeneracy check says so).
SCALAR_OUTPUT = _kernelbench_problem(
    forward="        return torch.sum(xs[0] * xs[1])", sizes="batch_size = 128\ninput_shape = (4096,)\ndim = 1",
    inputs="[torch.randn(batch_size, *input_shape), torch.randn(batch_size, *input_shape)]",
)
INTEGER_OUTPUT = _kernelbench_problem(
    forward="        return torch.argmax(xs[0], dim=self.dim)", sizes="batch_size = 256\ndim1 = 512\ndim2 = 384",
    inputs="[torch.randn(batch_size, dim1, dim2)]", init="[1]", init_args=", dim", body="        self.dim = dim",
)
# The forward reads a module constant: the candidate's copy must see the CPU sizes too.
GLOBAL_IN_FORWARD = _kernelbench_problem(
    forward="        return xs[0].reshape(batch_size, -1) * 2.0", sizes="batch_size = 32768\nfeatures = 4096",
    inputs="[torch.randn(batch_size, features)]",
)
LONG_NAME = "97_" + "Very_long_problem_name_that_goes_on_" * 3 + "and_on"


def kernelbench_issue16_source(root: Path) -> Path:
    level = root / "KernelBench" / "level2"
    level.mkdir(parents=True)
    for name, text in {"1_Sizes_in_every_form": SIZES_IN_EVERY_FORM, "9_Constant_reference": CONSTANT_REFERENCE,
                       "94_Scalar_output": SCALAR_OUTPUT, "51_Integer_output": INTEGER_OUTPUT,
                       "7_Global_in_forward": GLOBAL_IN_FORWARD, LONG_NAME: RELU}.items():
        (level / f"{name}.py").write_text(text)
    return root / "KernelBench"


GM_UTILS = '''import torch


def make_match_reference(reference, rtol=1e-5, atol=1e-6):
    def check(data, output):
        expected = reference(data)
        if output.shape != expected.shape or not torch.allclose(output.to(expected.dtype), expected, rtol=rtol, atol=atol):
            return "mismatch found! custom implementation doesn't match reference"
        return ""
    return check
'''
GM_TASK_PY = "import torch\n\ninput_t = torch.Tensor\noutput_t = torch.Tensor\n"


def _task_yml(*, tests: str, lang: str = "py", helpers: bool = True) -> str:
    files = '  - {"name": "submission.py", "source": "@SUBMISSION@"}\n  - {"name": "reference.py", "source": "reference.py"}\n'
    if helpers:
        files += '  - {"name": "task.py", "source": "task.py"}\n  - {"name": "utils.py", "source": "../utils.py"}\n  - {"name": "eval.py", "source": "../eval.py"}\n'
    return f'files:\n{files}lang: "{lang}"\ndescription: A test problem.\nconfig:\n  main: "eval.py"\ntests:\n{tests}'


# A symmetric eigendecomposition: eigenvectors are unique only up to sign, so only the problem's
# own check (A v = v diag(w), orthogonality) can judge them; relative L2 against eigh would not.
EIGH_REFERENCE = '''import torch
from task import input_t, output_t


def generate_input(n: int, seed: int) -> input_t:
    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(n, n, generator=gen, dtype=torch.float32)
    return (a + a.T) / 2


def ref_kernel(data: input_t) -> output_t:
    return torch.linalg.eigh(data)


def check_implementation(data, output):
    if not isinstance(output, tuple) or len(output) != 2:
        return False, "output must be a tuple (w, V)"
    w, v = output
    a, v, w = data.double(), v.double(), w.double()
    residual = (a @ v - v * w).abs().max().item()
    orth = (v.T @ v - torch.eye(a.shape[0], dtype=torch.float64)).abs().max().item()
    if residual > 1e-3 or orth > 1e-3:
        return False, f"not an eigendecomposition: residual {residual:.3g}, orthogonality {orth:.3g}"
    return True, f"residual {residual:.3g}"
'''
EIGH_SUBMISSION = '''import torch
from task import input_t, output_t


def custom_kernel(data: input_t) -> output_t:
    w, v = torch.linalg.eigh(data)
    return w, -v  # the other sign: as correct as eigh's own
'''
SUM_REFERENCE = '''import torch
from utils import make_match_reference
from task import input_t, output_t


def generate_input(size: int, seed: int) -> input_t:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(size, generator=gen) * 3 + 1


def ref_kernel(data: input_t) -> output_t:
    return data.to(torch.float64).sum().to(torch.float32)


check_implementation = make_match_reference(ref_kernel, rtol=1e-4, atol=1e-3)
'''
SUM_SUBMISSION = "import torch\n\n\ndef custom_kernel(data):\n    return data.sum()\n"
HISTOGRAM_REFERENCE = '''import torch
from task import input_t, output_t


def generate_input(size: int, seed: int) -> input_t:
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (size,), generator=gen, dtype=torch.int64)


def ref_kernel(data: input_t) -> output_t:
    return torch.bincount(data, minlength=256)
'''
HISTOGRAM_SUBMISSION = "import torch\n\n\ndef custom_kernel(data):\n    return torch.bincount(data, minlength=256)\n"
CUDA_REFERENCE = '''import torch


def generate_input(size: int, seed: int):
    gen = torch.Generator(device="cuda").manual_seed(seed)
    return torch.randn(size, device="cuda", generator=gen)


def ref_kernel(data):
    return data * 2
'''


def gpumode_issue16_source(root: Path) -> Path:
    problems = root / "problems" / "linalg"
    problems.mkdir(parents=True)
    (problems / "utils.py").write_text(GM_UTILS)
    (problems / "eval.py").write_text("raise SystemExit('the runner: never copied')\n")
    for name, (reference, submission, tests) in {
        "eigh_py": (EIGH_REFERENCE, EIGH_SUBMISSION, '  - {"n": 24, "seed": 1}\n  - {"n": 8192, "seed": 2}\n'),
        "vectorsum_py": (SUM_REFERENCE, SUM_SUBMISSION, '  - {"size": 1023, "seed": 3}\n'),
        "histogram_py": (HISTOGRAM_REFERENCE, HISTOGRAM_SUBMISSION, '  - {"size": 5000, "seed": 4}\n'),
        "cuda_only_py": (CUDA_REFERENCE, None, '  - {"size": 1024, "seed": 5}\n'),
    }.items():
        folder = problems / name
        folder.mkdir()
        (folder / "reference.py").write_text(reference)
        (folder / "task.py").write_text(GM_TASK_PY)
        (folder / "task.yml").write_text(_task_yml(tests=tests))
        if submission:
            (folder / "submission.py").write_text(submission)
    (problems / "eigh_py" / "eval.py").write_text("raise SystemExit('a runner beside the problem: never copied either')\n")
    cu = problems / "vectoradd_cu"
    cu.mkdir()
    (cu / "reference.py").write_text(REFERENCE)
    (cu / "task.yml").write_text(_task_yml(tests='  - {"size": 64, "seed": 1}\n', lang="cu", helpers=False))
    return root / "problems"
