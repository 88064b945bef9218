"""The throughput grader: a load generator against the candidate's server (docs/grading.md).

The load generator is this supervisor process, single-threaded around select(): a
separate process from the server under test, so it never competes for the server's GIL.
Every response is checked against the float64 oracle; latency is timed here, from the
moment a request was due to the moment its answer was read.
"""
from __future__ import annotations

import math
import random
import select
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch

from graders import verdicts
from graders.harness import stats
from graders.harness.outcome import Outcome
from graders.harness.output_checks import answer_cap, verify_output
from graders.harness.package import split_tensors
from graders.harness.quiesce import paused
from graders.harness.steps import step
from graders.harness.worker_process import WorkerProcess

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

BIN_S = 0.25
DEFAULTS = {
    "cpu": {"point_s": 2.0, "warmup_s": 0.5},
    "cuda": {"point_s": 4.0, "warmup_s": 1.0},
}


@dataclass
class Request:
    inputs: dict
    spec: dict
    tensors: list
    expected: object


@dataclass
class Point:
    role: str
    max_batch: int
    concurrency: int | None = None
    rate: float | None = None
    due: dict = field(default_factory=dict)  # id -> (pool index, due time)
    done: list = field(default_factory=list)  # (id, pool index, due, answered at, header, tensor or None)
    t_measure: float = 0.0
    t_end: float = 0.0


@dataclass
class Plan:
    mode: str
    max_batches: list[int]
    concurrency: list[int]
    rates: list[float]
    point_s: float
    warmup_s: float
    pool: int
    timeout_s: float
    max_error_rate: float

    @classmethod
    def from_params(cls, params: dict, device: str) -> "Plan":
        defaults = DEFAULTS[device]
        mode = str(params.get("throughput_mode", "closed"))
        if mode not in ("closed", "open"):
            raise RuntimeError(f"throughput_mode {mode!r} is not closed or open")
        plan = cls(
            mode=mode,
            max_batches=[int(b) for b in params.get("max_batch", [1, 8])],
            concurrency=[int(c) for c in params.get("concurrency", [1, 4, 16])],
            rates=[float(r) for r in params.get("rates", [])],
            point_s=float(params.get("point_s", defaults["point_s"])),
            warmup_s=float(params.get("warmup_s", defaults["warmup_s"])),
            pool=int(params.get("request_pool", 64)),
            timeout_s=float(params.get("request_timeout_s", 10.0)),
            max_error_rate=float(params.get("max_error_rate", 0.0)),
        )
        if mode == "open" and not plan.rates:
            raise RuntimeError("throughput_mode = 'open' needs a list of rates")
        return plan

    def loads(self) -> list[dict]:
        if self.mode == "open":
            return [{"rate": r} for r in self.rates]
        return [{"concurrency": c} for c in self.concurrency]


@step("throughput")
def throughput(session: "Session") -> None:
    plan = Plan.from_params(session.device_spec["params"], session.device.type)
    cases = session.challenge.cases()
    dtype = session.device_spec["params"].get("timed_dtype", session.dtypes()[0])
    rng = random.Random(session.seed_for("throughput"))
    first = plan.max_batches[0]
    _open(session, session.candidate, first)
    _check_every_case(session, cases, dtype)
    pool = _request_pool(session, cases[0], dtype, plan.pool)
    points: list[dict] = []
    ids = _Ids()
    total = len(plan.max_batches) * len(plan.loads()) * (2 if session.baseline is not None else 1)
    for index, max_batch in enumerate(plan.max_batches):
        roles = ["candidate"] + (["baseline"] if session.baseline is not None else [])
        if index > 0:
            _open(session, session.candidate, max_batch)
        if session.baseline is not None:
            with paused(session.candidate):
                _open(session, session.baseline, max_batch)
        for load in plan.loads():
            rng.shuffle(roles)
            for role in roles:
                load_text = f"concurrency {load['concurrency']}" if "concurrency" in load else f"{load['rate']:g} req/s"
                session.progress("throughput", step=len(points) + 1, of=total, detail=f"{role}, max_batch {max_batch}, {load_text}")
                point = Point(role=role, max_batch=max_batch, **load)
                _run_point(session, role, point, pool, plan, rng, ids)
                points.append(_summarize(session, point, pool, plan, dtype, cases[0]))
        _close(session, session.candidate, plan)
        if session.baseline is not None:
            with paused(session.candidate):
                _close(session, session.baseline, plan)
    _report(session, plan, points)


class _Ids:
    def __init__(self) -> None:
        self.next = 0

    def take(self) -> int:
        self.next += 1
        return self.next


def _open(session: "Session", worker: WorkerProcess, max_batch: int) -> None:
    header = {"op": "serve", "kwargs": {"max_batch": max_batch, "device": session.device.type}}
    session.answer(worker, header, timeout=session.call_timeout())


def _close(session: "Session", worker: WorkerProcess, plan: Plan) -> None:
    _send(worker, {"op": "end"})
    deadline = time.monotonic() + 2 * plan.timeout_s + 5
    while True:
        header, _ = _recv(session, worker, deadline - time.monotonic(), cap=1 << 34)
        if header.get("op") == "ended":
            if worker is session.candidate:
                session.check_answer({"ok": True, "tripwire": header.get("tripwire")})
            return


def _check_every_case(session: "Session", cases, dtype: str) -> None:
    """Each case once, serially: hidden request shapes included."""
    for case_index, case in enumerate(cases):
        inputs = session.challenge.inputs(case, dtype=dtype, device=torch.device("cpu"), seed=session.seed_for("tp-case", case_index))
        request = _request(session, inputs)
        rid = -1 - case_index
        spec, tensors = request.spec, request.tensors
        _send(session.candidate, {"op": "req", "id": rid, "kwargs": spec}, tensors)
        deadline = time.monotonic() + session.call_timeout()
        while True:
            header, outs = _recv(session, session.candidate, deadline - time.monotonic(), cap=answer_cap(request.expected, dtype, 1))
            if header.get("id") == rid:
                break
        if not header.get("ok"):
            raise Outcome(verdicts.RUNTIME_ERROR, f"{case.name}: {header.get('error_type')}: {header.get('error')}", traceback=header.get("traceback", ""))
        verify_output(session, case, dtype, {"type": "tensor", "device": header.get("device")}, outs[0] if outs else None, request.expected, inputs)
    session.add_check("correctness", "pass", f"{len(cases)} request case(s) answered within tolerance")


def _request(session: "Session", inputs: dict) -> Request:
    spec, tensors = split_tensors(inputs)
    on_device = {k: (v.to(session.device) if isinstance(v, torch.Tensor) else v) for k, v in inputs.items()}
    expected = session.challenge.expected(on_device)
    if isinstance(expected, torch.Tensor):
        expected = expected.to("cpu")
    return Request(inputs=inputs, spec=spec, tensors=tensors, expected=expected)


def _request_pool(session: "Session", case, dtype: str, size: int) -> list[Request]:
    cpu = torch.device("cpu")
    return [_request(session, session.challenge.inputs(case, dtype=dtype, device=cpu, seed=session.seed_for("tp-pool", i))) for i in range(size)]


def _run_point(session: "Session", role: str, point: Point, pool: list[Request], plan: Plan, rng: random.Random, ids: _Ids) -> None:
    worker = session.candidate if role == "candidate" else session.baseline
    if role == "baseline":
        with paused(session.candidate):
            _drive(session, worker, point, pool, plan, rng, ids)
    else:
        _drive(session, worker, point, pool, plan, rng, ids)


def _drive(session: "Session", worker: WorkerProcess, point: Point, pool: list[Request], plan: Plan, rng: random.Random, ids: _Ids) -> None:
    clock = time.perf_counter
    order = list(range(len(pool)))
    cursor = [len(order)]

    def send(due: float) -> None:
        if cursor[0] >= len(order):
            rng.shuffle(order)
            cursor[0] = 0
        index = order[cursor[0]]
        cursor[0] += 1
        rid = ids.take()
        point.due[rid] = (index, due)
        _send(worker, {"op": "req", "id": rid, "kwargs": pool[index].spec}, pool[index].tensors)

    cap = answer_cap(pool[0].expected, "float64", 1)
    start = clock()
    point.t_measure = start + plan.warmup_s
    point.t_end = point.t_measure + plan.point_s
    outstanding: set[int] = set()
    next_due = start
    if point.concurrency:
        for _ in range(point.concurrency):
            send(clock())
            outstanding.add(ids.next)
    while True:
        now = clock()
        if point.rate:
            while next_due <= now and next_due < point.t_end:
                send(next_due)
                outstanding.add(ids.next)
                next_due += rng.expovariate(point.rate)
        if now >= point.t_end and (not outstanding or now > point.t_end + plan.timeout_s):
            break
        wait = 0.05 if not point.rate else max(0.0, min(next_due - clock(), 0.05))
        header, outs = _poll(session, worker, wait, cap)
        if header is None:
            continue
        answered = clock()
        rid = header.get("id")
        if rid not in point.due or rid not in outstanding:
            continue  # a straggler from an earlier point
        outstanding.discard(rid)
        index, due = point.due[rid]
        point.done.append((rid, index, due, answered, header, outs[0] if outs else None))
        if point.concurrency and answered < point.t_end:
            send(answered)
            outstanding.add(ids.next)


def _poll(session: "Session", worker: WorkerProcess, wait: float, cap: int):
    if worker.log.over_cap:
        worker.kill()
        raise Outcome(verdicts.OUTPUT_LIMIT_EXCEEDED, f"the {worker.role} printed more than {worker.log.cap_bytes // 1024} KiB")
    readable, _, _ = select.select([worker.channel.sock], [], [], wait)
    if not readable:
        return None, None
    return _recv(session, worker, 30.0, cap=cap)


def _send(worker: WorkerProcess, header: dict, tensors=()) -> None:
    """A server that closed its end of the channel died as far as grading goes."""
    try:
        worker.channel.send(header, list(tensors))
    except OSError:
        raise worker.died() from None


def _recv(session: "Session", worker: WorkerProcess, timeout: float, *, cap: int):
    if timeout <= 0:
        worker.kill()
        raise Outcome(verdicts.TIME_LIMIT_EXCEEDED, f"the {worker.role} server did not answer in time")
    header, tensors = worker.receive(max_bytes=cap, timeout=timeout)  # every field checked (replies.py)
    if worker is session.baseline and header.get("op") == "resp" and not header.get("ok"):
        raise RuntimeError(f"baseline server failed: {header.get('error_type')}: {header.get('error')}\n{header.get('traceback', '')}")
    return header, tensors


def _summarize(session: "Session", point: Point, pool: list[Request], plan: Plan, dtype: str, case) -> dict:
    errors, first_error = 0, None
    latencies, answered_in_window = [], []
    for rid, index, due, answered, header, out in point.done:
        if point.role == "candidate":
            if not header.get("ok"):
                errors += 1
                first_error = first_error or f"{header.get('error_type')}: {header.get('error')}"
                continue
            verify_output(session, case, dtype, {"type": "tensor", "device": header.get("device")}, out, pool[index].expected, pool[index].inputs)
        if point.t_measure <= due <= point.t_end:
            latencies.append((answered - due) * 1e9)
        if point.t_measure <= answered <= point.t_end:
            answered_in_window.append(answered)
    missing = len(point.due) - len(point.done)
    errors += missing
    if missing and not first_error:
        first_error = f"{missing} request(s) unanswered {plan.timeout_s:g} s after the load stopped"
    bins = _bins(answered_in_window, point.t_measure, point.t_end)
    latency = stats.summarize_ms(latencies)
    latency["p99"] = stats.quantile(sorted(v / 1e6 for v in latencies), 0.99)
    result = {
        "role": point.role,
        "max_batch": point.max_batch,
        "rps": len(answered_in_window) / plan.point_s,
        "rps_bins": {"median": stats.quantile(sorted(bins), 0.5), "iqr": stats.quantile(sorted(bins), 0.75) - stats.quantile(sorted(bins), 0.25), "n": len(bins)},
        "latency_ms": latency,
        "sent": len(point.due),
        "completed": len(point.done) - (errors - missing),
        "errors": errors,
        "window_s": plan.point_s,
    }
    result["concurrency" if point.concurrency else "rate"] = point.concurrency or point.rate
    if point.role == "candidate" and point.due and errors / len(point.due) > plan.max_error_rate:
        where = f"max_batch {point.max_batch}, " + (f"concurrency {point.concurrency}" if point.concurrency else f"rate {point.rate:g}/s")
        raise Outcome(verdicts.RUNTIME_ERROR, f"{where}: {errors} of {len(point.due)} requests failed ({first_error})")
    return result


def _bins(times: list[float], start: float, end: float) -> list[float]:
    """Whole bins only: a partial last bin would bias the spread."""
    count = max(1, int(math.floor((end - start) / BIN_S + 1e-9)))
    width = min(BIN_S, end - start)
    counts = [0] * count
    for t in times:
        slot = int((t - start) / width)
        if 0 <= slot < count:
            counts[slot] += 1
    return [c / width for c in counts]


def _report(session: "Session", plan: Plan, points: list[dict]) -> None:
    mine = [p for p in points if p["role"] == "candidate"]
    theirs = {(p["max_batch"], p.get("concurrency"), p.get("rate")): p for p in points if p["role"] == "baseline"}
    ratios = []
    for p in mine:
        other = theirs.get((p["max_batch"], p.get("concurrency"), p.get("rate")))
        if other and other["rps"] > 0 and p["rps"] > 0:
            ratios.append(p["rps"] / other["rps"])
    peak = max(mine, key=lambda p: p["rps"])
    session.metrics["throughput"] = {
        "mode": plan.mode,
        "peak_rps": peak["rps"],
        "peak_at": {k: peak.get(k) for k in ("max_batch", "concurrency", "rate") if k in peak},
        "points": points,
        "method": _method_text(plan),
    }
    session.metrics["latency_ms"] = peak["latency_ms"]
    if ratios:
        session.metrics["speedup"] = stats.geometric_mean(ratios)
    detail = f"peak {peak['rps']:.1f} req/s at max_batch {peak['max_batch']}"
    if ratios:
        detail += f"; {session.metrics['speedup']:.3f}x the baseline server's throughput (geometric mean of {len(ratios)} point(s))"
    session.add_check("throughput", "pass", detail)


def _method_text(plan: Plan) -> str:
    load = "closed loop, concurrency " + ", ".join(map(str, plan.concurrency)) if plan.mode == "closed" else "open loop (Poisson arrivals), rates " + ", ".join(f"{r:g}" for r in plan.rates) + " req/s"
    return (
        f"load generator in the supervisor process (one thread, select()), server in the worker; {load}; "
        f"max_batch {', '.join(map(str, plan.max_batches))}; {plan.warmup_s:g} s warm-up then {plan.point_s:g} s per point; "
        f"{plan.pool} distinct requests from the secret seed, shuffled; every response checked against the float64 oracle; "
        f"latency from due time to answer; rps spread over {BIN_S:g} s bins; candidate and baseline points interleaved in random order, "
        f"the candidate stopped (SIGSTOP) while the baseline runs"
    )
