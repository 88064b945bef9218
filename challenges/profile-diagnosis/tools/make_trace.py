"""Makes `starter/trace.json`: a real torch.profiler trace of a deliberately flawed
inference loop, on the CPU.

    .venv/bin/python challenges/profile-diagnosis/tools/make_trace.py

The loop classifies batches of 48 feature rows with a small MLP, and carries the flaws
that make a GPU idle in production: a per-row Python preprocessing loop (many tiny ops),
and a per-row `.item()` in postprocessing (on a GPU, each one is a host-device sync that
drains the launch queue). Each step is annotated with `record_function`: `step`, and inside
it `load`, `preprocess`, `forward`, `postprocess`. Re-running gives a new trace with
different timings; `python -m graders` recomputes every answer from the trace it grades
against, and the reference answers must then be updated (validate shows the difference).
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile, record_function

STEPS = 5
BATCH = 48
FEATURES = 256
HIDDEN = 128
CLASSES = 100
OUT = Path(__file__).resolve().parent.parent / "starter" / "trace.json"


def make_model(generator):
    return [
        (torch.randn(FEATURES, HIDDEN, generator=generator) / FEATURES**0.5, torch.zeros(HIDDEN)),
        (torch.randn(HIDDEN, HIDDEN, generator=generator) / HIDDEN**0.5, torch.zeros(HIDDEN)),
        (torch.randn(HIDDEN, CLASSES, generator=generator) / HIDDEN**0.5, torch.zeros(CLASSES)),
    ]


def step(model, records, mean, std):
    with record_function("step"):
        with record_function("load"):
            batch = torch.tensor(records, dtype=torch.float32)
        with record_function("preprocess"):
            rows = []
            for row in batch:  # flaw: one tiny op chain per row instead of one batched op
                row = row.clamp(0.0, 1.0)
                row = (row - mean) / std
                rows.append(row.unsqueeze(0))
            x = torch.cat(rows)
        with record_function("forward"):
            for i, (weight, bias) in enumerate(model):
                x = torch.addmm(bias, x, weight)
                if i < len(model) - 1:
                    x = torch.relu(x)
        with record_function("postprocess"):
            probs = torch.softmax(x, dim=-1)
            labels = []
            for i in range(probs.shape[0]):  # flaw: per-row top-5 and host syncs
                top = probs[i].topk(5)
                entropy = -(probs[i] * probs[i].clamp_min(1e-12).log()).sum()
                labels.append((int(top.indices[0].item()), float(top.values[0].item()), float(entropy.item())))
    return labels


MAX_ATTEMPTS = 10
PREEMPTED_US = 500.0


def _preempted(trace: dict) -> int:
    """Ops that took over half a millisecond here were descheduled, not slow (the largest,
    an addmm, takes ~0.1 ms): the least disturbed of several traces is kept."""
    return sum(1 for e in trace["traceEvents"] if e.get("ph") == "X" and e.get("cat") == "cpu_op" and e.get("dur", 0) > PREEMPTED_US)


def main() -> int:
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(7)
    model = make_model(generator)
    mean = torch.full((FEATURES,), 0.5)
    std = torch.full((FEATURES,), 0.25)
    batches = [torch.rand(BATCH, FEATURES, generator=generator).tolist() for _ in range(STEPS + 1)]
    step(model, batches[0], mean, std)  # warm-up, outside the trace
    best = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for records in batches[1:]:
                step(model, records, mean, std)
        raw = OUT.with_suffix(".raw.json")
        prof.export_chrome_trace(str(raw))
        trace = json.loads(raw.read_text())
        raw.unlink()
        hits = _preempted(trace)
        if best is None or hits < best[0]:
            best = (hits, trace)
        if not hits:
            break
        print(f"attempt {attempt}: {hits} op(s) took over {PREEMPTED_US:g} us (descheduled by the OS); profiling again")
    trace = best[1]
    # Keep what the questions need and drop host-specific metadata (paths, hostnames).
    events = [e for e in trace["traceEvents"] if e.get("ph") == "X" and e.get("cat") in ("cpu_op", "user_annotation")]
    for e in events:
        e.pop("args", None)
    OUT.write_text(json.dumps({"traceEvents": events, "displayTimeUnit": "ms", "hotpath": {"steps": STEPS, "batch": BATCH, "torch": torch.__version__}}, indent=None, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB, {len(events)} events, gzip {len(gzip.compress(OUT.read_bytes())) / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
