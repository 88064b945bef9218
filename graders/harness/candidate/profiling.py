"""The worker's side of the profile grader: run staged calls under torch.profiler.

Runs in the candidate's process, so the summary is informational (it never changes a
verdict or a score); the supervisor re-checks its types and sizes. The trace is Chrome
trace JSON (opens in Perfetto, chrome://tracing and TensorBoard's profile plugin).
"""
from __future__ import annotations

import gzip
import json
import os
import resource
import tempfile

import torch

TOP_N = 15


def profile_calls(fn, staged: list[dict], device: torch.device, *, sync, trace_cap: int) -> tuple[dict, bytes]:
    """(summary, gzipped trace or b"" when over `trace_cap`)."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU]
    if device.type == "cuda":
        activities.append(ProfilerActivity.CUDA)
        torch.cuda.reset_peak_memory_stats(device)
    sync()
    with profile(activities=activities, record_shapes=False, profile_memory=True) as prof:
        for kwargs in staged:
            fn(**kwargs)
            sync()
    summary = summarize(prof, calls=len(staged), device=device)
    return summary, _trace_bytes(prof, trace_cap, summary)


def summarize(prof, *, calls: int, device: torch.device) -> dict:
    rows = []
    for avg in prof.key_averages():
        device_us = float(getattr(avg, "self_device_time_total", 0.0) or getattr(avg, "self_cuda_time_total", 0.0) or 0.0)
        rows.append({"name": str(avg.key)[:200], "count": int(avg.count), "self_cpu_us": float(avg.self_cpu_time_total), "self_device_us": device_us})
    events = prof.events()
    kernels = [e for e in events if _is_kernel(e)]
    summary = {
        "calls": calls,
        "activities": ["cpu", "cuda"] if device.type == "cuda" else ["cpu"],
        "top_ops_by_self_cpu": sorted(rows, key=lambda r: -r["self_cpu_us"])[:TOP_N],
        "kernel_count": len(kernels),
        "launches_per_call": len(kernels) / calls if calls else None,
        "cpu_ops_per_call": sum(1 for e in events if not _is_kernel(e)) / calls if calls else None,
    }
    if device.type == "cuda":
        summary["top_kernels_by_device_time"] = _top_kernels(kernels)
        summary.update(_gaps(kernels))
        summary["peak_memory_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
        summary["peak_memory_method"] = "torch.cuda.max_memory_allocated over the profiled calls"
    else:
        summary["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        summary["peak_memory_method"] = "peak resident set size of the worker process (ru_maxrss)"
    return summary


def _is_kernel(event) -> bool:
    kind = getattr(event, "device_type", None)
    return kind is not None and str(kind).endswith("CUDA")


def _top_kernels(kernels) -> list[dict]:
    totals: dict[str, list[float]] = {}
    for e in kernels:
        entry = totals.setdefault(str(e.name)[:200], [0, 0.0])
        entry[0] += 1
        entry[1] += float(e.time_range.elapsed_us())
    ranked = sorted(totals.items(), key=lambda kv: -kv[1][1])[:TOP_N]
    return [{"name": name, "count": count, "device_us": us} for name, (count, us) in ranked]


def _gaps(kernels) -> dict:
    """Device idle time between consecutive kernels, over the span they cover."""
    spans = sorted((float(e.time_range.start), float(e.time_range.end)) for e in kernels)
    if len(spans) < 2:
        return {"device_busy_us": sum(e - s for s, e in spans), "idle_gap_us": 0.0, "idle_fraction": 0.0, "largest_gap_us": 0.0}
    busy, idle, largest, reach = 0.0, 0.0, 0.0, spans[0][0]
    for start, end in spans:
        if start > reach:
            gap = start - reach
            idle += gap
            largest = max(largest, gap)
        busy += max(0.0, end - max(start, reach))
        reach = max(reach, end)
    span = reach - spans[0][0]
    return {"device_busy_us": busy, "idle_gap_us": idle, "idle_fraction": idle / span if span > 0 else 0.0, "largest_gap_us": largest}


def _trace_bytes(prof, cap: int, summary: dict) -> bytes:
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        prof.export_chrome_trace(path)
        with open(path, "rb") as fh:
            raw = fh.read()
    finally:
        os.unlink(path)
    # Validate before shipping: the supervisor re-parses it anyway.
    json.loads(raw)
    packed = gzip.compress(raw, compresslevel=6)
    summary["trace_raw_bytes"] = len(raw)
    if len(packed) > cap:
        summary["trace_dropped"] = f"the gzipped trace is {len(packed)} bytes, over the {cap}-byte cap"
        return b""
    return packed
