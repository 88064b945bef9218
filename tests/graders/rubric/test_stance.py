"""Claims and denials: a criterion is earned by what the answer asserts, not by naming it."""
from __future__ import annotations

import pytest

from graders.rubric import stance


@pytest.mark.parametrize("clause", [
    "It is not host-to-device transfer.",
    "It isn't kernel launch overhead either.",
    "Not the data loader: it is idle most of the time.",
    "Launch overhead is negligible here, 0.4 ms of a 40 ms step.",
    "The copies are not the bottleneck.",
    "The GPU is not saturated.",
    "A per-sample loop is unlikely in this model.",
    "I doubt the kernels changed.",
    "So I ruled out the driver.",
    "That rules out the data loader.",
    "Verifying is a waste of time.",
    "The transfer looks fine in the trace.",
])
def test_denials_dismissals_and_hedges_are_recognised(clause):
    assert stance.is_denied(clause)


@pytest.mark.parametrize("clause", [
    "If it is not overlapped with compute, the copy adds to every step.",
    "When GPU utilisation is not high, trace the pipeline with nsys.",
    "The op is not batched: it loops over samples in Python.",
    "It is not parallel on the batch, so its time grows linearly.",
    "Launch overhead is not negligible with hundreds of tiny kernels.",
    "If the GPU is idle, launch overhead cannot be ruled out yet.",
    "To rule out the driver, pin its version and rerun the benchmark.",
    "You also want to rule out a per-sample loop: the profiler shows its time.",
    "The CPU can't feed the GPU fast enough.",
])
def test_conditions_findings_and_tests_are_claims(clause):
    assert not stance.is_denied(clause)


def test_a_claim_after_a_contrast_survives_the_denial_before_it():
    claims, denied = stance.claims_and_denials(
        "It is not host-to-device transfer, but launch overhead: count the kernels in a trace.")
    assert claims == ["launch overhead: count the kernels in a trace."]
    assert denied == ["It is not host-to-device transfer"]


@pytest.mark.parametrize("segment", [
    "Maybe it is the copies, but probably not.",
    "I counted the kernels, since small ops can be launch-bound, but there were only forty, so that was not it.",
])
def test_a_denial_after_a_contrast_takes_the_claim_before_it_along(segment):
    claims, denied = stance.claims_and_denials(segment)
    assert claims == [] and "".join(denied)


def test_parts_are_substrings_of_the_segment_and_an_undenied_segment_stays_whole():
    segment = "The GPU is idle between batches, but the CPU thread is busy preprocessing."
    assert stance.claims_and_denials(segment) == ([segment], [])
    for part in stance.split_claims(segment):
        assert part in segment
