"""Tests for kernels/cuda_attention.py.

Three layers, each skipping with its reason where the machine cannot run it:

* on a GPU (``available()`` is true): the built extension against a float64 reference;
* with nvcc but no GPU: the CUDA source compiles for sm_90 (catches syntax and
  template errors that would otherwise surface only on the grading host);
* with g++ (C++20): the very same device source compiled against cuda_emulation.h
  and run on the CPU, one std::thread per CUDA thread, checking the kernel's logic.
"""

from __future__ import annotations

import ctypes
import math
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

from kernels import cuda_attention

HERE = Path(__file__).resolve().parent
TOL = {torch.float16: 2e-3, torch.bfloat16: 1e-2}
DTYPES = [torch.float16, torch.bfloat16]
DTYPE_IDS = ["fp16", "bf16"]


def _qkv(B, H, S, D, dtype, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(B, H, S, D, generator=g).to(device, dtype) for _ in range(3)]


# --------------------------------------------------------------------------- GPU

@pytest.fixture(scope="module")
def gpu():
    ok, reason = cuda_attention.available()
    if not ok:
        pytest.skip(f"CUDA attention kernel not runnable here: {reason}")
    cuda_attention.build()
    return torch.device("cuda")


@pytest.mark.gpu
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("S,D", [(1, 64), (17, 64), (127, 64), (1000, 64), (257, 16), (200, 32), (130, 128)])
def test_gpu_matches_reference(gpu, reference_attention, rel_l2, S, D, dtype, causal):
    q, k, v = _qkv(2, 3, S, D, dtype, seed=S + D, device=gpu)
    out = cuda_attention.attention(q, k, v, causal=causal)
    assert out.shape == q.shape and out.dtype == dtype and out.device == q.device
    assert rel_l2(out, reference_attention(q, k, v, causal)) < TOL[dtype]


@pytest.mark.gpu
def test_gpu_target_shape(gpu, reference_attention, rel_l2):
    # One head group of a target shape is enough for the float64 reference.
    q, k, v = _qkv(4, 16, 2048, 64, torch.float16, seed=1, device=gpu)
    for causal in (False, True):
        out = cuda_attention.attention(q, k, v, causal=causal)
        ref = reference_attention(q[:1, :2], k[:1, :2], v[:1, :2], causal)
        assert rel_l2(out[:1, :2], ref) < TOL[torch.float16]


@pytest.mark.gpu
def test_gpu_non_contiguous_and_misaligned(gpu, reference_attention, rel_l2):
    B, H, S, D = 2, 3, 77, 64
    g = torch.Generator().manual_seed(4)
    q = torch.randn(B, S, H, D, generator=g).half().to(gpu).transpose(1, 2)
    k = torch.randn(B, H, S, 2 * D, generator=g).half().to(gpu)[..., ::2]
    # Contiguous but starting 2 bytes into its storage: not 16-byte aligned.
    flat = torch.randn(B * H * S * D + 1, generator=g).half().to(gpu)
    v = flat[1:].view(B, H, S, D)
    assert v.is_contiguous() and v.data_ptr() % 16
    out = cuda_attention.attention(q, k, v, causal=True)
    assert rel_l2(out, reference_attention(q, k, v, True)) < TOL[torch.float16]


@pytest.mark.gpu
def test_gpu_nan_propagates(gpu):
    q, k, v = _qkv(1, 2, 100, 64, torch.float16, seed=2, device=gpu)
    q[0, 1, 50, 0] = float("nan")
    out = cuda_attention.attention(q, k, v)
    assert torch.isnan(out[0, 1, 50]).all()
    assert torch.isfinite(out[0, 0]).all()


@pytest.mark.gpu
def test_gpu_rejects_unsupported(gpu):
    q, k, v = _qkv(1, 1, 8, 48, torch.float16, device=gpu)
    with pytest.raises(ValueError, match="head dim 48"):
        cuda_attention.attention(q, k, v)
    q, k, v = _qkv(1, 1, 8, 64, torch.float32, device=gpu)
    with pytest.raises(ValueError, match="float16"):
        cuda_attention.attention(q, k, v)


def test_available_reports_a_reason():
    ok, reason = cuda_attention.available()
    assert isinstance(ok, bool) and isinstance(reason, str) and reason
    if not torch.cuda.is_available():
        assert not ok


def test_cpu_tensors_are_rejected_clearly():
    q, k, v = _qkv(1, 1, 8, 64, torch.float16)
    with pytest.raises(ValueError, match="CUDA"):
        cuda_attention.attention(q, k, v)


# ------------------------------------------------------------ nvcc, no GPU needed

def test_source_compiles_with_nvcc(tmp_path):
    nvcc = cuda_attention._nvcc_path()
    if nvcc is None:
        pytest.skip("nvcc not found")
    src = tmp_path / "flash.cu"
    src.write_text(cuda_attention.CUDA_HEADERS + cuda_attention.KERNEL_SOURCE + cuda_attention.HOST_SOURCE)
    proc = subprocess.run(
        [nvcc, "-O3", "-arch=sm_90", "-c", str(src), "-o", str(tmp_path / "flash.o")],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]


# ------------------------------------------------------- CPU emulation of the kernel

EMU_DRIVER = r"""
namespace hotpath { alignas(128) unsigned char smem_raw[256 * 1024]; }

template <typename T, int D, bool CAUSAL>
static int emu_run(const void* q, const void* k, const void* v, void* o, int bh, int S) {
    const size_t bytes = hotpath::Smem<D>::bytes(sizeof(T));
    if (bytes > sizeof(hotpath::smem_raw)) return -2;
    const float scale_log2 = (float)(1.4426950408889634 / std::sqrt((double)D));
    emu_launch(hotpath::flash_fwd_kernel<T, D, CAUSAL>,
               dim3((S + hotpath::BLOCK_M - 1) / hotpath::BLOCK_M, bh),
               dim3(hotpath::NUM_THREADS), hotpath::smem_raw, bytes,
               (const T*)q, (const T*)k, (const T*)v, (T*)o, S, scale_log2);
    return 0;
}

template <typename T, int D>
static int emu_causal(int causal, const void* q, const void* k, const void* v, void* o, int bh, int S) {
    return causal ? emu_run<T, D, true>(q, k, v, o, bh, S) : emu_run<T, D, false>(q, k, v, o, bh, S);
}

template <typename T>
static int emu_dim(int D, int causal, const void* q, const void* k, const void* v, void* o, int bh, int S) {
    switch (D) {
        case 16: return emu_causal<T, 16>(causal, q, k, v, o, bh, S);
        case 32: return emu_causal<T, 32>(causal, q, k, v, o, bh, S);
        case 64: return emu_causal<T, 64>(causal, q, k, v, o, bh, S);
        case 128: return emu_causal<T, 128>(causal, q, k, v, o, bh, S);
        default: return -1;
    }
}

extern "C" int emu_flash_fwd(const void* q, const void* k, const void* v, void* o,
                             int bh, int S, int D, int causal, int dtype) {
    return dtype == 0 ? emu_dim<__half>(D, causal, q, k, v, o, bh, S)
                      : emu_dim<__nv_bfloat16>(D, causal, q, k, v, o, bh, S);
}
"""


@pytest.fixture(scope="module")
def emulated(tmp_path_factory):
    """The kernel's device source built for the CPU emulation; returns a callable."""
    cxx = shutil.which("g++")
    if cxx is None:
        pytest.skip("g++ not found: cannot build the CPU emulation of the CUDA kernel")
    out_dir = tmp_path_factory.mktemp("cuda_emulation")
    src = out_dir / "emulated_flash.cpp"
    src.write_text(
        f'#include "{HERE / "cuda_emulation.h"}"\n'
        + cuda_attention.KERNEL_SOURCE
        + EMU_DRIVER
    )
    lib = out_dir / "emulated_flash.so"
    proc = subprocess.run(
        [cxx, "-std=c++20", "-O2", "-pthread", "-shared", "-fPIC", str(src), "-o", str(lib)],
        capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0 and "barrier" in proc.stderr and "No such file" in proc.stderr:
        pytest.skip("g++ lacks C++20 <barrier>: cannot build the CPU emulation")
    assert proc.returncode == 0, proc.stderr[-4000:]
    so = ctypes.CDLL(str(lib))
    so.emu_flash_fwd.restype = ctypes.c_int
    so.emu_flash_fwd.argtypes = [ctypes.c_void_p] * 4 + [ctypes.c_int] * 5

    def run(q, k, v, causal=False):
        B, H, S, D = q.shape
        q, k, v = (t.contiguous() for t in (q, k, v))
        out = torch.empty_like(q)
        rc = so.emu_flash_fwd(
            q.data_ptr(), k.data_ptr(), v.data_ptr(), out.data_ptr(),
            B * H, S, D, int(causal), 0 if q.dtype == torch.float16 else 1,
        )
        assert rc == 0, f"emulated launch failed: {rc}"
        return out

    return run


@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("D", [16, 32, 64, 128])
def test_emulated_kernel_head_dims(emulated, reference_attention, rel_l2, D, dtype, causal):
    # 127 rows: two query tiles, two key tiles, a ragged last tile.
    q, k, v = _qkv(1, 2, 127, D, dtype, seed=D)
    out = emulated(q, k, v, causal)
    assert rel_l2(out, reference_attention(q, k, v, causal)) < TOL[dtype]


@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("S", [1, 17, 64, 65, 130])
def test_emulated_kernel_sequence_lengths(emulated, reference_attention, rel_l2, S, causal):
    q, k, v = _qkv(2, 1, S, 64, torch.float16, seed=S)
    out = emulated(q, k, v, causal)
    assert rel_l2(out, reference_attention(q, k, v, causal)) < TOL[torch.float16]


def test_emulated_kernel_nan(emulated):
    q, k, v = _qkv(1, 1, 70, 32, torch.float16, seed=3)
    q[0, 0, 10, 0] = float("nan")
    k[0, 0, 40, 0] = float("nan")
    full = emulated(q, k, v, False)
    assert torch.isnan(full[0, 0]).any(dim=-1).all()  # every row sees key 40
    causal = emulated(q, k, v, True)
    assert torch.isnan(causal[0, 0, 10]).all() and torch.isnan(causal[0, 0, 40:]).all()
    rows = [i for i in range(40) if i != 10]
    assert torch.isfinite(causal[0, 0, rows]).all()  # key 40 is hidden from rows < 40


def test_emulated_kernel_large_scores(emulated, reference_attention, rel_l2):
    q, k, v = _qkv(1, 1, 90, 64, torch.float16, seed=8)
    q = (q.float() * 20).half()
    for causal in (False, True):
        out = emulated(q, k, v, causal)
        assert rel_l2(out, reference_attention(q, k, v, causal)) < TOL[torch.float16]


def test_emulation_reference_is_meaningful(emulated, reference_attention, rel_l2):
    # Guard against a vacuous emulation: a perturbed answer must fail the same check.
    q, k, v = _qkv(1, 1, 40, 32, torch.float16, seed=6)
    out = emulated(q, k, v, True)
    ref = reference_attention(q, k, v, True)
    assert rel_l2(out, ref) < TOL[torch.float16]
    assert rel_l2(emulated(q, k, v, False), ref) > 10 * TOL[torch.float16]
    assert math.isinf(rel_l2(torch.full_like(out, float("nan")), ref))
