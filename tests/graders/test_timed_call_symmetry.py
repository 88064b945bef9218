"""The supervisor's own work around a timed call must be the same for both sides: any extra work
before one side's calls (on the one pinned core) slows that side's calls. A /proc read of the
candidate's CPU time before every baseline call made the baseline 2-4% slower in A/A gradings."""
from __future__ import annotations

from types import SimpleNamespace

from graders.harness import phases


class _Worker:
    def __init__(self, role: str) -> None:
        self.role = role
        self.proc = SimpleNamespace(pid=None)

    def request(self, header, tensors=(), *, timeout, max_bytes):
        return {"ok": True}, []


def _session():
    clock = phases.PhaseClock(limits={"call_s": 10, "memory_mb": 1024}, device_type="cpu")
    return SimpleNamespace(phases=clock, candidate=_Worker("candidate"), candidate_watch_mark=(0.0, 0.0))


def test_a_timed_baseline_call_reads_nothing_about_the_candidate(monkeypatch):
    reads = []
    monkeypatch.setattr(phases, "candidate_cpu_s", lambda worker: reads.append(worker) or 0.0)
    session = _session()
    for _ in range(5):
        phases.trusted_answer(session, _Worker("baseline"), {"op": "go", "index": 0}, timeout=1.0, max_bytes=1 << 20)
    assert reads == []


def test_an_untimed_baseline_call_still_notes_the_candidate_cpu(monkeypatch):
    reads = []
    monkeypatch.setattr(phases, "candidate_cpu_s", lambda worker: reads.append(worker) or 0.0)
    phases.trusted_answer(_session(), _Worker("baseline"), {"op": "call", "kwargs": {}}, timeout=1.0, max_bytes=1 << 20)
    assert len(reads) == 1
