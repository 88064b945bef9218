"""What a candidate's failed call is told beyond its own error (supervisor side): where in their
code it failed, and when CUDA code met a CPU-only grading, that it needs a GPU worker.

Informational only: the reply is the candidate's (its worker could send any text), so nothing
here changes the verdict, which stays the candidate's `runtime_error`.
"""
from __future__ import annotations

CUDA_WORDS = (
    "torch not compiled with cuda", "cuda_home", "found no nvidia driver", "no cuda gpus are available",
    "cuda driver", "cuda is not available", "cuda unavailable", "nvcc", "libcudart", "libcuda.so",
    "dummy base class event", "dummy base class stream", "cannot access accelerator device",
)


def where(reply: dict) -> str:
    """` (solution.py line 12)`, or ` (line 12)`, or nothing."""
    line = reply.get("line")
    if not line:
        return ""
    file = reply.get("file")
    return f" ({file} line {line})" if file else f" (line {line})"


def needs_gpu(reply: dict, *, device_type: str) -> bool:
    if device_type != "cpu":
        return False
    text = f"{reply.get('error_type', '')} {reply.get('error', '')}".lower()
    return any(word in text for word in CUDA_WORDS)


def runtime_message(reply: dict, *, device_type: str) -> str:
    """The runtime error's one-line message: the error, the candidate's file and line, and the hint."""
    message = f"{reply.get('error_type', 'Error')}: {reply.get('error', '')}{where(reply)}".strip()
    if needs_gpu(reply, device_type=device_type):
        message += ("; this code needs a GPU (CUDA), and this challenge's table runs on the CPU here: submit it to a "
                    "GPU worker (device cuda, a GPU device class) or write code that runs on the CPU")
    return message
