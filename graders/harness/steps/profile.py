"""The profile grader: a torch.profiler summary of the candidate's calls, the trace for
download, whether Nsight Compute can read counters here and, where it can, an ncu summary
of the candidate's kernels (graders/harness/ncu.py).

Informational: it never changes a verdict or a score (the worker produces the figures, so
they are the candidate's to distort; the supervisor only bounds and re-checks them). The
trace (Chrome trace JSON, gzipped) travels base64-encoded in `metrics.profile.trace_gz_b64`
when it fits the cap, for the platform to store as a download; it opens in Perfetto
(ui.perfetto.dev), chrome://tracing and TensorBoard's profile plugin.
"""
from __future__ import annotations

import base64
import gzip
import json
from typing import TYPE_CHECKING

from graders.harness.ncu import ncu_status, run_ncu_pass, timed_inputs
from graders.harness.steps import step

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

PROFILED_CALLS = 5
TRACE_CAP = 768 * 1024  # gzipped bytes; the whole result line is capped at 2 MiB
SUMMARY_KEYS = {
    "calls": int, "activities": list, "top_ops_by_self_cpu": list, "kernel_count": int, "launches_per_call": (int, float, type(None)),
    "cpu_ops_per_call": (int, float, type(None)), "top_kernels_by_device_time": list, "device_busy_us": (int, float), "idle_gap_us": (int, float),
    "idle_fraction": (int, float), "largest_gap_us": (int, float), "peak_memory_mb": (int, float), "peak_memory_method": str,
    "trace_raw_bytes": int, "trace_dropped": str,
}


@step("profile")
def profile(session: "Session") -> None:
    case, specs, tensors = timed_inputs(session, label="profile", count=PROFILED_CALLS)
    timeout = session.call_timeout() * (PROFILED_CALLS + 2)
    session.answer(session.candidate, {"op": "stage", "sets": specs}, tensors, timeout=timeout)
    reply, blobs = session.answer(session.candidate, {"op": "profile", "trace_cap": TRACE_CAP}, timeout=timeout, max_bytes=TRACE_CAP + 4096)
    summary = _clean(reply.get("summary"))
    summary["case"] = case.name
    trace = bytes(blobs[0].numpy().tobytes()) if blobs and blobs[0].numel() else b""
    if trace:
        problem = _trace_problem(trace)
        if problem:
            summary["trace_dropped"] = problem
        else:
            summary["trace_gz_b64"] = base64.b64encode(trace).decode()
            summary["trace_format"] = "Chrome trace JSON, gzip, base64 (Perfetto, chrome://tracing, TensorBoard)"
    summary["ncu"] = run_ncu_pass(session, status=ncu_status(session.device))
    session.metrics["profile"] = summary
    session.add_check("profile", "pass", _detail(summary))


def _clean(summary) -> dict:
    """Keep only the known keys with the expected types, strings and lists bounded."""
    if not isinstance(summary, dict):
        return {"error": "the worker sent no profile summary"}
    clean = {}
    for key, kind in SUMMARY_KEYS.items():
        value = summary.get(key)
        if value is None or not isinstance(value, kind) or isinstance(value, bool):
            continue
        if isinstance(value, list):
            value = [_row(v) for v in value[:20] if isinstance(v, (dict, str))]
        elif isinstance(value, str):
            value = value[:300]
        clean[key] = value
    return clean


def _row(value):
    if isinstance(value, str):
        return value[:50]
    return {str(k)[:40]: (v[:200] if isinstance(v, str) else v) for k, v in list(value.items())[:8] if isinstance(v, (str, int, float)) and not isinstance(v, bool)}


def _trace_problem(trace: bytes) -> str | None:
    try:
        raw = gzip.decompress(trace)
        if len(raw) > 64 << 20:
            return "the trace is over 64 MiB unpacked"
        doc = json.loads(raw)
    except (OSError, EOFError, ValueError) as exc:
        return f"the trace is not gzipped JSON: {exc}"[:200]
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return "the trace has no traceEvents list"
    return None


def _detail(summary: dict) -> str:
    parts = [f"{summary.get('calls', 0)} call(s) of {summary.get('case')}"]
    if summary.get("launches_per_call") is not None and "cuda" in summary.get("activities", []):
        parts.append(f"{summary['launches_per_call']:.1f} kernel launches per call")
    if "idle_fraction" in summary:
        parts.append(f"device idle {summary['idle_fraction']:.0%} of the kernel span")
    if "peak_memory_mb" in summary:
        parts.append(f"peak memory {summary['peak_memory_mb']:.0f} MiB")
    parts.append("trace attached" if "trace_gz_b64" in summary else f"no trace ({summary.get('trace_dropped', 'none produced')})")
    parts.append(_ncu_detail(summary["ncu"]))
    return "; ".join(parts)


def _ncu_detail(ncu: dict) -> str:
    if ncu.get("error"):
        return f"ncu: {ncu['status']}, but the pass failed ({ncu['error'][:120]})"
    if not ncu.get("kernels"):
        return f"ncu: {ncu['status']}"
    top = ncu["kernels"][0]
    return f"ncu: {ncu['kernel_count']} kernels, top {top['name'][:60]} {top['total_us']:.1f} µs {top['bound']}"
