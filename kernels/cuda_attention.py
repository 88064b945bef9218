"""Flash-attention forward in CUDA C++ (WMMA tensor cores), built on first use.

``attention(q, k, v, causal=False)`` computes softmax(q k^T / sqrt(D)) v for q, k, v of
shape [B, H, S, D] in float16 or bfloat16 on a CUDA device of compute capability 8.0
or newer (bf16 tensor cores), any S, D in {16, 32, 64, 128}. ``available()`` says
whether this machine can build and run it, and why not.

The extension is compiled with ``torch.utils.cpp_extension.load_inline`` the first time
``attention`` is called (not at import), once per process; the build is cached on disk
by torch (``TORCH_EXTENSIONS_DIR``), keyed by a hash of the source, so an edited kernel
is rebuilt rather than silently reused.

Kernel design (one CTA = 4 warps = 64 query rows of one (batch, head)):

* Q, K, V tiles are staged in shared memory with 16-byte vector loads; rows past the
  end of the sequence are written as zeros (not left stale: 0 * NaN would poison P V).
* Each warp owns 16 query rows for the whole kernel. It computes its 16 x 64 block of
  scores with 16x16x16 WMMA (fp32 accumulate), and runs the online softmax on it with
  two threads per row; the O accumulator lives in shared memory in fp32 because WMMA
  fragments have an opaque layout and the rows must be rescaled by exp2(m_old - m_new).
  Since a warp only ever touches its own rows, the phases inside an iteration need
  only ``__syncwarp``; the CTA synchronises only around the K/V tile loads.
* exp2 with log2(e) folded into the scale; causal CTAs stop at the diagonal tile and
  run in reverse order so the longest ones start first.

It is the simple, checkable member of the reference set (the Triton kernel is the fast
one). Its logic is exercised on the CPU by tests/kernels/test_cuda_attention.py, which
compiles the same kernel source against a small emulation of the CUDA built-ins.
"""

from __future__ import annotations

import hashlib
import shutil
import threading

import torch

__all__ = ["attention", "available", "SUPPORTED_HEAD_DIMS"]

SUPPORTED_HEAD_DIMS = (16, 32, 64, 128)

_LOG2E = 1.4426950408889634

# Headers the device code needs; kept apart from KERNEL_SOURCE so that the CPU
# emulation test can substitute its own.
CUDA_HEADERS = r"""
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <mma.h>
#include <cstdint>
"""

# Device code. No torch headers anywhere in what nvcc compiles (a shorter build), and
# nothing host-only in this part, so the CPU emulation test can compile it with g++.
KERNEL_SOURCE = r"""
namespace hotpath {

using namespace nvcuda;

constexpr int BLOCK_M = 64;               // query rows per CTA
constexpr int BLOCK_N = 64;               // keys per K/V tile
constexpr int NUM_WARPS = BLOCK_M / 16;   // each warp owns 16 query rows
constexpr int NUM_THREADS = NUM_WARPS * 32;
constexpr int COLS_PER_THREAD = BLOCK_N / 2;  // two threads share one row of scores

template <typename T> __device__ __forceinline__ T from_float(float x);
template <> __device__ __forceinline__ __half from_float<__half>(float x) { return __float2half_rn(x); }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }

// Shared-memory row strides, in elements. The padding (16 bytes for 16-bit types,
// 16 bytes for floats) staggers rows across banks; WMMA needs ldm to be a multiple of
// 8 (16-bit) or 4 (float) elements and tile pointers 32-byte aligned, which holds
// because every tile starts on a multiple of 16 rows and 16 columns.
template <int D> struct Smem {
    static constexpr int LD_QKV = D + 8;        // T
    static constexpr int LD_P = BLOCK_N + 8;    // T
    static constexpr int LD_S = BLOCK_N + 4;    // float
    static constexpr int LD_O = D + 4;          // float
    static constexpr size_t bytes(size_t t_size) {
        return t_size * (size_t)(3 * BLOCK_M * LD_QKV + BLOCK_M * LD_P)
             + sizeof(float) * (size_t)(BLOCK_M * LD_S + BLOCK_M * LD_O);
    }
};

// Copy rows [row0, row0 + ROWS) of a contiguous [S, D] matrix into shared memory,
// 16 bytes (8 elements) per thread per step; rows at or past S become zeros.
template <typename T, int D, int ROWS>
__device__ __forceinline__ void load_tile(T* dst, const T* __restrict__ src, int row0, int S, int tid) {
    constexpr int CHUNKS_PER_ROW = D / 8;
    for (int idx = tid; idx < ROWS * CHUNKS_PER_ROW; idx += NUM_THREADS) {
        const int r = idx / CHUNKS_PER_ROW;
        const int c = (idx % CHUNKS_PER_ROW) * 8;
        uint4 val = make_uint4(0u, 0u, 0u, 0u);
        if (row0 + r < S) {
            val = *reinterpret_cast<const uint4*>(src + (size_t)(row0 + r) * D + c);
        }
        *reinterpret_cast<uint4*>(dst + r * Smem<D>::LD_QKV + c) = val;
    }
}

template <typename T, int D, bool CAUSAL>
__global__ void __launch_bounds__(NUM_THREADS)
flash_fwd_kernel(const T* __restrict__ Q, const T* __restrict__ K, const T* __restrict__ V,
                 T* __restrict__ O, int S, float scale_log2) {
    using L = Smem<D>;
    extern __shared__ __align__(128) unsigned char smem_raw[];
    T* Qs = reinterpret_cast<T*>(smem_raw);
    T* Ks = Qs + BLOCK_M * L::LD_QKV;
    T* Vs = Ks + BLOCK_N * L::LD_QKV;
    T* Ps = Vs + BLOCK_N * L::LD_QKV;
    float* Ss = reinterpret_cast<float*>(Ps + BLOCK_M * L::LD_P);
    float* Os = Ss + BLOCK_M * L::LD_S;

    const int tid = threadIdx.x;
    const int warp = tid / 32;
    // Causal CTAs differ in length; start the longest (last query tiles) first.
    const int m_block = CAUSAL ? (int)gridDim.x - 1 - (int)blockIdx.x : (int)blockIdx.x;
    const int m0 = m_block * BLOCK_M;
    const size_t head_offset = (size_t)blockIdx.y * (size_t)S * D;
    Q += head_offset; K += head_offset; V += head_offset; O += head_offset;

    load_tile<T, D, BLOCK_M>(Qs, Q, m0, S, tid);
    for (int i = tid; i < BLOCK_M * L::LD_O; i += NUM_THREADS) Os[i] = 0.f;

    // Online-softmax state of one row, held (identically) by the two threads that
    // share it. Threads 32w..32w+31 hold rows 16w..16w+15: the warp's own WMMA rows.
    const int row = tid / 2;
    const int part = tid % 2;
    const int q_idx = m0 + row;
    float m_run = -INFINITY;  // running max of the scaled (log2-domain) scores
    float l_run = 0.f;        // running sum of exp2(score - m_run)

    T* warp_q = Qs + warp * 16 * L::LD_QKV;
    float* warp_s = Ss + warp * 16 * L::LD_S;
    T* warp_p = Ps + warp * 16 * L::LD_P;
    float* warp_o = Os + warp * 16 * L::LD_O;

    // Causal early termination: tiles wholly above the diagonal are never loaded.
    const int n_end = CAUSAL ? min(S, m0 + BLOCK_M) : S;
    for (int n0 = 0; n0 < n_end; n0 += BLOCK_N) {
        __syncthreads();  // every warp is done with the previous K/V tile
        load_tile<T, D, BLOCK_N>(Ks, K, n0, S, tid);
        load_tile<T, D, BLOCK_N>(Vs, V, n0, S, tid);
        __syncthreads();

        // Scores for this warp's 16 rows: S_w = Q_w K^T (fp32 accumulate).
        {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[BLOCK_N / 16];
#pragma unroll
            for (int j = 0; j < BLOCK_N / 16; ++j) wmma::fill_fragment(acc[j], 0.f);
#pragma unroll
            for (int kk = 0; kk < D; kk += 16) {
                wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
                wmma::load_matrix_sync(a, warp_q + kk, L::LD_QKV);
#pragma unroll
                for (int j = 0; j < BLOCK_N / 16; ++j) {
                    // K^T as a column-major matrix_b: element (d, key) is Ks[key][d].
                    wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> b;
                    wmma::load_matrix_sync(b, Ks + j * 16 * L::LD_QKV + kk, L::LD_QKV);
                    wmma::mma_sync(acc[j], a, b, acc[j]);
                }
            }
#pragma unroll
            for (int j = 0; j < BLOCK_N / 16; ++j)
                wmma::store_matrix_sync(warp_s + j * 16, acc[j], L::LD_S, wmma::mem_row_major);
        }
        __syncwarp();

        // Online softmax over this thread's half row.
        {
            const float* s_row = Ss + row * L::LD_S + part * COLS_PER_THREAD;
            const int key0 = n0 + part * COLS_PER_THREAD;
            float s[COLS_PER_THREAD];
            float tile_max = -INFINITY;
#pragma unroll
            for (int c = 0; c < COLS_PER_THREAD; ++c) {
                const int key = key0 + c;
                const bool visible = key < S && (!CAUSAL || key <= q_idx);
                s[c] = visible ? s_row[c] * scale_log2 : -INFINITY;
                // fmaxf skips a NaN score, but exp2f(NaN - m) below keeps it: NaN
                // inputs still reach the output.
                tile_max = fmaxf(tile_max, s[c]);
            }
            tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, 1));
            const float m_new = fmaxf(m_run, tile_max);
            // A row that has seen no visible key (only padding rows) keeps m = -inf;
            // subtracting 0 then gives exp2(-inf) = 0 instead of NaN.
            const float m_sub = (m_new == -INFINITY) ? 0.f : m_new;
            const float alpha = exp2f(m_run - m_sub);
            float tile_sum = 0.f;
            T* p_row = Ps + row * L::LD_P + part * COLS_PER_THREAD;
#pragma unroll
            for (int c = 0; c < COLS_PER_THREAD; ++c) {
                const float p = exp2f(s[c] - m_sub);
                tile_sum += p;
                p_row[c] = from_float<T>(p);
            }
            tile_sum += __shfl_xor_sync(0xffffffffu, tile_sum, 1);
            l_run = l_run * alpha + tile_sum;
            m_run = m_new;
            float* o_row = Os + row * L::LD_O + part * (D / 2);
#pragma unroll
            for (int c = 0; c < D / 2; ++c) o_row[c] *= alpha;
        }
        __syncwarp();

        // O_w += P_w V, accumulating in fp32 through the shared-memory copy of O.
#pragma unroll
        for (int j = 0; j < D / 16; ++j) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> o;
            wmma::load_matrix_sync(o, warp_o + j * 16, L::LD_O, wmma::mem_row_major);
#pragma unroll
            for (int kk = 0; kk < BLOCK_N; kk += 16) {
                wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
                wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> b;
                wmma::load_matrix_sync(a, warp_p + kk, L::LD_P);
                wmma::load_matrix_sync(b, Vs + kk * L::LD_QKV + j * 16, L::LD_QKV);
                wmma::mma_sync(o, a, b, o);
            }
            wmma::store_matrix_sync(warp_o + j * 16, o, L::LD_O, wmma::mem_row_major);
        }
        __syncwarp();
    }
    __syncwarp();

    if (q_idx < S) {
        const float inv_l = 1.f / l_run;
        const float* o_row = Os + row * L::LD_O + part * (D / 2);
        T* out = O + (size_t)q_idx * D + part * (D / 2);
#pragma unroll
        for (int c = 0; c < D / 2; ++c) out[c] = from_float<T>(o_row[c] * inv_l);
    }
}

}  // namespace hotpath
"""

# Host-side launchers (nvcc only): dispatch on dtype, head dim and causality.
HOST_SOURCE = r"""
namespace hotpath {

template <typename T, int D, bool CAUSAL>
int launch(const void* q, const void* k, const void* v, void* o, int64_t bh, int64_t S,
           float scale_log2, int64_t stream) {
    const size_t smem = Smem<D>::bytes(sizeof(T));
    auto kernel = flash_fwd_kernel<T, D, CAUSAL>;
    // More than the default 48 KiB of dynamic shared memory must be opted into.
    cudaError_t err = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem);
    if (err != cudaSuccess) return (int)err;
    const dim3 grid((unsigned)((S + BLOCK_M - 1) / BLOCK_M), (unsigned)bh);
    kernel<<<grid, NUM_THREADS, smem, reinterpret_cast<cudaStream_t>(stream)>>>(
        static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v),
        static_cast<T*>(o), (int)S, scale_log2);
    return (int)cudaGetLastError();
}

template <typename T, int D>
int launch_causal(bool causal, const void* q, const void* k, const void* v, void* o,
                  int64_t bh, int64_t S, float scale_log2, int64_t stream) {
    return causal ? launch<T, D, true>(q, k, v, o, bh, S, scale_log2, stream)
                  : launch<T, D, false>(q, k, v, o, bh, S, scale_log2, stream);
}

template <typename T>
int launch_dim(int D, bool causal, const void* q, const void* k, const void* v, void* o,
               int64_t bh, int64_t S, float scale_log2, int64_t stream) {
    switch (D) {
        case 16: return launch_causal<T, 16>(causal, q, k, v, o, bh, S, scale_log2, stream);
        case 32: return launch_causal<T, 32>(causal, q, k, v, o, bh, S, scale_log2, stream);
        case 64: return launch_causal<T, 64>(causal, q, k, v, o, bh, S, scale_log2, stream);
        case 128: return launch_causal<T, 128>(causal, q, k, v, o, bh, S, scale_log2, stream);
        default: return -1;
    }
}

}  // namespace hotpath

// dtype: 0 = float16, 1 = bfloat16. Returns a cudaError_t value (0 = success), or -1
// for an unsupported head dim.
int hotpath_flash_fwd(const void* q, const void* k, const void* v, void* o, int64_t bh,
                      int64_t S, int64_t D, bool causal, int64_t dtype, double scale_log2,
                      int64_t stream) {
    if (dtype == 0)
        return hotpath::launch_dim<__half>((int)D, causal, q, k, v, o, bh, S, (float)scale_log2, stream);
    return hotpath::launch_dim<__nv_bfloat16>((int)D, causal, q, k, v, o, bh, S, (float)scale_log2, stream);
}

size_t hotpath_flash_smem_bytes(int64_t D) {
    switch (D) {
        case 16: return hotpath::Smem<16>::bytes(2);
        case 32: return hotpath::Smem<32>::bytes(2);
        case 64: return hotpath::Smem<64>::bytes(2);
        case 128: return hotpath::Smem<128>::bytes(2);
        default: return 0;
    }
}

const char* hotpath_cuda_error_string(int code) {
    return code < 0 ? "unsupported head dim" : cudaGetErrorString((cudaError_t)code);
}
"""

# The torch-facing half, compiled by the host compiler: argument checks and the call.
BINDING_SOURCE = r"""
#include <torch/extension.h>

int hotpath_flash_fwd(const void* q, const void* k, const void* v, void* o, int64_t bh,
                      int64_t S, int64_t D, bool causal, int64_t dtype, double scale_log2,
                      int64_t stream);
size_t hotpath_flash_smem_bytes(int64_t D);
const char* hotpath_cuda_error_string(int code);

torch::Tensor forward(torch::Tensor q, torch::Tensor k, torch::Tensor v, bool causal,
                      int64_t stream) {
    TORCH_CHECK(q.is_cuda() && k.is_cuda() && v.is_cuda(), "q, k, v must be CUDA tensors");
    TORCH_CHECK(q.dim() == 4, "q must be [B, H, S, D]");
    TORCH_CHECK(k.sizes() == q.sizes() && v.sizes() == q.sizes(), "q, k, v must have the same shape");
    TORCH_CHECK(q.is_contiguous() && k.is_contiguous() && v.is_contiguous(), "inputs must be contiguous");
    TORCH_CHECK(k.scalar_type() == q.scalar_type() && v.scalar_type() == q.scalar_type(), "dtypes differ");
    int64_t dtype;
    if (q.scalar_type() == torch::kHalf) dtype = 0;
    else if (q.scalar_type() == torch::kBFloat16) dtype = 1;
    else TORCH_CHECK(false, "only float16 and bfloat16 are supported");
    const int64_t B = q.size(0), H = q.size(1), S = q.size(2), D = q.size(3);
    TORCH_CHECK(B * H <= 65535, "B * H must be at most 65535 (grid y limit)");
    TORCH_CHECK(S <= (int64_t)1 << 30, "sequence too long");
    auto out = torch::empty_like(q);
    if (out.numel() == 0) return out;
    const double scale_log2 = 1.4426950408889634 / std::sqrt((double)D);
    const int err = hotpath_flash_fwd(q.data_ptr(), k.data_ptr(), v.data_ptr(), out.data_ptr(),
                                      B * H, S, D, causal, dtype, scale_log2, stream);
    TORCH_CHECK(err == 0, "flash attention launch failed: ", hotpath_cuda_error_string(err),
                " (needs ", (int64_t)hotpath_flash_smem_bytes(D), " bytes of shared memory)");
    return out;
}
"""

_build_lock = threading.Lock()
_module = None


def _source_hash() -> str:
    return hashlib.sha256((CUDA_HEADERS + KERNEL_SOURCE + HOST_SOURCE + BINDING_SOURCE).encode()).hexdigest()[:12]


def _nvcc_path() -> str | None:
    from torch.utils import cpp_extension

    if cpp_extension.CUDA_HOME:
        candidate = shutil.which("nvcc", path=f"{cpp_extension.CUDA_HOME}/bin")
        if candidate:
            return candidate
    return shutil.which("nvcc")


def available() -> tuple[bool, str]:
    """Whether this machine can build and run the kernel, with the reason if not."""
    if torch.version.cuda is None:
        return False, f"torch {torch.__version__} is built without CUDA"
    if not torch.cuda.is_available():
        return False, "no CUDA device is visible to torch"
    if _nvcc_path() is None:
        return False, "nvcc not found (install the CUDA toolkit or set CUDA_HOME)"
    major, minor = torch.cuda.get_device_capability()
    if major < 8:
        return False, f"needs compute capability 8.0+ (bf16 tensor cores); device has {major}.{minor}"
    return True, "ok"


def _arch_flag(device: torch.device) -> str:
    # Hopper builds for sm_90 (not sm_90a: WMMA needs nothing arch-specific); every
    # other card for exactly its own arch, which also keeps the build short.
    major, minor = torch.cuda.get_device_capability(device)
    return f"-arch=sm_{major}{minor}"


def _load(device: torch.device):
    """Compile (or load the cached build of) the extension, once per process."""
    global _module
    with _build_lock:
        if _module is None:
            from torch.utils.cpp_extension import load_inline

            _module = load_inline(
                name=f"hotpath_flash_attn_{_source_hash()}",
                cpp_sources=[BINDING_SOURCE],
                cuda_sources=[CUDA_HEADERS + KERNEL_SOURCE + HOST_SOURCE],
                functions=["forward"],
                extra_cflags=["-O2"],
                extra_cuda_cflags=["-O3", _arch_flag(device), "-lineinfo"],
                verbose=False,
            )
        return _module


def build() -> None:
    """Compile now (e.g. before timing) rather than inside the first call."""
    ok, reason = available()
    if not ok:
        raise RuntimeError(f"CUDA attention kernel unavailable: {reason}")
    _load(torch.device("cuda", torch.cuda.current_device()))


def _prepare(t: torch.Tensor) -> torch.Tensor:
    # The kernel reads rows with 16-byte vector loads: it needs a contiguous tensor
    # whose start is 16-byte aligned (a view at an odd offset may not be).
    if not t.is_contiguous():
        return t.contiguous()
    if t.data_ptr() % 16:
        return t.clone()
    return t


def _check_inputs(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> None:
    if q.dim() != 4:
        raise ValueError(f"q must be [B, H, S, D], got shape {tuple(q.shape)}")
    if k.shape != q.shape or v.shape != q.shape:
        raise ValueError(
            f"q, k, v must have the same shape [B, H, S, D]; got "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if not (q.dtype == k.dtype == v.dtype) or q.dtype not in (torch.float16, torch.bfloat16):
        raise ValueError(f"q, k, v must all be float16 or all bfloat16; got {q.dtype}, {k.dtype}, {v.dtype}")
    if q.device.type != "cuda" or not (q.device == k.device == v.device):
        raise ValueError("q, k, v must be on the same CUDA device")
    if q.shape[-1] not in SUPPORTED_HEAD_DIMS:
        raise ValueError(f"head dim {q.shape[-1]} not supported; use one of {SUPPORTED_HEAD_DIMS}")


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """softmax(q k^T / sqrt(D)) v for float16/bfloat16 q, k, v of shape [B, H, S, D]."""
    _check_inputs(q, k, v)
    if _module is None:  # checked once: it looks for nvcc on disk, too slow per call
        ok, reason = available()
        if not ok:
            raise RuntimeError(f"CUDA attention kernel unavailable: {reason}")
    if q.numel() == 0:
        return torch.empty_like(q)
    q, k, v = (_prepare(t) for t in (q, k, v))
    with torch.cuda.device(q.device):
        module = _load(q.device)
        stream = torch.cuda.current_stream(q.device).cuda_stream
        return module.forward(q, k, v, bool(causal), stream)
