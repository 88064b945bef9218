"""The core sandbox-stage graders: correctness and latency (docs/grading.md)."""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch

from graders.harness import stats
from graders.harness.channel import DTYPE_NAMES, DTYPES
from graders.harness.cipher import seal, tensor_key
from graders.harness.clocks import group_cpu_time_ns
from graders.harness.compare import compare, unchanged
from graders.harness.environment import fingerprint
from graders.harness.package import Case, split_tensors
from graders.harness.quiesce import paused, watched
from graders.harness.steps import step
from graders.harness.workers import Outcome, WorkerProcess

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

# Wall-clock agreement (see _case_result): per call, the candidate's in-process time may undercut
# the supervisor's wall clock (less the harness's own cost, measured on the trusted baseline in
# the same rounds) by at most this fraction of its wall-clock time plus a fixed slack.
WALL_MARGIN = 0.15
WALL_SLACK_NS = {"cpu": 10_000, "cuda": 3_000}  # per call
NOISE_SIGMAS = 3.0  # plus this many standard errors of the clock's own noise (from the baseline's batches)
NOISE_CAP_SHARE = 0.5  # ...but the candidate is always charged at least this share of its outside-clock time
CI_TARGET = 0.01
MIN_ROUNDS = 8
BATCH_TARGET_S = 0.02
MAX_BATCH = 64
STAGED_BYTES_CAP = 256 << 20
IDLE_CPU_LIMIT = 0.25  # of one core, median over the baseline's batches (cpu device)
WARMUP_STABLE = 0.05
WARMUP_MAX_ROUNDS = 6


class _GraphMismatch(Exception):
    """A replayed graph gave a wrong output: the case is timed again, eagerly, on both sides."""


# -- correctness ------------------------------------------------------------------------------
def call_and_check(session: "Session", case: Case, dtype: str, inputs: dict, expected, *, check_inputs: bool = False) -> None:
    spec, tensors = split_tensors(inputs)
    header, outs = session.candidate.request(
        {"op": "call", "kwargs": spec, "poison_bytes": _nbytes(expected, dtype), "return_inputs": check_inputs},
        tensors,
        timeout=session.call_timeout(),
        max_bytes=_answer_cap(expected, dtype, 1) + (sum(t.numel() * t.element_size() for t in tensors) if check_inputs else 0),
    )
    session.check_answer(header)
    kinds = header.get("outputs") or [{}]
    n_out = sum(1 for k in kinds if k.get("type") == "tensor")
    verify_output(session, case, dtype, kinds[0], outs[0] if n_out else None, expected, inputs)
    if check_inputs:
        _verify_inputs_unchanged(session, case, dtype, inputs, outs[n_out:], header.get("inputs_after"))


def _verify_inputs_unchanged(session: "Session", case: Case, dtype: str, inputs: dict, after: list, count) -> None:
    names = [k for k, v in inputs.items() if isinstance(v, torch.Tensor)]
    if count != len(names) or len(after) != len(names):
        raise Outcome("rejected", f"{case.name} {dtype}: the worker did not return the inputs it was given")
    for name, got in zip(names, after):
        if not unchanged(before=inputs[name], after=got):
            raise Outcome("wrong_answer", f"{case.name} {dtype}: the entry point modified its input {name!r} in place")


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
    cases = session.challenge.cases()
    for case_index, case in enumerate(cases):
        for dtype in session.dtypes():
            inputs = session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for(case_index, dtype, 0))
            expected = session.challenge.expected(inputs)
            call_and_check(session, case, dtype, inputs, expected, check_inputs=True)
            checked += 1
    hidden = sum(1 for c in cases if c.hidden)
    session.add_check(
        "correctness", "pass",
        f"{checked} case(s) ({hidden} hidden) across {len(session.dtypes())} dtype(s) within tolerance; inputs unchanged",
    )


# -- latency --------------------------------------------------------------------------------------
@dataclass
class _Series:
    """One role's measurements of one case."""

    per_call: list[int] = field(default_factory=list)
    batch_means: list[float] = field(default_factory=list)
    walls: list[tuple[int, int, int]] = field(default_factory=list)  # (wall ns, in-process sum ns, calls)
    cpus: list[int | None] = field(default_factory=list)  # worker CPU ns per batch (cpu device)

    def add(self, times: list[int], clock: tuple[int, int | None]) -> None:
        wall, cpu = clock
        self.per_call.extend(times)
        self.batch_means.append(sum(times) / len(times))
        self.walls.append((wall, sum(times), len(times)))
        self.cpus.append(cpu)


def check_cipher(session: "Session") -> None:
    """The trusted baseline worker must unseal to the very bytes the supervisor sealed.

    The keystream comes from torch's generator on the grading device in both processes; were
    they ever to disagree (a different GPU, a different torch), every candidate would get noise
    as inputs. This makes that a loud platform error instead.
    """
    probe = torch.randn(1000, 37, generator=torch.Generator().manual_seed(1)).to(session.device)
    key = session.seed_for("cipher-check")
    reply, outs = session.answer(
        session.baseline, {"op": "unseal", "key": tensor_key(key, 0), "dtype": "float32", "shape": list(probe.shape)},
        [seal(probe, tensor_key(key, 0))], timeout=session.call_timeout(),
    )
    if not outs or not torch.equal(outs[0], probe.cpu()):
        raise RuntimeError(f"the worker's keystream on {session.device} differs from the supervisor's: sealed inputs cannot be used here")


@step("latency")
def latency(session: "Session") -> None:
    check_cipher(session)
    cases = [(i, c) for i, c in enumerate(session.challenge.cases()) if c.timed]
    dtype = session.device_spec["params"].get("timed_dtype", session.dtypes()[0])
    results = [_time_case(session, index, case, dtype) for index, case in cases]
    _check_idle(session)
    if session.device.type == "cuda":
        # Clocks and temperature right after the last timed batch, while the card is still warm.
        session.metrics["environment_during_timing"] = fingerprint(session.device)
    speedup = stats.geometric_mean([r["speedup"] for r in results])
    disagree = [r["case"] for r in results if r["source"] != "in_process"]
    if disagree and "timing_mismatch" not in session.flags:
        session.flags.append("timing_mismatch")
    last = results[-1]
    # Where the in-process figures were set aside, the headline shows the outside clock's.
    if last["source"] == "in_process":
        headline = dict(last["candidate"], case=last["case"], source=last["source"])
    else:
        headline = dict(last["candidate_outside"], charged_median=last["candidate_bounded_ms"], case=last["case"], source=last["source"])
    session.metrics.update(
        speedup=speedup,
        latency_ms=headline,
        baseline_latency_ms=dict(results[-1]["baseline"], case=results[-1]["case"]),
        cases=results,
        timing_method=_method_text(session, results),
    )
    detail = f"speedup {speedup:.3f}x over the baseline (geometric mean of {len(results)} case(s))"
    if disagree:
        detail += f"; in-process timings undercut the outside clocks on {', '.join(disagree)}: outside-clock figures used"
    session.add_check("latency", "pass", detail)


def _time_case(session: "Session", case_index: int, case: Case, dtype: str) -> dict:
    mode = _preferred_mode(session)
    if mode == "graph":
        try:
            return _measure(session, case_index, case, dtype, mode)
        except _GraphMismatch:
            if "graph_replay_mismatch" not in session.flags:
                session.flags.append("graph_replay_mismatch")
    return _measure(session, case_index, case, dtype, "eager")


def _preferred_mode(session: "Session") -> str:
    if session.device.type != "cuda":
        return "eager"
    default = "graph" if session.job.get("kind") == "kernel" else "eager"
    return str(session.device_spec["params"].get("timing", default))


def _measure(session: "Session", case_index: int, case: Case, dtype: str, mode: str) -> dict:
    rng = random.Random(session.seed_for(case_index, dtype, -1, mode))
    counter = iter(range(1, 10**9))
    fresh = lambda: session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for(case_index, dtype, mode, next(counter)))  # noqa: E731

    # An unpredictable number of verified calls first, so warm-up cannot be told from timing.
    for _ in range(rng.randint(2, 5)):
        inputs = fresh()
        call_and_check(session, case, dtype, inputs, session.challenge.expected(inputs))
    for _ in range(2):
        _baseline_call(session, fresh())
    mode = _agree_on_mode(session, case, dtype, fresh, mode)
    sample = fresh()
    # Both sides get the same poisoning (outside the timed region), so their wall clocks compare.
    poison = _nbytes(session.challenge.expected(sample), dtype)
    overhead_ns = _harness_overhead_ns(session, case, dtype, fresh, mode, poison)
    # A probe batch (verified, not counted) sizes the batches so one lasts about BATCH_TARGET_S.
    _, (probe_wall, _) = _timed_batch(session, "candidate", case, dtype, [fresh() for _ in range(3)], mode, poison)
    per_call_s = max(probe_wall / 3 / 1e9 - overhead_ns / 1e9, 1e-6)
    set_bytes = sum(v.numel() * v.element_size() for v in sample.values() if isinstance(v, torch.Tensor))
    batch = max(3, min(MAX_BATCH, math.ceil(BATCH_TARGET_S / per_call_s), STAGED_BYTES_CAP // max(set_bytes, 1)))
    budget = session.latency_budget_s()
    started = time.monotonic()
    _warm_up(session, case, dtype, fresh, batch, mode, poison, rng, deadline=started + budget / 4)
    series = {"candidate": _Series(), "baseline": _Series()}
    rounds = 0
    while True:
        order = ["candidate", "baseline"]
        rng.shuffle(order)
        for role in order:
            times, clock = _timed_batch(session, role, case, dtype, [fresh() for _ in range(batch)], mode, poison)
            series[role].add(times, clock)
        rounds += 1
        if rounds >= MIN_ROUNDS and (_converged(series) or time.monotonic() - started > budget):
            break
    return _case_result(session, case, dtype, batch, mode, series, overhead_ns, rounds)


def _agree_on_mode(session: "Session", case: Case, dtype: str, fresh, mode: str) -> str:
    """Both sides are timed the same way: graph only where both captured, else eager."""
    agreed = mode
    for role in ("candidate", "baseline"):
        if _prepare(session, role, fresh(), mode) != mode:
            agreed = "eager"
    if agreed != mode:
        for role in ("candidate", "baseline"):
            _prepare(session, role, fresh(), agreed)
    return agreed


def _prepare(session: "Session", role: str, sample: dict, mode: str) -> str:
    worker = session.candidate if role == "candidate" else session.baseline
    spec, tensors = split_tensors(sample)
    with _quiet_candidate(session, role):
        reply, _ = session.answer(worker, {"op": "prepare", "kwargs": spec, "mode": mode}, tensors, timeout=session.call_timeout() * 4)
    return reply.get("mode", "eager")


def _warm_up(session: "Session", case: Case, dtype: str, fresh, batch: int, mode: str, poison: int, rng: random.Random, *, deadline: float) -> None:
    """Discarded batches (indistinguishable from timed ones) until each side's batch mean settles."""
    last = {"candidate": None, "baseline": None}
    for _ in range(WARMUP_MAX_ROUNDS):
        settled = True
        order = ["candidate", "baseline"]
        rng.shuffle(order)
        for role in order:
            times, _ = _timed_batch(session, role, case, dtype, [fresh() for _ in range(batch)], mode, poison)
            mean = sum(times) / len(times)
            if last[role] is None or abs(mean - last[role]) > WARMUP_STABLE * max(last[role], 1):
                settled = False
            last[role] = mean
        if settled or time.monotonic() > deadline:
            return


def _seal_batch(session: "Session", worker: WorkerProcess, sets: list[dict], timeout: float) -> list[int]:
    """Stage a batch sealed; return each call's key (sent only when the call is due)."""
    specs, tensors, keys = [], [], []
    for inputs in sets:
        key = session.seed_for("call-key", next(session_keys(session)))
        keys.append(key)
        spec, position = {}, 0
        for name, value in inputs.items():
            if isinstance(value, torch.Tensor):
                spec[name] = {"tensor": len(tensors), "dtype": DTYPE_NAMES[value.dtype], "shape": list(value.shape)}
                tensors.append(seal(value, tensor_key(key, position)))
                position += 1
            else:
                spec[name] = value
        specs.append(spec)
    session.answer(worker, {"op": "seal", "sets": specs}, tensors, timeout=timeout)
    return keys


def session_keys(session: "Session"):
    counter = getattr(session, "_call_keys", None)
    if counter is None:
        counter = iter(range(1, 1 << 62))
        session._call_keys = counter
    return counter


def _timed_batch(session: "Session", role: str, case: Case, dtype: str, sets: list[dict], mode: str, poison: int, *, noop: bool = False) -> tuple[list[int], tuple[int, int | None]]:
    """Seal and stage the batch, then one `go` per call; the outside clocks span all the `go`s.

    Returns the in-process times and (wall ns, worker CPU ns or None) for the batch."""
    worker = session.candidate if role == "candidate" else session.baseline
    expected = [session.challenge.expected(s) for s in sets] if role == "candidate" and not noop else [None] * len(sets)
    timeout = session.call_timeout() * len(sets)
    flush = session.device.type == "cuda" and session.job.get("kind") == "kernel"
    times: list[int] = []
    with _quiet_candidate(session, role):
        keys = _seal_batch(session, worker, sets, timeout)
        use_cpu = session.device.type == "cpu"
        cpu_started = group_cpu_time_ns(worker.proc.pid) if use_cpu else None
        started = time.perf_counter_ns()
        for index, key in enumerate(keys):
            reply, _ = session.answer(worker, {"op": "go", "index": index, "key": key, "flush_l2": flush, "poison_bytes": poison, "noop": noop}, timeout=session.call_timeout())
            if reply.get("mode", "eager") != mode:
                raise _GraphMismatch()
            elapsed = reply.get("t")
            if not isinstance(elapsed, int) or isinstance(elapsed, bool) or elapsed < 0:
                raise Outcome("rejected", f"the {worker.role} sent a malformed timing")
            times.append(elapsed)
        wall = time.perf_counter_ns() - started
        cpu_ended = group_cpu_time_ns(worker.proc.pid) if use_cpu else None
        cpu = cpu_ended - cpu_started if cpu_started is not None and cpu_ended is not None and cpu_ended >= cpu_started else None
        cap = _answer_cap(expected[0], dtype, len(sets)) if expected[0] is not None else 1 << 34
        header, outs = session.answer(worker, {"op": "fetch"}, timeout=timeout, max_bytes=cap)
    if role == "candidate" and not noop:
        _verify_batch(session, case, dtype, header, outs, sets, expected, mode)
    return times, (wall, cpu)


def _verify_batch(session: "Session", case: Case, dtype: str, header: dict, outs: list, sets: list[dict], expected: list, mode: str) -> None:
    kinds = header.get("outputs", [])
    if len(kinds) != len(sets):
        raise Outcome("wrong_answer", f"{case.name} {dtype}: {len(kinds)} outputs for {len(sets)} timed calls")
    tensor_iter = iter(outs)
    for kind, inputs, want in zip(kinds, sets, expected):
        out = next(tensor_iter, None) if kind.get("type") == "tensor" else None
        try:
            verify_output(session, case, dtype, kind, out, want, inputs)
        except Outcome as wrong:
            if mode == "graph" and wrong.verdict == "wrong_answer":
                raise _GraphMismatch() from None  # replay of honest code can differ from eager; re-time eagerly
            raise


def _quiet_candidate(session: "Session", role: str):
    """Keep the candidate from interfering with the baseline while the baseline is timed.

    On CUDA the candidate's processes are stopped (SIGSTOP): a thread it left running could
    queue GPU work beside the baseline's, which its CPU time would not show. On the cpu device
    stopping would bias the ratio (see quiesce.watched), so the idle candidate is watched instead
    and `_check_idle` rejects one that kept a CPU busy.
    """
    if role != "baseline":
        return paused(None)
    if session.device.type == "cuda":
        return paused(session.candidate)
    return watched(session.candidate, _idle_log(session))


def _idle_log(session: "Session") -> list:
    log = getattr(session, "_candidate_idle_cpu", None)
    if log is None:
        log = session._candidate_idle_cpu = []
    return log


def _check_idle(session: "Session") -> None:
    """A candidate should use no CPU while it waits; one that spins beside the baseline is rejected."""
    log = _idle_log(session)
    if len(log) < 3:
        return
    busy = _median([cpu / wall for cpu, wall in log if wall > 0])
    session.metrics["candidate_idle_cpu_fraction"] = busy
    if busy > IDLE_CPU_LIMIT:
        raise Outcome("rejected", f"the candidate's processes kept {busy:.0%} of a CPU busy while the baseline was being timed")


def _baseline_call(session: "Session", inputs: dict) -> None:
    spec, tensors = split_tensors(inputs)
    with _quiet_candidate(session, "baseline"):
        session.answer(session.baseline, {"op": "call", "kwargs": spec}, tensors, timeout=session.call_timeout(), max_bytes=1 << 34)


def _harness_overhead_ns(session: "Session", case: Case, dtype: str, fresh, mode: str, poison: int) -> float:
    """Per-call cost of the harness loop itself (round trip, unsealing, flush, copies), on the trusted worker."""
    estimates = []
    for _ in range(3):
        times, (wall, _) = _timed_batch(session, "baseline", case, dtype, [fresh() for _ in range(16)], mode, poison, noop=True)
        estimates.append((wall - sum(times)) / len(times))
    return sorted(estimates)[1]


def _converged(series: dict[str, _Series]) -> bool:
    for one in series.values():
        summary = stats.summarize_ms(one.per_call)
        if summary["ci_rel"] is None or summary["ci_rel"] > CI_TARGET:
            return False
    return True


def _case_result(session: "Session", case: Case, dtype: str, batch: int, mode: str, series: dict[str, _Series], overhead_ns: float, rounds: int) -> dict:
    """In-process figures, and the outside clocks' own figures to hold them to.

    The harness's cost per call (the round trip of each `go`, unsealing, flush, poisoning) is
    what the trusted baseline's outside clock shows beyond its in-process times, measured in the
    same interleaved rounds. The candidate's excess may exceed that by at most WALL_MARGIN of its
    outside-clock time per call, plus WALL_SLACK_NS, plus NOISE_SIGMAS standard errors of the
    clock's own batch-to-batch noise (estimated on the baseline's batches, which the candidate
    cannot touch). The judging clock is the wall clock on CUDA and, on the cpu device, the CPU
    time of the worker's process group (graders/harness/clocks.py); both are reported. An
    undercut past the allowance flags the result, and the candidate's per-call figure becomes what that clock guarantees: its
    outside-clock time per call less the allowance (never less than the in-process figure).
    """
    slack = WALL_SLACK_NS[session.device.type]
    result = {"case": case.name, "dtype": dtype, "batch": batch, "rounds": rounds, "mode": mode, "noop_overhead_us": overhead_ns / 1e3}
    clocks = {"wall": {role: [w for w, _, _ in series[role].walls] for role in series}}
    if all(c is not None for role in series for c in series[role].cpus):
        clocks["cpu"] = {role: list(series[role].cpus) for role in series}
    undercuts, outside, noise = {}, {}, {}
    for name, per_role in clocks.items():
        per_batch = {role: [(t - s) / n for t, (_, s, n) in zip(per_role[role], series[role].walls)] for role in series}
        excess = {role: _median(values) for role, values in per_batch.items()}
        harness_ns = excess["baseline"]
        per_call = [max(t / n - harness_ns, 0.0) for t, (_, _, n) in zip(per_role["candidate"], series["candidate"].walls)]
        outside[name] = per_call
        undercuts[name] = excess["candidate"] - harness_ns
        # The clock's own noise, from the trusted baseline's batches only (the candidate cannot
        # widen it): standard error of a median, for the difference of two such medians.
        noise[name] = math.sqrt(2) * 1.2533 * 1.4826 * _mad(per_batch["baseline"]) / math.sqrt(len(per_batch["baseline"]))
        result[f"{name}_harness_overhead_us"] = harness_ns / 1e3
        result[f"{name}_undercut_us"] = undercuts[name] / 1e3
        result[f"{name}_noise_us"] = noise[name] / 1e3
    candidate_outside = [min(values) for values in zip(*outside.values())]
    for role in ("candidate", "baseline"):
        result[role] = stats.summarize_ms(series[role].per_call)
        result[role]["per_batch"] = stats.summarize_ms(series[role].batch_means)
    result["candidate_outside"] = stats.summarize_ms(candidate_outside)
    result["candidate_wall"] = stats.summarize_ms(outside["wall"])
    base_allowance = WALL_MARGIN * result["candidate_outside"]["median"] * 1e6 + slack
    # However noisy the clock, the in-process figure may never claim less than NOISE_CAP_SHARE of
    # what the trusted clock saw per call: a noisy baseline must not widen the allowance until a
    # patched timer that reports nothing passes.
    noise_cap = (1 - NOISE_CAP_SHARE) * result["candidate_outside"]["median"] * 1e6
    allowed = {name: min(base_allowance + NOISE_SIGMAS * noise[name], max(noise_cap, base_allowance)) for name in clocks}
    # On the cpu device the CPU-time clock (the worker's whole process group) is the judge: on a
    # shared host the wall clock mostly measures the scheduler, and it flagged honest runs. The
    # wall clock's figures are still reported.
    judges = ["cpu"] if "cpu" in clocks else ["wall"]
    worst = max(judges, key=lambda name: undercuts[name] - allowed[name])
    result.update(undercut_clock=worst, allowed_undercut_us=allowed[worst] / 1e3)
    in_process_ok = undercuts[worst] <= allowed[worst] and result["candidate"]["median"] > 0
    result["source"] = "in_process" if in_process_ok else "outside_clock"
    mine, theirs = result["candidate"]["median"], result["baseline"]["median"]
    if not in_process_ok:
        # The in-process figure may undercut the outside clock by the allowance, no more: the
        # candidate is charged what that clock guarantees it spent per call.
        bound_ms = (_median(outside[worst]) - allowed[worst]) / 1e6
        mine = max(mine, bound_ms)
        result["candidate_bounded_ms"] = mine
    result["speedup"] = theirs / max(mine, 1e-6)
    return result


def _median(values: list[float]) -> float:
    return stats.quantile(sorted(values), 0.5)


def _mad(values: list[float]) -> float:
    center = _median(values)
    return _median([abs(v - center) for v in values])


def _method_text(session: "Session", results: list[dict]) -> str:
    modes = sorted({r["mode"] for r in results})
    if session.device.type == "cuda":
        timer = "CUDA events closed by a device-wide synchronize" if modes == ["eager"] else "CUDA graph replay between CUDA events (eager, closed by a device-wide synchronize, where capture failed)"
        if session.job.get("kind") == "kernel":
            timer += ", 256 MiB L2 flush between calls"
    else:
        timer = "perf_counter_ns around each call"
    return (
        f"{timer}; candidate and baseline in separate processes, timed in interleaved batches of fresh inputs "
        f"(random order per round; {'the candidate stopped' if session.device.type == 'cuda' else 'the idle candidate watched for CPU use'} "
        f"while the baseline runs); each batch staged sealed, each call's key "
        f"sent only when the call is due, so no call's inputs exist in the worker before it; warm-up batches until each "
        f"side's batch mean moves less than {WARMUP_STABLE:.0%}; at least {MIN_ROUNDS} rounds, then until the 95% CI of each "
        f"side's median is within {CI_TARGET:.0%} or the budget runs out; speedup = ratio of the per-call medians; every timed "
        f"output verified; the supervisor's outside clocks per batch (wall clock{', and the CPU time of the worker process group from /proc' if session.device.type == 'cpu' else ''}), "
        f"less the harness's cost per call (the trusted baseline's excess in the same rounds), may exceed the candidate's "
        f"in-process time by at most {WALL_MARGIN:.0%} + {WALL_SLACK_NS[session.device.type] / 1e3:g} us per call + "
        f"{NOISE_SIGMAS:g} standard errors of that clock's noise (from the baseline's batches), judged on the "
        f"{'CPU-time' if session.device.type == 'cpu' else 'wall'} clock; past that the result is flagged "
        f"timing_mismatch and the candidate is charged its outside-clock time per call less the allowance"
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
