"""The core sandbox-stage graders: correctness and latency."""
from __future__ import annotations

import math
import random
import time
from typing import TYPE_CHECKING

import torch

from graders.harness import stats
from graders.harness.channel import DTYPES
from graders.harness.compare import compare
from graders.harness.package import Case, split_tensors
from graders.harness.steps import step
from graders.harness.workers import Outcome, WorkerProcess

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

# Wall-clock agreement: in-process per-batch sums may undercut the supervisor's wall clock
# (minus the harness's own per-call overhead, measured on the trusted baseline worker)
# by at most this fraction plus a fixed slack for one socket round trip.
WALL_MARGIN = 0.15
WALL_SLACK_NS = {"cpu": 3_000_000, "cuda": 500_000}
CI_TARGET = 0.01
MIN_ROUNDS = 3
BATCH_TARGET_S = 0.02
MAX_BATCH = 64
STAGED_BYTES_CAP = 1 << 30


def call_and_check(session: "Session", case: Case, dtype: str, inputs: dict, expected) -> None:
    spec, tensors = split_tensors(inputs)
    header, outs = session.candidate.request(
        {"op": "call", "kwargs": spec, "poison_bytes": _nbytes(expected, dtype)},
        tensors,
        timeout=session.call_timeout(),
        max_bytes=_answer_cap(expected, dtype, 1),
    )
    session.check_answer(header)
    verify_output(session, case, dtype, header["outputs"][0], outs[0] if outs else None, expected, inputs)


def verify_output(session: "Session", case: Case, dtype: str, kind: dict, out, expected, inputs: dict) -> None:
    label = f"{case.name} {dtype}"
    if kind.get("type") != "tensor" or out is None:
        raise Outcome("wrong_answer", f"{label}: returned {kind.get('type')}, not a Tensor")
    if kind.get("device") != session.device.type:
        raise Outcome("wrong_answer", f"{label}: output on {kind.get('device')}, expected {session.device.type}")
    challenge = session.challenge
    tolerance = session.tolerance(dtype)
    if challenge.check_fn is not None:
        ok, detail = challenge.check_fn(out=out, expected=expected, inputs=inputs, dtype=dtype, tolerance=tolerance)
    else:
        if out.dtype != DTYPES[dtype]:
            raise Outcome("wrong_answer", f"{label}: output dtype {str(out.dtype).removeprefix('torch.')}, expected {dtype}")
        ok, detail = compare(out=out, expected=expected, metric=session.metric(), tolerance=tolerance)
    if not ok:
        raise Outcome("wrong_answer", f"{label}: {detail}")


@step("correctness")
def correctness(session: "Session") -> None:
    checked = 0
    for case_index, case in enumerate(session.challenge.cases()):
        for dtype in session.dtypes():
            inputs = session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for(case_index, dtype, 0))
            expected = session.challenge.expected(inputs)
            call_and_check(session, case, dtype, inputs, expected)
            checked += 1
    session.add_check("correctness", "pass", f"{checked} case(s) across {len(session.dtypes())} dtype(s) within tolerance")


@step("latency")
def latency(session: "Session") -> None:
    cases = [(i, c) for i, c in enumerate(session.challenge.cases()) if c.timed]
    dtype = session.device_spec["params"].get("timed_dtype", session.dtypes()[0])
    overhead_ns = _harness_overhead_ns(session, cases[0], dtype)
    results = [_time_case(session, index, case, dtype, overhead_ns) for index, case in cases]
    speedup = stats.geometric_mean([r["speedup"] for r in results])
    disagree = [r["case"] for r in results if r["source"] == "wall_clock"]
    if disagree:
        session.flags.append("timing_mismatch")
    session.metrics.update(
        speedup=speedup,
        latency_ms=results[-1]["candidate"],
        baseline_latency_ms=results[-1]["baseline"],
        cases=results,
        timing_method=_method_text(session, overhead_ns),
    )
    detail = f"speedup {speedup:.3f}x over the baseline (geometric mean of {len(results)} case(s))"
    if disagree:
        detail += f"; in-process timings disagreed with the wall clock on {', '.join(disagree)}, wall-clock figures used"
    session.add_check("latency", "pass", detail)


def _time_case(session: "Session", case_index: int, case: Case, dtype: str, overhead_ns: float) -> dict:
    rng = random.Random(session.seed_for(case_index, dtype, -1))
    counter = iter(range(1, 10**9))
    fresh = lambda: session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for(case_index, dtype, next(counter)))  # noqa: E731

    # Warm-up: an unpredictable number of verified calls, so warm-up cannot be told from timing.
    for _ in range(rng.randint(2, 5)):
        inputs = fresh()
        call_and_check(session, case, dtype, inputs, session.challenge.expected(inputs))
    for _ in range(2):
        _baseline_call(session, fresh())
    # A probe batch (verified, not counted) sizes the batches so one lasts about BATCH_TARGET_S.
    _, probe_wall = _timed_batch(session, "candidate", case, dtype, [fresh() for _ in range(3)])
    per_call_s = max(probe_wall / 3 / 1e9 - overhead_ns / 1e9, 1e-6)
    sample = fresh()
    set_bytes = sum(v.numel() * v.element_size() for v in sample.values() if isinstance(v, torch.Tensor))
    batch = max(3, min(MAX_BATCH, math.ceil(BATCH_TARGET_S / per_call_s), STAGED_BYTES_CAP // max(set_bytes, 1)))
    samples = {"candidate": [], "baseline": []}
    walls = {"candidate": [], "baseline": []}
    budget = session.latency_budget_s()
    started = time.monotonic()
    rounds = 0
    while True:
        order = ["candidate", "baseline"]
        rng.shuffle(order)
        for role in order:
            sets = [fresh() for _ in range(batch)]
            times, wall = _timed_batch(session, role, case, dtype, sets)
            samples[role].extend(times)
            walls[role].append((wall, sum(times), len(times)))
        rounds += 1
        if rounds >= MIN_ROUNDS and (_converged(samples) or time.monotonic() - started > budget):
            break
    return _case_result(session, case, dtype, batch, samples, walls, overhead_ns)


def _timed_batch(session: "Session", role: str, case: Case, dtype: str, sets: list[dict]) -> tuple[list[int], int]:
    worker = session.candidate if role == "candidate" else session.baseline
    expected = [session.challenge.expected(s) for s in sets] if role == "candidate" else [None] * len(sets)
    poison = _nbytes(expected[0], dtype) if expected[0] is not None else 0
    specs, tensors = [], []
    for inputs in sets:
        spec, ts = split_tensors(inputs)
        specs.append({k: ({"tensor": v["tensor"] + len(tensors)} if isinstance(v, dict) else v) for k, v in spec.items()})
        tensors.extend(ts)
    timeout = session.call_timeout() * len(sets)
    session.answer(worker, {"op": "stage", "sets": specs}, tensors, timeout=timeout)
    flush = session.device.type == "cuda" and session.job.get("kind") == "kernel"
    started = time.perf_counter_ns()
    header, _ = session.answer(worker, {"op": "run", "flush_l2": flush, "poison_bytes": poison}, timeout=timeout)
    wall = time.perf_counter_ns() - started
    times = header.get("times_ns")
    if not isinstance(times, list) or len(times) != len(sets) or not all(isinstance(t, int) and t >= 0 for t in times):
        raise Outcome("rejected", f"the {worker.role} sent malformed timings")
    cap = _answer_cap(expected[0], dtype, len(sets)) if expected[0] is not None else 1 << 34
    header, outs = session.answer(worker, {"op": "fetch"}, timeout=timeout, max_bytes=cap)
    if role == "candidate":
        kinds = header.get("outputs", [])
        if len(kinds) != len(sets):
            raise Outcome("wrong_answer", f"{case.name} {dtype}: {len(kinds)} outputs for {len(sets)} timed calls")
        tensor_iter = iter(outs)
        for kind, inputs, want in zip(kinds, sets, expected):
            out = next(tensor_iter, None) if kind.get("type") == "tensor" else None
            verify_output(session, case, dtype, kind, out, want, inputs)
    return times, wall


def _baseline_call(session: "Session", inputs: dict) -> None:
    spec, tensors = split_tensors(inputs)
    session.answer(session.baseline, {"op": "call", "kwargs": spec}, tensors, timeout=session.call_timeout(), max_bytes=1 << 34)


def _harness_overhead_ns(session: "Session", indexed_case: tuple[int, Case], dtype: str) -> float:
    """Per-call cost of the harness loop itself (sync, flush, bookkeeping), on the trusted worker."""
    index, case = indexed_case
    estimates = []
    for attempt in range(3):
        sets = [session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for(index, dtype, -2 - attempt)) for _ in range(16)]
        specs, tensors = [], []
        for inputs in sets:
            spec, ts = split_tensors(inputs)
            specs.append({k: ({"tensor": v["tensor"] + len(tensors)} if isinstance(v, dict) else v) for k, v in spec.items()})
            tensors.extend(ts)
        session.answer(session.baseline, {"op": "stage", "sets": specs}, tensors, timeout=session.call_timeout() * 16)
        flush = session.device.type == "cuda" and session.job.get("kind") == "kernel"
        started = time.perf_counter_ns()
        header, _ = session.answer(session.baseline, {"op": "run", "noop": True, "flush_l2": flush}, timeout=session.call_timeout() * 16)
        wall = time.perf_counter_ns() - started
        session.answer(session.baseline, {"op": "fetch"}, timeout=session.call_timeout() * 16, max_bytes=1 << 34)
        estimates.append((wall - sum(header["times_ns"])) / len(sets))
    return sorted(estimates)[1]


def _converged(samples: dict[str, list[int]]) -> bool:
    for values in samples.values():
        summary = stats.summarize_ms(values)
        if summary["ci_rel"] is None or summary["ci_rel"] > CI_TARGET:
            return False
    return True


def _case_result(session, case, dtype, batch, samples, walls, overhead_ns) -> dict:
    slack = WALL_SLACK_NS[session.device.type]
    result = {"case": case.name, "dtype": dtype, "batch": batch}
    sources = {}
    for role in ("candidate", "baseline"):
        excess = sorted(w - overhead_ns * n - s for w, s, n in walls[role])
        in_process = sum(s for _, s, _ in walls[role])
        median_excess = excess[len(excess) // 2]
        agrees = median_excess <= WALL_MARGIN * (in_process / len(walls[role])) + slack
        wall_per_call = [max(w - overhead_ns * n, 0) / n for w, _, n in walls[role] for _ in range(n)]
        result[role] = stats.summarize_ms(samples[role])
        result[role + "_wall"] = stats.summarize_ms(wall_per_call)
        result[role + "_wall_excess_ms"] = median_excess / 1e6
        sources[role] = agrees
    in_process_ok = all(sources.values())
    source = "in_process" if in_process_ok else "wall_clock"
    key = "" if in_process_ok else "_wall"
    result["source"] = source
    result["speedup"] = result["baseline" + key]["median"] / max(result["candidate" + key]["median"], 1e-9)
    return result


def _method_text(session, overhead_ns: float) -> str:
    timer = "CUDA events closed by a device-wide synchronize, L2 flushed between calls" if session.device.type == "cuda" else "perf_counter_ns around each call"
    return (
        f"{timer}; candidate and baseline in separate processes, timed in interleaved batches of fresh inputs "
        f"(random order per round), until the 95% CI of each median is within {CI_TARGET:.0%} or the budget runs out; "
        f"every timed output verified; supervisor wall clock per batch (harness overhead {overhead_ns / 1e3:.1f} us/call "
        f"subtracted) must agree within {WALL_MARGIN:.0%} + {WALL_SLACK_NS[session.device.type] / 1e6:g} ms per batch"
    )


def _nbytes(expected, dtype: str) -> int:
    if not isinstance(expected, torch.Tensor):
        return 0
    return expected.numel() * torch.empty((), dtype=DTYPES[dtype]).element_size()


def _answer_cap(expected, dtype: str, count: int) -> int:
    """What an honest answer can weigh: the expected output's size in any dtype, times count."""
    if not isinstance(expected, torch.Tensor):
        return 64 << 20
    return count * (expected.numel() * 8 + 4096) + (1 << 20)
