"""graders/harness/quiesce.py `check_idle`: a candidate that keeps a CPU busy while the
baseline is timed is rejected, judged on all the baseline's batches together."""
from types import SimpleNamespace

import pytest

from graders.harness.outcome import Outcome
from graders.harness.quiesce import IDLE_CPU_LIMIT, check_idle

MS = 1_000_000


def _session(log):
    return SimpleNamespace(candidate_idle_cpu=log, metrics={})


def test_a_spinner_charged_in_lumps_is_caught_though_most_batches_read_zero():
    """The kernel charges a spinner's time at its switches and ticks: over 2 ms batches most read
    0 and one reads a lump. A median per batch would say 0; the share over all of them is 20%."""
    log = [(0, 2 * MS)] * 9 + [(4 * MS, 2 * MS)]
    with pytest.raises(Outcome) as caught:
        check_idle(_session(log))
    assert caught.value.verdict == "rejected" and "20%" in caught.value.message


def test_an_idle_candidate_passes_and_the_share_is_recorded():
    session = _session([(10_000, 2 * MS)] * 12)
    check_idle(session)
    assert session.metrics["candidate_idle_cpu_fraction"] == pytest.approx(0.005)
    assert session.metrics["candidate_idle_cpu_fraction"] < IDLE_CPU_LIMIT


def test_too_few_batches_decide_nothing():
    session = _session([(5 * MS, 2 * MS)] * 2)
    check_idle(session)
    assert "candidate_idle_cpu_fraction" not in session.metrics
