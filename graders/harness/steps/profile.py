"""The profile grader: a torch.profiler summary of the candidate's calls, the trace for
download, and an Nsight Compute verdict on whether counters can be read here.

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
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

from graders.harness.package import split_tensors
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
    case_index, case = next((i, c) for i, c in enumerate(session.challenge.cases()) if c.timed)
    dtype = session.device_spec["params"].get("timed_dtype", session.dtypes()[0])
    sets = [session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for("profile", i)) for i in range(PROFILED_CALLS)]
    specs, tensors = [], []
    for inputs in sets:
        spec, ts = split_tensors(inputs)
        specs.append({k: ({"tensor": v["tensor"] + len(tensors)} if isinstance(v, dict) else v) for k, v in spec.items()})
        tensors.extend(ts)
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
    summary["ncu"] = ncu_status(session.device)
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
    parts.append(f"ncu: {summary['ncu']['status']}")
    return "; ".join(parts)


_NCU_CACHE: dict | None = None
NCU_PROBE = "import torch; x = torch.ones(1024, device='cuda'); (x * 2).sum().item()"


def ncu_status(device) -> dict:
    """Whether Nsight Compute is installed and can read performance counters on this host.

    `ncu` refuses counters unless the driver allows non-admin profiling (ERR_NVGPUCTRPERM), and
    inside many containers it cannot at all; the probe profiles one trusted kernel and says which.
    The candidate's kernels are not run under ncu here (that needs the worker started under it).
    """
    global _NCU_CACHE
    if _NCU_CACHE is not None:
        return _NCU_CACHE
    if device.type != "cuda":
        _NCU_CACHE = {"status": "not applicable (cpu)"}
    elif not shutil.which("ncu"):
        _NCU_CACHE = {"status": "not installed"}
    else:
        _NCU_CACHE = _probe_ncu()
    return _NCU_CACHE


def _probe_ncu() -> dict:
    cmd = ["ncu", "--metrics", "gpu__time_duration.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed", "--csv", "--launch-count", "1", sys.executable, "-c", NCU_PROBE]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        return {"status": f"failed to run: {exc}"[:200]}
    text = proc.stdout + proc.stderr
    if "ERR_NVGPUCTRPERM" in text:
        return {"status": "installed, counters not permitted (ERR_NVGPUCTRPERM)"}
    if "gpu__time_duration.sum" in text and proc.returncode == 0:
        return {"status": "counters readable", "probe_csv_tail": proc.stdout.strip().splitlines()[-1][:300]}
    return {"status": f"installed, probe failed (exit {proc.returncode})", "output_tail": text.strip()[-300:]}
