"""Peak host memory of one candidate call, measured from outside the candidate's process.

The supervisor reads the worker's `/proc/<pid>/status`: `VmRSS` just before the call,
`VmHWM` (the resident high-water mark) just after it. Before the call it writes `5` to
`/proc/<pid>/clear_refs`, which resets the high-water mark to the current RSS, so the
difference is what that one call added at its peak (its working set and its output).
Where the sandbox does not allow writing `clear_refs`, a thread samples the worker's
anonymous RSS (resident minus file-backed, from `/proc/<pid>/statm`) every 0.5 ms during
the call instead, and the result is flagged as sampled.
Nothing here asks the candidate's process anything: it cannot under-report.

The call measured is the first case of the spec with fresh inputs, run through the
normal stage/run/fetch ops and its output verified, after one warm-up call on the
smallest case (so first-use code pages do not count). The budget is
`[devices.<kind>].params.peak_memory_mb`. Run the step first (before `correctness`), on a
fresh worker: freed heap pages the allocator keeps would hide a later peak.

On a GPU the step measures host memory too, which is rarely the point: packages that
grade device memory size their GPU cases so that the card's own capacity is the limit,
and the step records a `skip` there instead.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from graders import verdicts
from graders.harness.outcome import Outcome
from graders.harness.output_checks import verify_output
from graders.harness.package import split_tensors
from graders.harness.steps import step

if TYPE_CHECKING:
    from graders.harness.supervisor import Session


def read_status_kb(pid: int) -> dict[str, int]:
    """The `Vm*` lines of /proc/<pid>/status, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key.startswith("Vm") and rest.strip().endswith("kB"):
            values[key] = int(rest.split()[0])
    return values


def reset_high_water_mark(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


TRACE_CAP = 20000  # samples kept by a sampler (10 s at 0.5 ms)
TIMELINE_POINTS = 120  # what the result keeps of them


def timeline(trace: list[tuple[float, int]], *, base_kb: int, points: int = TIMELINE_POINTS) -> dict:
    """A sampler's trace in at most `points` points, each the largest sample of its slice (so the
    peak survives), as ms since the call began and MiB above `base_kb`."""
    if not trace:
        return {"t_ms": [], "mb": []}
    size = max(1, -(-len(trace) // points))
    t_ms, mb = [], []
    for start in range(0, len(trace), size):
        chunk = trace[start:start + size]
        t, kb = max(chunk, key=lambda sample: sample[1])
        t_ms.append(round(t * 1000, 3))
        mb.append(round(max(kb - base_kb, 0) / 1024, 3))
    return {"t_ms": t_ms, "mb": mb}


class RssSampler:
    """Samples a process's resident set size every `interval_s` on a thread: the fallback
    where `clear_refs` cannot be written (a sandbox without the right to). Peaks shorter
    than the interval can be missed, so the result is flagged as sampled."""

    def __init__(self, pid: int, interval_s: float = 0.0005) -> None:
        self.page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
        self.fd = os.open(f"/proc/{pid}/statm", os.O_RDONLY)
        self.interval_s = interval_s
        self.peak_kb = 0
        self.samples = 0
        self.started = time.monotonic()
        self.trace: list[tuple[float, int]] = []  # (s since start, KiB), the first TRACE_CAP samples
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read_kb(self) -> int:
        fields = os.pread(self.fd, 256, 0).split()
        return (int(fields[1]) - int(fields[2])) * self.page_kb  # resident minus file-backed

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                now_kb = self._read_kb()
            except (OSError, ValueError, IndexError):
                return
            self.peak_kb = max(self.peak_kb, now_kb)
            if len(self.trace) < TRACE_CAP:
                self.trace.append((time.monotonic() - self.started, now_kb))
            self.samples += 1
            time.sleep(self.interval_s)

    def __enter__(self) -> "RssSampler":
        self.peak_kb = self._read_kb()
        self.started = time.monotonic()
        self.trace = [(0.0, self.peak_kb)]
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        try:
            self.peak_kb = max(self.peak_kb, self._read_kb())
        except OSError:
            pass  # the process is gone: what was sampled stands
        finally:
            os.close(self.fd)


@step("peak_memory")
def peak_memory(session: "Session") -> None:
    budget_mb = session.device_spec["params"].get("peak_memory_mb")
    if budget_mb is None:
        raise RuntimeError("the peak_memory grader needs params.peak_memory_mb in the device table")
    if session.device.type != "cpu":
        session.add_check("peak_memory", "skip", "host peak not graded on a GPU; the card's own memory is the limit there")
        return
    cases = session.challenge.cases()
    case = cases[0]
    dtype = session.dtypes()[0]
    _warm_up(session, min(cases, key=lambda c: _size(c.params)), dtype)
    inputs = session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for("peak_memory"))
    expected = session.challenge.expected(inputs)
    peak_mb, exact, memory_timeline = _measure_call(session, inputs)
    header, outs = session.answer(session.candidate, {"op": "fetch"}, timeout=session.call_timeout(), max_bytes=1 << 30)
    kinds = header.get("outputs", [])
    kind = kinds[0] if kinds else {"type": "NoneType"}
    verify_output(session, case, dtype, kind, outs[0] if outs else None, expected, inputs)
    session.metrics["peak_memory_mb"] = round(peak_mb, 1)
    session.metrics["memory_timeline"] = dict(memory_timeline, budget_mb=float(budget_mb))
    how = "" if exact else " (RSS sampled every 0.5 ms: the high-water mark could not be reset here)"
    detail = f"{case.name}: peak {peak_mb:.1f} MiB above the inputs, budget {budget_mb:g} MiB{how}"
    if not exact:
        session.flags.append("peak_memory_sampled")
    if peak_mb > float(budget_mb):
        raise Outcome(verdicts.MEMORY_LIMIT_EXCEEDED, detail)
    session.add_check("peak_memory", "pass", detail)


def _size(params: dict) -> int:
    size = 1
    for dim in params.get("shape", [1]):
        size *= int(dim)
    return size


def _warm_up(session: "Session", case, dtype: str) -> None:
    """One verified call on the smallest case first: the code the call runs (BLAS, oneDNN)
    is then paged in, so the measured call's peak is its data, not first-use code pages."""
    from graders.harness.output_checks import call_and_check

    inputs = session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for("peak_memory_warm_up"))
    call_and_check(session, case, dtype, inputs, session.challenge.expected(inputs))


def _measure_call(session: "Session", inputs: dict) -> tuple[float, bool, dict]:
    """(peak MiB above the RSS before the call, exact?, the sampled timeline). The timeline is
    sampled in both cases (every 1 ms where the high-water mark decides, for the chart only)."""
    pid = session.candidate.proc.pid
    spec, tensors = split_tensors(inputs)
    session.answer(session.candidate, {"op": "stage", "sets": [spec]}, tensors, timeout=session.call_timeout())
    exact = reset_high_water_mark(pid)
    if exact:
        before = read_status_kb(pid)["VmRSS"]
        with RssSampler(pid, interval_s=0.001) as sampler:
            session.answer(session.candidate, {"op": "run"}, timeout=session.call_timeout())
        peak_mb = max(read_status_kb(pid)["VmHWM"] - before, 0) / 1024.0
        return peak_mb, True, _timeline(sampler, exact=True)
    with RssSampler(pid) as sampler:
        before = sampler.peak_kb
        session.answer(session.candidate, {"op": "run"}, timeout=session.call_timeout())
    return max(sampler.peak_kb - before, 0) / 1024.0, False, _timeline(sampler, exact=False)


def _timeline(sampler: RssSampler, *, exact: bool) -> dict:
    line = timeline(sampler.trace, base_kb=sampler.trace[0][1] if sampler.trace else 0)
    line["method"] = (f"anonymous RSS (resident minus file-backed, /proc/<pid>/statm) sampled every {sampler.interval_s * 1000:g} ms "
                      f"during the call, above its value at the start; {sampler.samples} samples, at most {TIMELINE_POINTS} kept (each the "
                      "largest of its slice)" + ("; the graded peak is the high-water mark (VmHWM), not this sampling" if exact else ""))
    return line
