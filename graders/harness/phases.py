"""Which phase of a grading reached a limit, and when the package itself is at fault (supervisor side).

A grading spends its time and memory in three phases: the **oracle** (the package's inputs and
float64 expected outputs, computed here in the supervisor), the **baseline** (the problem's
reference, in its own trusted worker) and the **candidate**. A `time_limit_exceeded` or
`memory_limit_exceeded` names its phase and the figure (the time, the peak or the allocation).
Where the package alone cannot run within its limits, the result is a *package fault*:
`internal_error` flagged `package_fault` (never the candidate's score, not retried: it would fail
the same way), its message naming the phase and saying the package must be made smaller.

Only evidence the candidate cannot produce makes a package fault:
- memory: the supervisor caps its own allocations during the oracle, and the baseline worker
  its own, at the sandbox's whole limit (shared/memcap.py): an allocation refused under that cap
  needs more than the sandbox has, whatever the candidate does;
- time: CPU time (the supervisor's during the oracle, the baseline worker's during a baseline
  call), which another process's spinning does not inflate. One oracle call over the per-call
  limit `call_s` is the package's; so is a baseline call that ran its full `call_s`, but only
  when the candidate stayed idle meanwhile (else the candidate is rejected for interfering).
A limit reached any other way (the sandbox's cgroup full, the grading's wall time used up) stays
the candidate's verdict, with the time each phase took in the message.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from graders import verdicts
from graders.harness.clocks import group_cpu_time_ns
from graders.harness.outcome import Outcome
from graders.harness.shared import memcap

PACKAGE_FAULT = "package_fault"  # the result's flag
IDLE_CPU_SHARE = 0.10  # of the wall time: more than this while the baseline runs is not idle
WATCH_INTERVAL_S = 0.25


def package_fault(phase: str, what: str) -> Outcome:
    who = "the problem's own reference" if phase == "baseline" else "the package's inputs and float64 expected outputs"
    return Outcome(verdicts.INTERNAL_ERROR,
                   f"package fault ({phase}: {who}): {what}; the submission was not at fault and is not scored: "
                   "the package must be made smaller (its sizes or limits)", package_fault=True, phase=phase)


class PhaseClock:
    """Time per phase, the oracle's guard and the baseline call's judge, for one session."""

    def __init__(self, *, limits: dict, device_type: str) -> None:
        self.memory_mb = float(limits.get("memory_mb", 2048))
        self.call_s = float(limits.get("call_s", 30))
        self.capped = device_type == "cpu"
        self.wall = {"oracle": 0.0, "baseline": 0.0, "candidate": 0.0}
        self.cpu = {"oracle": 0.0}
        self.current: str | None = None
        self.what = ""
        self.span_cpu0 = 0.0
        self.lock = threading.Lock()

    def summary(self) -> str:
        return (f"time so far: oracle {self.wall['oracle']:.1f} s (CPU {self.cpu['oracle']:.1f} s), "
                f"baseline {self.wall['baseline']:.1f} s, candidate {self.wall['candidate']:.1f} s")

    @contextmanager
    def oracle(self, what: str):
        """Making inputs or expected outputs: timed, allocations capped; a refused allocation, or
        one call over `call_s` of CPU time, is a package fault."""
        if self.current == "oracle":  # nested (an oracle calling the package's inputs)
            yield
            return
        previous = memcap.cap_data(self.memory_mb) if self.capped else None
        with self.lock:
            self.current, self.what = "oracle", what
            self.span_cpu0 = time.process_time()
        wall0 = time.monotonic()
        try:
            yield
        except (RuntimeError, MemoryError) as exc:
            if previous is not None and memcap.is_allocation_failure(exc):
                raise package_fault("oracle", f"{what} needs more than the sandbox's {self.memory_mb:g} MiB "
                                              f"({_first_line(exc)}; {_peak_mb():.0f} MiB in use by the supervisor)") from None
            raise
        finally:
            memcap.restore(previous)
            with self.lock:
                cpu = time.process_time() - self.span_cpu0
                self.current = None
                self.wall["oracle"] += time.monotonic() - wall0
                self.cpu["oracle"] += cpu
        if cpu > self.call_s:
            raise self.slow_oracle(cpu)

    def slow_oracle(self, cpu: float) -> Outcome:
        return package_fault("oracle", f"{self.what} took {cpu:.1f} s of CPU time, over the {self.call_s:g} s per-call limit")

    def runaway_oracle(self) -> Outcome | None:
        """The package fault of an oracle call still running past `call_s` of CPU time (the watchdog's)."""
        with self.lock:
            if self.current != "oracle":
                return None
            cpu = time.process_time() - self.span_cpu0
        return self.slow_oracle(cpu) if cpu > self.call_s + WATCH_INTERVAL_S else None

    @contextmanager
    def timed(self, role: str):
        start = time.monotonic()
        try:
            yield
        finally:
            if role in self.wall:
                self.wall[role] += time.monotonic() - start

    def judge_baseline_timeout(self, outcome: Outcome, *, timeout: float, candidate_cpu_s: float | None, wall_s: float) -> Outcome:
        """A baseline call that timed out: the package's, the candidate's (it kept a CPU busy
        meanwhile) or the grading's (its wall time ran out first)."""
        if timeout + 1e-6 < self.call_s:
            return Outcome(verdicts.TIME_LIMIT_EXCEEDED, f"the grading's time ran out while the baseline ran ({self.summary()})")
        if candidate_cpu_s is not None and wall_s > 0 and candidate_cpu_s / wall_s > IDLE_CPU_SHARE:
            return Outcome(verdicts.REJECTED, f"the candidate's processes kept {candidate_cpu_s / wall_s:.0%} of a CPU busy while the "
                                              f"baseline ran, which then ran past its {timeout:.1f} s limit")
        return package_fault("baseline", f"one call did not finish within the {timeout:.1f} s per-call limit")

    def baseline_failure(self, reply: dict) -> Outcome | None:
        """The package fault of a baseline reply that failed allocating under its cap (cpu device)."""
        text = f"{reply.get('error_type', '')}: {reply.get('error', '')}"
        if self.capped and memcap.is_allocation_failure(text=text):
            return package_fault("baseline", f"a call needs more than the sandbox's {self.memory_mb:g} MiB ({text.strip()[:300]})")
        return None


class OracleWatchdog:
    """Reports an oracle call that keeps running past `call_s` of CPU time without waiting for it to
    return (one float64 call can outlast the sandbox's own wall limit): `on_fault(outcome)` is
    called once, from this thread, and is expected to end the process."""

    def __init__(self, clock: PhaseClock, on_fault) -> None:
        self.clock = clock
        self.on_fault = on_fault
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        while not self.stopped.wait(WATCH_INTERVAL_S):
            fault = self.clock.runaway_oracle()
            if fault is not None and not self.stopped.is_set():
                self.on_fault(fault)
                return


def trusted_answer(session, worker, header: dict, tensors=(), *, timeout: float, max_bytes: int):
    """`Session.answer` for a worker that runs no candidate code (the baseline's, ncu's): its
    failures are the package's or the platform's, never the candidate's runtime error."""
    if worker.role != "baseline":
        reply, outs = worker.request(header, tensors, timeout=timeout, max_bytes=max_bytes)
    else:
        clock: PhaseClock = session.phases
        # A timed call reads nothing here (the same harness work on both sides): its batch's mark.
        mark = session.candidate_watch_mark if header.get("op") == "go" else None
        cpu0, wall0 = mark if mark is not None else (candidate_cpu_s(session.candidate), time.monotonic())
        try:
            with clock.timed("baseline"):
                reply, outs = worker.request(header, tensors, timeout=timeout, max_bytes=max_bytes)
        except Outcome as outcome:
            if outcome.verdict != verdicts.TIME_LIMIT_EXCEEDED:
                raise
            cpu1 = candidate_cpu_s(session.candidate)
            used = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
            raise clock.judge_baseline_timeout(outcome, timeout=timeout, candidate_cpu_s=used, wall_s=time.monotonic() - wall0) from None
        if not reply.get("ok") and (fault := clock.baseline_failure(reply)) is not None:
            raise fault
    if not reply.get("ok"):
        raise RuntimeError(f"{worker.role} worker failed: {reply.get('error_type')}: {reply.get('error')}\n{reply.get('traceback', '')}")
    return reply, outs


def candidate_cpu_s(worker) -> float | None:
    pid = getattr(getattr(worker, "proc", None), "pid", None)
    ns = group_cpu_time_ns(pid) if pid is not None else None
    return None if ns is None else ns / 1e9


def _peak_mb() -> float:
    return (memcap.status_kb("VmHWM") or 0) / 1024


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = next((t for t in text if "allocate" in t.lower()), text[0] if text else "")
    return f"{type(exc).__name__}: {line.strip()[:200]}"
