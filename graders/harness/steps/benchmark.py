"""The `benchmark` grader: a candidate's benchmark function, judged by how close its figures
come to trusted measurements of hidden variants.

The candidate's entry is `benchmark(fn) -> float`: the median seconds per call of the
zero-argument callable `fn`. The package's cases name **variants** (workloads built here,
from a small library: a matmul, a tiny elementwise op, a function whose first call pays a
one-off initialisation, ...), with sizes drawn from the secret seed by the package's
`harness.inputs`. For each variant:

1. a **trusted** worker process (it loads only `bench_measure.py`) measures the variant: after
   warm-up calls, the median of single calls each closed by a device synchronise (immune
   to the odd descheduled call on a busy host), or, for calls under 50 us, where a clock
   read would show, `torch.utils.benchmark.Timer.blocked_autorange`'s median block;
2. the candidate's worker builds the same variant and calls the candidate's `benchmark`;
3. the trusted worker measures again. The trusted figure is the mean of the two.
   A round that disagrees is run again, up to `ATTEMPTS` rounds, and the best-agreeing
   round counts: contention on a busy host can hit one side of one round, while a flawed
   method is off by much more than that in every round.

A variant passes when `min(c/t, t/c) >= 1 / (1 + max_rel_error)` (`params.max_rel_error`).
Every variant must pass for `accepted`; else `wrong_answer`, naming the variant and both
figures. `metrics.accuracy` is the geometric mean of `min(c/t, t/c)` over variants (1.0 is
perfect agreement), scored against the spec's `targets.accuracy` tiers.

The trusted measurement (`graders/harness/bench_measure.py`) and the variant library
(`graders/harness/candidate/bench_variants.py`) run in the worker processes, never in the supervisor.
The candidate's worker has only the variant library: the trusted measuring code is in the
trusted worker's own library dir (`trusted_lib/`), which the candidate's uid cannot read
(graders/harness/libraries.py), and a candidate process in which trusted grader code was
loaded anyway (where the sandbox gives every process one uid) is `rejected`: reusing the
grader is not an answer (ANTI_CHEAT.md).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

from graders import verdicts
from graders.harness.bench_measure import PER_CALL_FLOOR_S, median_per_call  # noqa: F401 - re-exported for tests
from graders.harness.candidate.bench_variants import VARIANTS  # noqa: F401 - re-exported for tests
from graders.harness.outcome import Outcome
from graders.harness.steps import step
from graders.harness.worker_process import WorkerProcess

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

ATTEMPTS = 3
DEFAULT_MAX_REL_ERROR = 0.3
DEFAULT_TRUSTED_MIN_RUN_S = 0.3


# -- supervisor side ---------------------------------------------------------------------------
@step("benchmark")
def benchmark(session: "Session") -> None:
    params = session.device_spec["params"]
    max_rel = float(params.get("max_rel_error", DEFAULT_MAX_REL_ERROR))
    min_run = float(params.get("trusted_min_run_s", DEFAULT_TRUSTED_MIN_RUN_S))
    trusted = _start_trusted(session)
    _load_shim(session, session.candidate, session.worker_lib / "graders" / "harness" / "candidate" / "bench_variants.py", "run_variant")
    _load_shim(session, trusted, session.trusted_lib / "bench_measure.py", "measure_variant")
    rows = []
    try:
        for index, case in enumerate(session.challenge.cases()):
            inputs = session.challenge.inputs(case, dtype=session.dtypes()[0], device=session.device, seed=session.seed_for("benchmark", index))
            rows.append(_judge_variant(session, trusted, case.name, inputs, max_rel, min_run))
    finally:
        trusted.close()
    accuracy = math.exp(sum(math.log(r["agreement"]) for r in rows) / len(rows))
    session.metrics.update(benchmark=rows, accuracy=round(accuracy, 4), timing_method=_method_text(min_run, max_rel))
    bad = [r for r in rows if not r["ok"]]
    if bad:
        worst = min(bad, key=lambda r: r["agreement"])
        raise Outcome(verdicts.WRONG_ANSWER, f"{worst['case']}: your benchmark says {_fmt(worst['candidate_s'])}, trusted measurement {_fmt(worst['trusted_s'])} per call ({len(bad)} of {len(rows)} variants off by more than {max_rel:.0%})")
    session.add_check("benchmark", "pass", f"{len(rows)} variant(s) within {max_rel:.0%} of trusted measurements; accuracy {accuracy:.3f}")


def _judge_variant(session, trusted, name, inputs, max_rel, min_run) -> dict:
    """Up to ATTEMPTS rounds of (trusted, candidate, trusted); the best-agreeing round counts.

    On a busy host a burst of contention can land on either side of one round; a flawed
    benchmark (a cold call, no synchronisation, wrong units) is off by far more than that
    noise in every round, so retrying spares correct benchmarks without passing wrong ones."""
    request = {"variant": inputs["variant"], "size": int(inputs["size"]), "device": session.device.type, "min_run_time": min_run}
    best = None
    for attempt in range(1, ATTEMPTS + 1):
        before = _figure(session, trusted, {**request, "mode": "trusted"})
        candidate_s = _candidate_figure(session, request)
        after = _figure(session, trusted, {**request, "mode": "trusted"})
        trusted_s = (before + after) / 2
        agreement = min(candidate_s / trusted_s, trusted_s / candidate_s) if candidate_s > 0 else 0.0
        row = {
            "case": name, "variant": request["variant"], "size": request["size"], "attempt": attempt,
            "trusted_s": trusted_s, "trusted_spread": round(abs(before - after) / trusted_s, 4), "candidate_s": candidate_s,
            "agreement": max(agreement, 1e-9), "ok": agreement >= 1.0 / (1.0 + max_rel),
        }
        if best is None or row["agreement"] > best["agreement"]:
            best = row
        if row["ok"]:
            break
    return best


def _candidate_figure(session, request) -> float:
    entry = session.job["entry"]
    entry_path = str(session.worker_bundle / entry["file"])
    return _figure(session, session.candidate, {**request, "mode": "candidate", "entry_path": entry_path, "entry_callable": entry["callable"]})


def _figure(session, worker: WorkerProcess, kwargs: dict) -> float:
    reply, outs = session.answer(worker, {"op": "call", "kwargs": kwargs}, timeout=session.call_timeout())
    kinds = reply.get("outputs") or [{}]
    if kinds[0].get("type") != "tensor" or not outs:
        raise Outcome(verdicts.RUNTIME_ERROR, f"the {worker.role} returned no figure")
    figure = outs[0].reshape(-1)
    if figure.numel() != 2 or figure.dtype != torch.float64:
        raise Outcome(verdicts.REJECTED, f"the {worker.role} sent a malformed figure")
    seconds, used_trusted = float(figure[0]), float(figure[1])
    if used_trusted and worker is session.candidate:
        raise Outcome(verdicts.REJECTED, "your benchmark loaded the grader's own measuring code (graders.harness): "
                                  "reusing the grader's trusted measurement is not an answer")
    if not math.isfinite(seconds) or seconds < 0:
        raise Outcome(verdicts.WRONG_ANSWER, f"{kwargs['variant']}: {seconds!r} is not a duration in seconds")
    return seconds


def _start_trusted(session) -> WorkerProcess:
    """A second worker that only ever loads bench_measure.py: like the baseline worker, it runs
    from the private package folder (the supervisor's uid), never the candidate's."""
    return WorkerProcess(role="trusted", code_dir=session.bundle / "private" / "package", lib_dir=session.worker_lib,
                         scratch=session.scratch / "trusted", env=_worker_env(session), output_cap=1 << 20)


def _worker_env(session) -> dict:
    import os

    from graders.harness.supervisor import WORKER_ENV_ALLOW

    env = {k: os.environ[k] for k in WORKER_ENV_ALLOW if k in os.environ}
    if session.device.type == "cpu":
        env.update({"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE", "MKL_NUM_THREADS": "1"})
    return env


def _load_shim(session, worker: WorkerProcess, path, callable_name: str) -> None:
    """Make `callable_name` of the file at `path` the worker's entry point (the candidate's
    module stays loaded)."""
    reply, _ = worker.request({"op": "load", "file": str(path), "callable": callable_name, "device": session.job["device"]}, timeout=session.call_timeout())
    if not reply.get("ok"):
        if worker is session.candidate:  # the candidate's process: its doing
            session.check_answer(reply)
        raise RuntimeError(f"the {worker.role} worker could not load the benchmark shim: {reply.get('error')}")


def _fmt(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def _method_text(min_run: float, max_rel: float) -> str:
    return (f"trusted: median of synchronised single calls over {min_run:g} s after 3 warm-up calls (blocked_autorange below {PER_CALL_FLOOR_S * 1e6:g} us a call), "
            f"in a separate trusted process, before and after the candidate's figure (mean of the two); a variant passes within {max_rel:.0%}, "
            f"best of up to {ATTEMPTS} rounds")
