#!/usr/bin/env python
"""Benchmark the fused-attention reference kernels against SDPA on one CUDA GPU.

    python scripts/bench_attention.py                 # the full grid (~1-2 min cold)
    python scripts/bench_attention.py --seq 1000 2048 --dtypes fp16 --repeats 50

Times, at B=4, H=16, D=64, S in (128, 512, 1000, 2048, 4096), float16 and bfloat16,
causal and not:

* ``sdpa``   torch.nn.functional.scaled_dot_product_attention (the baseline)
* ``triton`` kernels.triton_attention.attention (autotuned on its first call)
* ``cuda``   kernels.cuda_attention.attention (built with nvcc on its first call)
* ``naive``  softmax(q k^T * scale) v with three torch ops

Method: each call is captured in a CUDA graph (falling back to plain launches if
capture fails; the table says which), and each sample is one replay between CUDA
events, preceded by a write of a 256 MiB buffer so that every sample starts with a
cold L2. The implementations are sampled round-robin, so clock and power drift hits
them alike. Reported: median and IQR over ``--repeats`` samples, TFLOP/s from the
median, and the median's ratio to SDPA's (lower is faster; 1.10 = 10% slower).
Compilation and autotuning happen in a warm-up pass that is timed separately.

Each output's relative L2 error is checked against a float64 reference computed on
the first batch element and first two heads (rows of attention are independent, so
that slice is exact).

Needs only torch (and triton for the Triton kernel); no Django.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

# Run from anywhere: the repository root holds the `kernels` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}
TOLERANCE = {torch.float16: 2e-3, torch.bfloat16: 1e-2}  # the challenge's CUDA tolerances
L2_FLUSH_BYTES = 256 * 1024 * 1024  # well above any current L2 (H100: 50 MB, H200: 60 MB)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--heads", type=int, default=16)
    p.add_argument("--head-dim", type=int, default=64)
    p.add_argument("--seq", type=int, nargs="+", default=[128, 512, 1000, 2048, 4096])
    p.add_argument("--dtypes", nargs="+", choices=sorted(DTYPES), default=["fp16", "bf16"])
    p.add_argument("--causal", choices=["both", "yes", "no"], default="both")
    p.add_argument("--impls", nargs="+", default=["sdpa", "triton", "cuda", "naive"],
                   choices=["sdpa", "triton", "cuda", "naive"])
    p.add_argument("--repeats", type=int, default=30, help="timed samples per implementation and shape")
    return p.parse_args(argv)


# ----------------------------------------------------------------- implementations

def naive_attention(q, k, v, causal=False):
    scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))
    if causal:
        S = q.shape[-2]
        hidden = torch.ones(S, S, dtype=torch.bool, device=q.device).triu_(1)
        scores = scores.masked_fill(hidden, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def sdpa(q, k, v, causal=False):
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


def load_implementations(names: list[str]) -> tuple[dict[str, Callable], dict[str, str]]:
    """The implementations that can run here, and why the others cannot."""
    impls: dict[str, Callable] = {}
    missing: dict[str, str] = {}
    for name in names:
        if name == "sdpa":
            impls[name] = sdpa
        elif name == "naive":
            impls[name] = naive_attention
        elif name == "triton":
            try:
                from kernels import triton_attention
                impls[name] = triton_attention.attention
            except Exception as exc:  # triton missing or broken: report, keep going
                missing[name] = f"{type(exc).__name__}: {exc}"
        elif name == "cuda":
            from kernels import cuda_attention
            ok, reason = cuda_attention.available()
            if ok:
                impls[name] = cuda_attention.attention
                # nvcc runs in subprocesses: build while Triton compiles and tunes. The
                # first call waits for the build; a failed build fails that call.
                threading.Thread(target=_build_quietly, args=(cuda_attention,), daemon=True).start()
            else:
                missing[name] = reason
    return impls, missing


def _build_quietly(module) -> None:
    try:
        module.build()
    except Exception:
        pass  # reported by the first call, which retries the build


# -------------------------------------------------------------------------- timing

class Timed:
    """One implementation on one input, ready to replay: a CUDA graph when possible."""

    def __init__(self, fn: Callable[[], torch.Tensor]):
        self.fn = fn
        self.graph = None
        self.method = "eager"
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(2):  # warm caches, allocator and autotuner outside capture
                fn()
        torch.cuda.current_stream().wait_stream(stream)
        torch.cuda.synchronize()
        try:
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                fn()
            torch.cuda.synchronize()
            self.graph, self.method = graph, "graph"
        except Exception:
            # Some launches cannot be captured; time them eagerly and say so.
            torch.cuda.synchronize()

    def run(self) -> None:
        if self.graph is not None:
            self.graph.replay()
        else:
            self.fn()


def sample_round_robin(timed: dict[str, Timed], repeats: int) -> dict[str, list[float]]:
    flush = torch.empty(L2_FLUSH_BYTES, dtype=torch.uint8, device="cuda")
    events = {name: [] for name in timed}
    for _ in range(repeats):
        for name, t in timed.items():
            flush.zero_()  # evict L2 so no sample benefits from its predecessor's data
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            t.run()
            end.record()
            events[name].append((start, end))
    torch.cuda.synchronize()
    return {name: [s.elapsed_time(e) for s, e in pairs] for name, pairs in events.items()}


def summarise(samples: list[float]) -> dict[str, float]:
    q1, q2, q3 = statistics.quantiles(samples, n=4) if len(samples) > 1 else (samples[0],) * 3
    return {"median": statistics.median(samples), "iqr": q3 - q1, "n": len(samples)}


# ----------------------------------------------------------------------- correctness

def reference_slice(q, k, v, causal):
    q, k, v = (t[:1, :2].double() for t in (q, k, v))
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if causal:
        S = q.shape[-2]
        scores = scores.masked_fill(torch.ones(S, S, dtype=torch.bool, device=q.device).triu_(1), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def rel_error(out: torch.Tensor, ref: torch.Tensor) -> float:
    out = out[:1, :2].double()
    if not torch.isfinite(out).all():
        return math.inf
    return ((out - ref).norm() / ref.norm()).item()


# ---------------------------------------------------------------------------- main

def flops(B, H, S, D, causal) -> float:
    # Two matmuls of 2*S*S*D each per head; causal does about half the work.
    total = 4.0 * B * H * S * S * D
    return total / 2 if causal else total


def environment_lines() -> list[str]:
    props = torch.cuda.get_device_properties(0)
    try:
        import triton
        triton_version = triton.__version__
    except Exception:
        triton_version = "not installed"
    return [
        f"device: {props.name} (sm_{props.major}{props.minor}, {props.multi_processor_count} SMs, "
        f"{props.total_memory / 2**30:.0f} GiB)",
        f"torch {torch.__version__} (CUDA {torch.version.cuda}), triton {triton_version}",
        "method: CUDA-graph replay (else eager) between CUDA events, 256 MiB L2 flush before each "
        "sample, implementations interleaved; median and IQR",
    ]


def bench_shape(impls, B, H, S, D, dtype, causal, repeats) -> list[dict]:
    g = torch.Generator(device="cuda").manual_seed(S)
    q, k, v = (torch.randn(B, H, S, D, device="cuda", dtype=dtype, generator=g) for _ in range(3))
    ref = reference_slice(q, k, v, causal)
    timed, rows = {}, []
    for name, fn in impls.items():
        row = {"impl": name}
        try:
            t0 = time.perf_counter()
            out = fn(q, k, v, causal)  # first call: compiles / autotunes
            torch.cuda.synchronize()
            row["warmup_s"] = time.perf_counter() - t0
            row["rel_err"] = rel_error(out, ref)
            del out
            timed[name] = Timed(lambda fn=fn: fn(q, k, v, causal))
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            row["error"] = "out of memory"
        except Exception as exc:  # one failing implementation must not hide the others
            row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
        rows.append(row)
    samples = sample_round_robin(timed, repeats) if timed else {}
    for row in rows:
        if row["impl"] in samples:
            row.update(summarise(samples[row["impl"]]))
            row["method"] = timed[row["impl"]].method
            row["tflops"] = flops(B, H, S, D, causal) / (row["median"] * 1e-3) / 1e12
    base = next((r["median"] for r in rows if r["impl"] == "sdpa" and "median" in r), None)
    for row in rows:
        row["ratio"] = row["median"] / base if base and "median" in row else None
    del timed, q, k, v
    torch.cuda.empty_cache()
    return rows


def format_row(dtype_name, causal, S, row) -> str:
    head = f"{dtype_name:5} {('yes' if causal else 'no'):6} {S:5d} {row['impl']:7}"
    if "error" in row:
        return f"{head} {'failed: ' + row['error']}"
    ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
    err = row["rel_err"]
    tol = TOLERANCE[DTYPES[dtype_name]]
    err_flag = "" if err <= tol else "  <-- above tolerance"
    return (f"{head} {row['median']:10.4f} {row['iqr']:9.4f} {row['n']:4d} {row['method']:6} "
            f"{row['tflops']:8.1f} {ratio:>7} {err:10.2e}{err_flag}")


def main(argv=None) -> int:
    args = parse_args(argv)
    if not torch.cuda.is_available():
        print("bench_attention: no CUDA device is available (torch "
              f"{torch.__version__}, CUDA {torch.version.cuda}); this benchmark needs a GPU.",
              file=sys.stderr)
        return 2
    impls, missing = load_implementations(args.impls)
    for line in environment_lines():
        print(line)
    for name, reason in missing.items():
        print(f"skipping {name}: {reason}")
    B, H, D = args.batch, args.heads, args.head_dim
    print(f"shape: B={B} H={H} D={D}; ratio = median / SDPA median (lower is faster)")
    print(f"{'dtype':5} {'causal':6} {'S':>5} {'impl':7} {'median ms':>10} {'IQR ms':>9} "
          f"{'n':>4} {'method':6} {'TFLOP/s':>8} {'vs SDPA':>7} {'rel err':>10}")
    causal_options = {"both": [False, True], "yes": [True], "no": [False]}[args.causal]
    started = time.perf_counter()
    warmup_total = 0.0
    for dtype_name in args.dtypes:
        for causal in causal_options:
            for S in args.seq:
                rows = bench_shape(impls, B, H, S, D, DTYPES[dtype_name], causal, args.repeats)
                warmup_total += sum(r.get("warmup_s", 0.0) for r in rows)
                for row in rows:
                    print(format_row(dtype_name, causal, S, row), flush=True)
    print(f"total {time.perf_counter() - started:.1f} s, of which first calls (compile, autotune) "
          f"{warmup_total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
