"""The `latency` grader (supervisor side): candidate and baseline timed the same way, in
interleaved batches of fresh sealed inputs, judged by clocks outside the candidate's process
(graders/harness/timing_judge.py; docs/grading.md has the method)."""
from __future__ import annotations

import math
import random
import time
from typing import TYPE_CHECKING

import torch

from graders import verdicts
from graders.harness import stats
from graders.harness.clocks import OutsideClocks
from graders.harness.environment import fingerprint
from graders.harness.outcome import Outcome
from graders.harness.output_checks import answer_cap, call_and_check, nbytes, verify_output
from graders.harness.package import Case
from graders.harness.quiesce import check_idle, quiet_candidate
from graders.harness.shared.channel import DTYPE_NAMES
from graders.harness.shared.cipher import seal, seal_with_pad, tensor_key
from graders.harness.steps import step
from graders.harness.timing_judge import CONFIRM_LIMIT, Series, combined_speedup, judge_case, latency_method_text
from graders.harness.worker_process import WorkerProcess

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

CI_TARGET = 0.01
MIN_ROUNDS = 8
BATCH_TARGET_S = {"cpu": 0.006, "cuda": 0.02}
MAX_BATCH = 64
STAGED_BYTES_CAP = 256 << 20
WARMUP_STABLE = 0.05
WARMUP_MAX_ROUNDS = 6


class _GraphMismatch(Exception):
    """A replayed graph gave a wrong output: the case is timed again, eagerly, on both sides."""


@step("latency")
def latency(session: "Session") -> None:
    check_cipher(session)
    cases = [(i, c) for i, c in enumerate(session.challenge.cases()) if c.timed]
    dtype = session.device_spec["params"].get("timed_dtype", session.dtypes()[0])
    results = []
    for step_index, (index, case) in enumerate(cases, start=1):
        session.progress("latency", case_step=step_index, case_of=len(cases), case=case.name)
        results.append(_time_case(session, index, case, dtype, at=(step_index, len(cases))))
    check_idle(session)
    if session.device.type == "cuda":
        # Clocks and temperature right after the last timed batch, while the card is still warm.
        session.metrics["environment_during_timing"] = fingerprint(session.device)
    speedup, speedup_ci = combined_speedup(results)
    _record(session, results, speedup, speedup_ci)


def _record(session: "Session", results: list[dict], speedup: float, speedup_ci: list[float] | None) -> None:
    outside = [r["case"] for r in results if r["source"] != "in_process"]
    mismatched = [r["case"] for r in results if r["mismatch"]]
    noisy = [r for r in results if not r["converged"]]
    loose = [r for r in results if r["allowance_share"] > CONFIRM_LIMIT]
    for flag, present in (("timing_mismatch", mismatched), ("noisy", noisy or loose)):
        if present and flag not in session.flags:
            session.flags.append(flag)
    last = results[-1]
    session.metrics.update(
        speedup=speedup,
        speedup_ci=speedup_ci,
        latency_ms=dict(last["candidate"], case=last["case"], source=last["source"]),
        baseline_latency_ms=dict(last["baseline"], case=last["case"]),
        cases=results,
        timing_method=latency_method_text(device_type=session.device.type, kernel=session.job.get("kind") == "kernel",
                                         min_rounds=MIN_ROUNDS, ci_target=CI_TARGET, warmup_stable=WARMUP_STABLE),
    )
    ci_text = f"95% CI {speedup_ci[0]:.3f}-{speedup_ci[1]:.3f}" if speedup_ci else "no CI: a side's batches had no usable spread"
    detail = f"speedup {speedup:.3f}x over the baseline (geometric mean of {len(results)} case(s); {ci_text})"
    if outside:
        detail += f"; in-process timings set aside on {', '.join(outside)}: the outside clocks decided"
    if mismatched:
        detail += f"; in-process timings undercut the outside clocks on {', '.join(mismatched)}"
    if noisy:
        worst = max(math.inf if r["speedup_ci_rel"] is None else r["speedup_ci_rel"] for r in noisy)
        reached = f"reached +/-{worst:.1%}" if math.isfinite(worst) else "could not be computed"
        detail += f"; noisy: the speedup's 95% CI {reached}, not the {CI_TARGET:.0%} target, within the time budget"
    if loose:
        widest = max(r["allowance_share"] for r in loose)
        detail += f"; noisy: the outside clocks could confirm the in-process figures only to +/-{widest:.0%}"
    session.add_check("latency", "pass", detail)


def check_cipher(session: "Session") -> None:
    """The trusted baseline worker must unseal to the very bytes the supervisor sealed: were the
    keystreams ever to disagree (another GPU, another torch), every candidate would get noise."""
    probe = torch.randn(1000, 37, generator=torch.Generator().manual_seed(1)).to(session.device)
    key = session.seed_for("cipher-check")
    reply, outs = session.answer(
        session.baseline, {"op": "unseal", "key": tensor_key(key, 0), "dtype": "float32", "shape": list(probe.shape)},
        [seal(probe, tensor_key(key, 0))], timeout=session.call_timeout(),
    )
    if not outs or not torch.equal(outs[0], probe.cpu()):
        raise RuntimeError(f"the worker's keystream on {session.device} differs from the supervisor's: sealed inputs cannot be used here")


def _time_case(session: "Session", case_index: int, case: Case, dtype: str, *, at: tuple[int, int] = (1, 1)) -> dict:
    mode = _preferred_mode(session)
    if mode == "graph":
        try:
            return _measure(session, case_index, case, dtype, mode, at=at)
        except _GraphMismatch:
            if "graph_replay_mismatch" not in session.flags:
                session.flags.append("graph_replay_mismatch")
    return _measure(session, case_index, case, dtype, "eager", at=at)


def _preferred_mode(session: "Session") -> str:
    if session.device.type != "cuda":
        return "eager"
    default = "graph" if session.job.get("kind") == "kernel" else "eager"
    return str(session.device_spec["params"].get("timing", default))


class _Case:
    """What the rounds of one case share: the fresh-input maker, the batch size, the poison."""

    def __init__(self, session: "Session", case_index: int, case: Case, dtype: str, mode: str) -> None:
        self.session, self.case, self.dtype, self.mode = session, case, dtype, mode
        self.rng = random.Random(session.seed_for(case_index, dtype, -1, mode))
        self._counter = iter(range(1, 10**9))
        self._seed = lambda n: session.seed_for(case_index, dtype, mode, n)
        self.batch = 3
        self.poison = 0

    def fresh(self) -> dict:
        return self.session.challenge.inputs(self.case, dtype=self.dtype, device=self.session.device, seed=self._seed(next(self._counter)))

    def fresh_batch(self) -> list[dict]:
        return [self.fresh() for _ in range(self.batch)]

    def timed(self, role: str) -> tuple[list[int], dict, bool]:
        return _timed_batch(self, role, self.fresh_batch())


def _measure(session: "Session", case_index: int, case: Case, dtype: str, mode: str, *, at: tuple[int, int] = (1, 1)) -> dict:
    run = _Case(session, case_index, case, dtype, mode)
    # An unpredictable number of verified calls first, so warm-up cannot be told from timing.
    for _ in range(run.rng.randint(2, 5)):
        inputs = run.fresh()
        call_and_check(session, case, dtype, inputs, session.challenge.expected(inputs))
    for _ in range(2):
        _baseline_call(session, run.fresh())
    run.mode = _agree_on_mode(session, run, mode)
    _size_batches(run)
    budget = session.latency_budget_s()
    started = time.monotonic()
    _warm_up(run, deadline=started + budget / 4)
    series = {"candidate": Series(), "baseline": Series()}
    rounds = 0
    while True:
        order = ["candidate", "baseline"]
        run.rng.shuffle(order)
        _timed_round(run, order, series)
        rounds += 1
        if rounds < MIN_ROUNDS:
            session.progress("latency", case_step=at[0], case_of=at[1], case=case.name, step=rounds)
            continue
        judged = judge_case(device=session.device.type, candidate=series["candidate"], baseline=series["baseline"])
        # The paired CI may end a case only from 2 x MIN_ROUNDS rounds: a MAD of 8 ratios is itself rough.
        paired_ci = judged["speedup_ci_rel"] if judged["estimator"] in ("paired", "paired_outside") and rounds >= 2 * MIN_ROUNDS else None
        converged = (paired_ci is not None and paired_ci <= CI_TARGET) or all(side["charged_ci_rel"] <= CI_TARGET for side in judged["sides"].values())
        last = converged or time.monotonic() - started > budget
        session.progress("latency", force=last, case_step=at[0], case_of=at[1], case=case.name, step=rounds, speedup=judged["speedup"], ci=judged["speedup_ci"])
        if last:
            return _case_result(run, series, judged, converged=converged, rounds=rounds)


def _size_batches(run: _Case) -> None:
    """The poison both sides get and a probe batch (verified, not counted) that sizes the batches
    so that one lasts about BATCH_TARGET_S on its device."""
    sample = run.fresh()
    expected = run.session.challenge.expected(sample)
    run.poison = nbytes(expected, run.dtype)
    # Two probes, the faster decides: the first call of a case can still pay for a cold path.
    walls = [_timed_batch(run, "candidate", [run.fresh() for _ in range(3)])[1]["wall"] for _ in range(2)]
    per_call_s = max(min(walls) / 3 / 1e9, 1e-6)
    set_bytes = sum(v.numel() * v.element_size() for v in sample.values() if isinstance(v, torch.Tensor))
    run.batch = max(3, min(MAX_BATCH, math.ceil(BATCH_TARGET_S[run.session.device.type] / per_call_s), STAGED_BYTES_CAP // max(set_bytes, 1)))


def _agree_on_mode(session: "Session", run: _Case, mode: str) -> str:
    """Both sides are timed the same way: graph only where both captured, else eager."""
    agreed = mode
    for role in ("candidate", "baseline"):
        if _prepare(session, role, run.fresh(), mode) != mode:
            agreed = "eager"
    if agreed != mode:
        for role in ("candidate", "baseline"):
            _prepare(session, role, run.fresh(), agreed)
    return agreed


def _prepare(session: "Session", role: str, sample: dict, mode: str) -> str:
    from graders.harness.package import split_tensors

    worker = session.candidate if role == "candidate" else session.baseline
    spec, tensors = split_tensors(sample)
    with quiet_candidate(session, role):
        reply, _ = session.answer(worker, {"op": "prepare", "kwargs": spec, "mode": mode}, tensors, timeout=session.call_timeout() * 4)
    return reply.get("mode", "eager")


def _warm_up(run: _Case, *, deadline: float) -> None:
    """Discarded batches (indistinguishable from timed ones) until each side's batch mean settles."""
    last = {"candidate": None, "baseline": None}
    for _ in range(WARMUP_MAX_ROUNDS):
        settled = True
        order = ["candidate", "baseline"]
        run.rng.shuffle(order)
        for role in order:
            times, _, _ = run.timed(role)
            mean = sum(times) / len(times)
            if last[role] is None or abs(mean - last[role]) > WARMUP_STABLE * max(last[role], 1):
                settled = False
            last[role] = mean
        if settled or time.monotonic() > deadline:
            return


def _seal_batch(run: _Case, worker: WorkerProcess, sets: list[dict], timeout: float) -> list[tuple[int, list]]:
    """Stage a batch sealed; return, per call, what unseals it (sent only when the call is due):
    its key, and on the cpu device its pads (the keystream itself, so the worker only XORs)."""
    session = run.session
    with_pads = session.device.type == "cpu"
    specs, tensors, unlocks = [], [], []
    for inputs in sets:
        key = session.seed_for("call-key", next(session.call_keys))
        spec, position, pads = {}, 0, []
        for name, value in inputs.items():
            if isinstance(value, torch.Tensor):
                spec[name] = {"tensor": len(tensors), "dtype": DTYPE_NAMES[value.dtype], "shape": list(value.shape)}
                if with_pads:
                    sealed, pad = seal_with_pad(value, tensor_key(key, position))
                    tensors.append(sealed)
                    pads.append(pad)
                else:
                    tensors.append(seal(value, tensor_key(key, position)))
                position += 1
            else:
                spec[name] = value
        specs.append(spec)
        unlocks.append((key, pads))
    session.answer(worker, {"op": "seal", "sets": specs}, tensors, timeout=timeout)
    return unlocks


def _timed_round(run: _Case, order: list[str], series: dict[str, Series]) -> None:
    """One round: both sides on the same fresh inputs (each sealed under its own keys), the float64
    oracle before either side's batch and the candidate's checks after both, so the supervisor's
    own work just before a batch (on the one core they share) is the same whichever side is first:
    with the oracle just before the candidate's batch, its first calls found the caches full of
    the oracle's data (resnet50-latency A/A 0.98)."""
    sets = run.fresh_batch()
    expected = [run.session.challenge.expected(s) for s in sets]
    held = None
    for role in order:
        times, readings, spawned, outputs = _run_batch(run, role, sets, expected if role == "candidate" else None)
        series[role].add(times, readings, spawned)
        if role == "candidate":
            held = outputs
    _check_candidate(run, held, sets, expected)


def _timed_batch(run: _Case, role: str, sets: list[dict]) -> tuple[list[int], dict, bool]:
    """One side's batch with its checks (probes and warm-up): the in-process times, the clocks'
    readings and whether a process or thread was created during the batch."""
    expected = [run.session.challenge.expected(s) for s in sets] if role == "candidate" else None
    times, readings, spawned, held = _run_batch(run, role, sets, expected)
    if role == "candidate":
        _check_candidate(run, held, sets, expected)
    return times, readings, spawned


def _run_batch(run: _Case, role: str, sets: list[dict], expected: list | None) -> tuple[list[int], dict, bool, tuple]:
    """Seal and stage the batch, then one `go` per call, each reply carrying that call's output;
    the outside clocks span all the `go`s; then every output again (`fetch`). Returns the times,
    the clocks' readings, whether a process or thread was created, and (outputs, fetched) to check."""
    session = run.session
    worker = session.candidate if role == "candidate" else session.baseline
    flush = session.device.type == "cuda" and session.job.get("kind") == "kernel"
    cap = answer_cap(expected[0], run.dtype, 1) if expected else 1 << 34
    times, outputs = [], []
    with quiet_candidate(session, role):
        unlocks = _seal_batch(run, worker, sets, session.call_timeout() * len(sets))
        with OutsideClocks(worker.proc.pid, session.device.type) as clocks:
            for index, (key, pads) in enumerate(unlocks):
                header = {"op": "go", "index": index, "flush_l2": flush, "poison_bytes": run.poison, **({} if pads else {"key": key})}
                reply, outs = session.answer(worker, header, pads, timeout=session.call_timeout(), max_bytes=cap)
                times.append(_elapsed(reply, worker, run.mode))
                outputs.append((reply, outs))
        # The batch is over (gc back on): every output again, as the worker holds it now.
        _, later = session.answer(worker, {"op": "fetch"}, timeout=session.call_timeout() * len(sets), max_bytes=cap * len(sets))
    return times, clocks.readings, clocks.spawned, (outputs, later)


def _check_candidate(run: _Case, held: tuple, sets: list[dict], expected: list) -> None:
    outputs, later = held
    _verify_batch(run, outputs, sets, expected)
    _verify_unchanged_since(run, outputs, later)


def _elapsed(reply: dict, worker: WorkerProcess, mode: str) -> int:
    if reply.get("mode", "eager") != mode:
        raise _GraphMismatch()
    elapsed = reply.get("t")
    if not isinstance(elapsed, int) or isinstance(elapsed, bool) or elapsed < 0:
        raise Outcome(verdicts.REJECTED, f"the {worker.role} sent a malformed timing")
    return elapsed


def _verify_batch(run: _Case, outputs: list, sets: list[dict], expected: list) -> None:
    for (reply, outs), inputs, want in zip(outputs, sets, expected):
        kinds = reply.get("outputs")
        kind = kinds[0] if isinstance(kinds, list) and kinds and isinstance(kinds[0], dict) else {}
        try:
            verify_output(run.session, run.case, run.dtype, kind, outs[0] if outs else None, want, inputs)
        except Outcome as wrong:
            if run.mode == "graph" and wrong.verdict == verdicts.WRONG_ANSWER:
                raise _GraphMismatch() from None  # replay of honest code can differ from eager; re-time eagerly
            raise


def _verify_unchanged_since(run: _Case, outputs: list, later: list) -> None:
    """An output must still hold what it held when its call returned: a buffer reused by the next
    call, or written after the call returned, is a wrong answer (the caller's result changed)."""
    if len(later) != len(outputs):
        raise Outcome(verdicts.WRONG_ANSWER, f"{run.case.name} {run.dtype}: {len(later)} outputs held for {len(outputs)} timed calls")
    for index, ((_, outs), now) in enumerate(zip(outputs, later)):
        then = outs[0] if outs else None
        if then is None or then.dtype != now.dtype or then.shape != now.shape or not torch.equal(then.view(-1).view(torch.uint8), now.view(-1).view(torch.uint8)):
            raise Outcome(verdicts.WRONG_ANSWER, f"{run.case.name} {run.dtype}: the output of timed call {index + 1} changed after the call returned "
                          "(the entry point reuses its output buffer, or keeps writing it)")


def _baseline_call(session: "Session", inputs: dict) -> None:
    from graders.harness.package import split_tensors

    spec, tensors = split_tensors(inputs)
    with quiet_candidate(session, "baseline"):
        session.answer(session.baseline, {"op": "call", "kwargs": spec}, tensors, timeout=session.call_timeout(), max_bytes=1 << 34)


def _case_result(run: _Case, series: dict[str, Series], judged: dict, *, converged: bool, rounds: int) -> dict:
    sides = judged["sides"]
    result = {
        "case": run.case.name, "dtype": run.dtype, "batch": run.batch, "rounds": rounds, "mode": run.mode,
        "speedup": judged["speedup"], "speedup_ci": judged["speedup_ci"], "speedup_ci_rel": judged["speedup_ci_rel"],
        "converged": converged, "source": judged["source"], "estimator": judged["estimator"], "speedup_unpaired": judged["speedup_unpaired"], "mismatch": judged["mismatch"], "allowance_share": judged["allowance_share"],
        "clocks": judged["clocks"], "harness_cost_us": judged["harness_cost_us"],
    }
    for role in ("candidate", "baseline"):
        side = sides[role]
        per_call = stats.summarize_ms(series[role].per_call())
        result[role] = dict(per_call, per_batch=side["in_process"], charged_median=side["charged_ns"] / 1e6, source=side["source"],
                            quantiles=distribution_ms(series[role].per_call()))
        # judged_median: the outside figure the charge rule ran on (ms); the candidate's is measured
        # against the baseline's in the same rounds where the rounds allow (estimator paired*)
        result[f"{role}_outside"] = dict(side["outside_clock"], clock=side["clock"], judged_median=side["outside_ns"] / 1e6,
                                         allowed_us=side["allowed_ns"] / 1e3, noise_us=side["noise_ns"] / 1e3)
    return result


DISTRIBUTION_QUANTILES = (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0)


def distribution_ms(samples_ns: list[float]) -> dict:
    """The per-call times' distribution in a few numbers (for the result page's chart): these
    quantiles, in ms, whatever the number of calls."""
    values = sorted(v / 1e6 for v in samples_ns)
    if not values:
        return {"q": [], "ms": []}
    return {"q": list(DISTRIBUTION_QUANTILES), "ms": [round(stats.quantile(values, q), 6) for q in DISTRIBUTION_QUANTILES]}
