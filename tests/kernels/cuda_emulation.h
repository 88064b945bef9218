// A small CPU emulation of the CUDA features kernels/cuda_attention.py uses, so that
// its device code (the very same source string) can be compiled with g++ and checked
// for logic errors on a machine without a GPU: indexing, masking, online softmax,
// synchronisation placement.
//
// Model: one std::thread per CUDA thread, one block at a time. __syncthreads is a
// std::barrier over the block, __syncwarp one over the warp, __shfl_xor_sync an
// exchange through a per-warp buffer between two warp barriers. A WMMA fragment holds
// the whole 16x16 tile in every lane (its real layout is opaque, so a kernel cannot
// tell the difference); only lane 0 stores it, so a missing __syncwarp before other
// lanes read the result shows up as wrong answers. Shared memory is filled with 0xFF
// (NaN as float, half and bfloat16) before each block so reading it before writing
// it poisons the output. 16-bit types round to nearest even, like the hardware.
//
// What it cannot catch: timing-dependent races between warps that a barrier happens
// to order here, bank conflicts, register limits, anything about performance.
#pragma once

#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__
#define __align__(n) __attribute__((aligned(n)))
#define __restrict__ __restrict

// ---- vector and index types ------------------------------------------------------
struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct alignas(16) uint4 { unsigned x, y, z, w; };
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }

inline thread_local dim3 threadIdx, blockIdx;
inline dim3 gridDim, blockDim;

inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }

[[noreturn]] inline void emu_fail(const char* what) {
    std::fprintf(stderr, "cuda emulation: %s\n", what);
    std::abort();
}

// ---- 16-bit floating point types ---------------------------------------------------
struct __half { uint16_t bits; };
struct __nv_bfloat16 { uint16_t bits; };

inline float __half2float(__half h) {
    _Float16 f;
    std::memcpy(&f, &h.bits, 2);
    return (float)f;
}
inline __half __float2half_rn(float x) {
    _Float16 f = (_Float16)x;  // IEEE round to nearest even
    __half h;
    std::memcpy(&h.bits, &f, 2);
    return h;
}
inline float __bfloat162float(__nv_bfloat16 b) {
    uint32_t u = (uint32_t)b.bits << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
inline __nv_bfloat16 __float2bfloat16_rn(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    if (std::isnan(x)) return {(uint16_t)0x7FC0};
    u += 0x7FFFu + ((u >> 16) & 1u);  // round to nearest even
    return {(uint16_t)(u >> 16)};
}
inline float emu_to_float(__half h) { return __half2float(h); }
inline float emu_to_float(__nv_bfloat16 b) { return __bfloat162float(b); }
inline float emu_to_float(float f) { return f; }

// ---- block and warp synchronisation ----------------------------------------------
struct EmuWarp {
    std::barrier<> bar{32};
    float exchange[32];
};
struct EmuBlock {
    std::unique_ptr<std::barrier<>> bar;
    std::vector<std::unique_ptr<EmuWarp>> warps;
};
inline thread_local EmuBlock* emu_block = nullptr;

inline unsigned emu_lane() { return threadIdx.x % 32; }
inline EmuWarp& emu_warp() { return *emu_block->warps[threadIdx.x / 32]; }

inline void __syncthreads() { emu_block->bar->arrive_and_wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu_warp().bar.arrive_and_wait(); }

inline float __shfl_xor_sync(unsigned mask, float value, int lane_mask) {
    if (mask != 0xffffffffu) emu_fail("only full-warp shuffles are emulated");
    EmuWarp& w = emu_warp();
    w.exchange[emu_lane()] = value;
    w.bar.arrive_and_wait();
    const float other = w.exchange[emu_lane() ^ (unsigned)lane_mask];
    w.bar.arrive_and_wait();  // nobody overwrites the buffer before all have read it
    return other;
}

// ---- WMMA -------------------------------------------------------------------------
namespace nvcuda {
namespace wmma {

struct row_major {};
struct col_major {};
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
enum layout_t { mem_row_major, mem_col_major };

template <typename Use, int M, int N, int K, typename T, typename Layout = void>
struct fragment {
    static constexpr int ROWS = std::is_same_v<Use, matrix_b> ? K : M;
    static constexpr int COLS = std::is_same_v<Use, matrix_a> ? K : N;
    float x[ROWS * COLS];  // the whole tile, row-major, in every lane
};

template <typename T>
inline void emu_check(const T* ptr, unsigned ldm) {
    // The hardware's rules: 256-bit aligned pointers, ldm a multiple of 16 bytes.
    if (reinterpret_cast<uintptr_t>(ptr) % 32) emu_fail("wmma pointer not 32-byte aligned");
    if ((ldm * sizeof(T)) % 16) emu_fail("wmma ldm not a multiple of 16 bytes");
}

template <typename Use, int M, int N, int K, typename T, typename Layout, typename S>
inline void load_matrix_sync(fragment<Use, M, N, K, T, Layout>& f, const S* ptr, unsigned ldm) {
    using F = fragment<Use, M, N, K, T, Layout>;
    emu_check(ptr, ldm);
    for (int r = 0; r < F::ROWS; ++r)
        for (int c = 0; c < F::COLS; ++c)
            f.x[r * F::COLS + c] = emu_to_float(std::is_same_v<Layout, row_major>
                                                    ? ptr[r * ldm + c] : ptr[c * ldm + r]);
}

template <int M, int N, int K>
inline void load_matrix_sync(fragment<accumulator, M, N, K, float>& f, const float* ptr,
                             unsigned ldm, layout_t layout) {
    emu_check(ptr, ldm);
    for (int r = 0; r < M; ++r)
        for (int c = 0; c < N; ++c)
            f.x[r * N + c] = layout == mem_row_major ? ptr[r * ldm + c] : ptr[c * ldm + r];
}

template <int M, int N, int K>
inline void store_matrix_sync(float* ptr, const fragment<accumulator, M, N, K, float>& f,
                              unsigned ldm, layout_t layout) {
    emu_check(ptr, ldm);
    if (emu_lane() != 0) return;
    for (int r = 0; r < M; ++r)
        for (int c = 0; c < N; ++c)
            (layout == mem_row_major ? ptr[r * ldm + c] : ptr[c * ldm + r]) = f.x[r * N + c];
}

template <typename Use, int M, int N, int K, typename T, typename Layout>
inline void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, float v) {
    for (float& e : f.x) e = v;
}

template <int M, int N, int K, typename T, typename LA, typename LB>
inline void mma_sync(fragment<accumulator, M, N, K, float>& d,
                     const fragment<matrix_a, M, N, K, T, LA>& a,
                     const fragment<matrix_b, M, N, K, T, LB>& b,
                     const fragment<accumulator, M, N, K, float>& c) {
    float out[M * N];
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float acc = c.x[i * N + j];
            for (int k = 0; k < K; ++k) acc += a.x[i * K + k] * b.x[k * N + j];
            out[i * N + j] = acc;
        }
    std::memcpy(d.x, out, sizeof(out));
}

}  // namespace wmma
}  // namespace nvcuda

// ---- launching ------------------------------------------------------------------
// Runs kernel(args...) over the grid, one block at a time, with a fresh shared-memory
// buffer per block filled with 0xFF bytes.
template <typename Kernel, typename... Args>
void emu_launch(Kernel kernel, dim3 grid, dim3 block, unsigned char* smem, size_t smem_bytes,
                Args... args) {
    if (block.y != 1 || block.z != 1 || block.x % 32) emu_fail("only 1-D blocks of whole warps");
    gridDim = grid;
    blockDim = block;
    for (unsigned by = 0; by < grid.y; ++by)
        for (unsigned bx = 0; bx < grid.x; ++bx) {
            std::memset(smem, 0xFF, smem_bytes);
            EmuBlock blk;
            blk.bar = std::make_unique<std::barrier<>>(block.x);
            for (unsigned w = 0; w < block.x / 32; ++w) blk.warps.push_back(std::make_unique<EmuWarp>());
            std::vector<std::thread> threads;
            threads.reserve(block.x);
            for (unsigned t = 0; t < block.x; ++t)
                threads.emplace_back([&, t] {
                    threadIdx = dim3(t);
                    blockIdx = dim3(bx, by);
                    emu_block = &blk;
                    kernel(args...);
                });
            for (auto& th : threads) th.join();
        }
}
