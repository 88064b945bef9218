"""Scoring behaviour on answers written for these tests (none is in the training data),
including the gaming answers the issue names: each must stay within what the rules allow."""
from __future__ import annotations

import pytest

from graders.rubric import score_answer

STRONG_DEBUG = """First I'd put the dashboards from before and after the release side by side: requests per
second, p99 latency, GPU utilisation and host CPU usage, and reproduce the drop with a benchmark of
both builds on one machine. If the GPU is now idle more often, I'd record an Nsight Systems timeline
and look for gaps between kernels, blocking synchronisations or new CPU-side work. If the GPU is as
busy as before, I'd diff the PyTorch Profiler kernel tables of both builds to find the kernel that
became slower or appeared. I'd enumerate what the deployment changed (code, config, CUDA, driver) and
bisect it, testing one hypothesis at a time. The guilty kernel then goes through Nsight Compute for
occupancy and memory throughput. Finally I'd confirm the fix with warmed-up, synchronised, repeated
benchmark runs and add a DCGM alert on throughput."""

STRONG_BATCH = """I'd first sweep the batch size and plot throughput to see where it flattens, then test one
hypothesis at a time. The host may not feed the GPU: preprocessing or host-to-device copies from
pageable memory; an Nsight Systems timeline would show idle gaps and long cudaMemcpy calls. The model
may be launch-bound: hundreds of small kernels per step, so I'd count the launches and the time in
cudaLaunchKernel in the trace and try CUDA graphs. Some op may loop over samples in Python; the
PyTorch Profiler would show its time growing with the batch, and swapping in a batched op should
restore scaling. Finally the GPU may already be saturated: Nsight Compute would show SM and memory
throughput near peak on the roofline."""

GAMING_DEBUG = {
    "off_topic": "Bread needs flour, water, salt and yeast. Knead it for ten minutes and bake it at 230 degrees.",
    "gibberish": "asdkj qwoeiu zmxncb poqiwe lkasjd mznxbc qpwoei alskdj zmxn qpwo alsk",
    "padding": "This is a very important question and I will answer it carefully. " * 40,
    "repetition": "I would look at the GPU. " * 60,
    "padded_keywords": ("Performance is important. " * 20) + "GPU kernels throughput latency profiler. " * 10,
    "negated": ("I would not compare metrics before and after the deployment. I would never use Nsight Systems "
                "or the PyTorch Profiler. There is no need to bisect the diff or test hypotheses. I wouldn't "
                "verify the fix either."),
    "paraphrased_question": ("So a model serving deployment went out yesterday and throughput dropped by thirty "
                             "percent on the same hardware and weights, and I have to walk through how to find the cause."),
    "empty": "   ",
}
# The issue's gaming answers, on both seed questions: every criterion named only to be
# denied, every criterion's keywords listed with no claim (as a comma list and as bullets),
# and a keyword salad.
GAMING_DEBUG.update({
    "negates_every_criterion": (
        "It is not a metrics problem, so there is no point comparing before and after. It isn't the host side "
        "either, and the Nsight Systems timeline is not needed. The kernels are not the cause, so the PyTorch "
        "Profiler is pointless. Bisecting the diff is a waste of time. Nsight Compute is unnecessary, and "
        "there is no need to verify the fix."),
    "keywords_listed": "baseline, before and after, idle gaps, timeline, kernel mix, slower kernel, bisect, "
                       "hypotheses, occupancy, roofline, verify, monitoring",
    "keywords_bulleted": ("- before and after metrics\n- idle gaps in the timeline\n- slower kernel\n"
                          "- bisect the diff\n- occupancy and roofline\n- verify and monitoring"),
    "keyword_salad": ("The before and after dashboard bisects the idle gaps of the kernel mix, so the occupancy "
                      "roofline verifies the monitoring hypotheses with the slower kernel timeline."),
})
GAMING_BATCH_ISSUE = {
    "negates_every_criterion": (
        "It is not host-to-device transfer. It is not kernel launch overhead. It is not a per-sample Python "
        "loop, and the GPU is not saturated either. There is no need to test anything or sweep the batch size."),
    "keywords_listed": "host-to-device, pinned memory, kernel launch, small kernels, per-sample, python loop, "
                       "compute-bound, roofline, sweep, one at a time",
    "keywords_bulleted": ("- host-to-device copies\n- kernel launch overhead\n- per-sample python loop\n"
                          "- compute-bound\n- batch size sweep"),
    "hedged_away": ("Maybe it is the host-to-device copies, but probably not. Launch overhead is unlikely with "
                    "this model. I doubt a per-sample loop is involved, and the GPU is probably not saturated."),
}
GAMING_BATCH = {
    "off_topic": "The French Revolution began in 1789 and ended the monarchy. Napoleon later crowned himself emperor.",
    "gibberish": "flurb glomp snizzle wobbleflop quark zing ploof drabble snorkel wumpus",
    "padding": "I think that this is a really interesting problem to think about in detail. " * 40,
    "repetition": "The batch size matters. " * 60,
    "negated": ("It is not the data transfer and I would not check it in Nsight Systems. Kernel launch overhead "
                "does not matter. I would not use the PyTorch profiler to look for per-sample loops, and I "
                "wouldn't look at Nsight Compute."),
    "keyword_salad": ("The dataloader roofline saturates the launch overhead of the python loop, so the cudaMemcpy "
                      "isolates the compute-bound small kernels per sample via pinned memory fusion and a throughput "
                      "curve versus batch size."),
    **GAMING_BATCH_ISSUE,
    "ruled_out": ("Kernel launch overhead can't be it at these batch sizes, so I'd rule that out. And since memory "
                  "is far from full, it can't be that the GPU is compute-bound either."),
}


def by_id(result):
    return {c.id: c for c in result.criteria}


def test_the_json_shape_is_the_designs(debug_rubric):
    data = score_answer(rubric=debug_rubric, answer=STRONG_DEBUG).as_dict()
    assert {"score", "max", "needs_review", "criteria"} <= set(data)
    assert data["max"] == 10 and isinstance(data["needs_review"], bool)
    for criterion in data["criteria"]:
        assert {"id", "points", "max", "confidence", "evidence"} <= set(criterion)
        assert 0.0 <= criterion["confidence"] <= 1.0
    assert sum(c["max"] for c in data["criteria"]) == 10


@pytest.mark.parametrize("answer, rubric_name", [(STRONG_DEBUG, "debug_rubric"), (STRONG_BATCH, "batch_rubric")])
def test_a_strong_answer_scores_high_with_evidence_from_the_answer(answer, rubric_name, request):
    result = score_answer(rubric=request.getfixturevalue(rubric_name), answer=answer)
    assert result.score >= 8
    for criterion in result.criteria:
        if criterion.points > 0:
            assert criterion.evidence and criterion.evidence in answer
        else:
            assert criterion.evidence is None


@pytest.mark.parametrize("kind", sorted(GAMING_DEBUG))
def test_gaming_answers_to_debug_regression_score_at_most_two(debug_rubric, kind):
    assert score_answer(rubric=debug_rubric, answer=GAMING_DEBUG[kind]).score <= 2


@pytest.mark.parametrize("kind", sorted(GAMING_BATCH))
def test_gaming_answers_to_batch_scaling_score_at_most_two(batch_rubric, kind):
    assert score_answer(rubric=batch_rubric, answer=GAMING_BATCH[kind]).score <= 2


@pytest.mark.parametrize("rubric_name", ["debug_rubric", "batch_rubric"])
def test_the_question_copied_back_scores_nothing_and_is_flagged(rubric_name, request):
    rubric = request.getfixturevalue(rubric_name)
    result = score_answer(rubric=rubric, answer=rubric.question)
    assert result.score == 0
    assert "copies_question" in result.flags


@pytest.mark.parametrize("answer, rubric_name", [
    ("nsys, ncu, torch.profiler, git bisect, DCGM, grafana, nvidia-smi", "debug_rubric"),
    ("nsys, ncu, PyTorch Profiler, CUDA graphs, Nsight Systems, Nsight Compute", "batch_rubric"),
    ("Nsight Systems. Nsight Compute. PyTorch Profiler.", "batch_rubric"),
])
def test_a_bare_list_of_tool_names_earns_at_most_half_of_each_criterion(answer, rubric_name, request):
    result = score_answer(rubric=request.getfixturevalue(rubric_name), answer=answer)
    for criterion in result.criteria:
        assert criterion.points <= criterion.max / 2
    assert result.score <= result.max / 2
    assert result.score > 0  # the rules do allow half credit for a named tool


def test_a_tool_with_what_to_look_for_earns_more_than_the_bare_name(batch_rubric):
    bare = by_id(score_answer(rubric=batch_rubric, answer="Nsight Systems."))["h2d_transfer"]
    idea = by_id(score_answer(rubric=batch_rubric, answer=(
        "The CPU preprocessing may not keep up: an Nsight Systems trace would show the GPU idle "
        "between batches while cudaMemcpy calls block.")))["h2d_transfer"]
    assert bare.points == 1.5
    assert idea.points == 3


def test_a_terse_idea_built_from_rubric_phrases_earns_full_credit(batch_rubric):
    result = score_answer(rubric=batch_rubric, answer="Use nsys to look for idle gaps caused by slow preprocessing.")
    assert by_id(result)["h2d_transfer"].points == 3



def test_a_claim_worded_like_a_negative_exemplar_earns_with_its_own_sentence_and_the_denial_does_not(batch_rubric):
    # The negative exemplar "The data loading cannot be the problem..." is close to this claim in
    # embedding space; the claim must still be h2d's evidence, the launch sentence launch's.
    claim = ("The CPU side is the problem: the data loader cannot keep up with the GPU, so I would time the "
             "loader alone and look for idle gaps in an Nsight Systems trace.")
    launch = "Many tiny kernels could also make the model launch-bound, so try CUDA graphs."
    result = by_id(score_answer(rubric=batch_rubric, answer=f"{claim} {launch}"))
    assert (result["h2d_transfer"].points, result["h2d_transfer"].evidence) == (3, claim)
    assert result["launch_overhead"].evidence == launch
    denied = "The data loading cannot be the problem because it runs on the CPU."
    assert score_answer(rubric=batch_rubric, answer=denied).score == 0


def test_a_terse_instruction_to_measure_the_curve_earns_method(batch_rubric):
    result = score_answer(rubric=batch_rubric, answer="Measure throughput versus batch size.")
    assert by_id(result)["method"].points == 1

def test_negating_a_good_statement_removes_its_credit(debug_rubric):
    said = "I would bisect the deployment diff and test the library and driver versions one at a time."
    denied = "I would not bisect the deployment diff or test the library and driver versions one at a time."
    assert by_id(score_answer(rubric=debug_rubric, answer=said))["hypothesis_bisect"].points == 2
    assert by_id(score_answer(rubric=debug_rubric, answer=denied))["hypothesis_bisect"].points == 0


def test_padding_a_good_answer_neither_helps_nor_hurts_much(batch_rubric):
    plain = score_answer(rubric=batch_rubric, answer=STRONG_BATCH).score
    padded = score_answer(rubric=batch_rubric, answer=("Let me think about this carefully. " * 30) + STRONG_BATCH
                          + (" Performance matters a great deal in production." * 30)).score
    assert plain - 1 <= padded <= plain


def test_repeating_a_sentence_earns_no_more_than_saying_it_once(debug_rubric):
    sentence = "If GPU utilisation dropped, trace the pipeline with Nsight Systems and look for gaps between kernels. "
    assert score_answer(rubric=debug_rubric, answer=sentence * 30).score == score_answer(rubric=debug_rubric, answer=sentence).score


def test_a_misconception_costs_points(batch_rubric):
    plain = "Launch overhead: many small kernels; count the launches in a trace and try CUDA graphs."
    wrong = plain + " Also the GPU is running out of memory, so buy a bigger GPU with more VRAM."
    with_misconception = score_answer(rubric=batch_rubric, answer=wrong)
    assert by_id(with_misconception)["memory_or_buy_hardware"].points == -1
    assert with_misconception.score == score_answer(rubric=batch_rubric, answer=plain).score - 1


def test_scores_are_clamped_at_zero(debug_rubric):
    result = score_answer(rubric=debug_rubric, answer="The GPU must be faulty, so replace the hardware and buy more GPUs.")
    assert by_id(result)["blame_hardware_or_weights"].points == -1
    assert result.score == 0


def test_scoring_is_deterministic(batch_rubric):
    first = score_answer(rubric=batch_rubric, answer=STRONG_BATCH).as_dict()
    assert score_answer(rubric=batch_rubric, answer=STRONG_BATCH).as_dict() == first


def test_an_overlong_answer_is_truncated_and_sent_for_review(debug_rubric):
    result = score_answer(rubric=debug_rubric, answer=STRONG_DEBUG + " filler" * 5000)
    assert "truncated" in result.flags
    assert result.needs_review


def test_a_keyword_salad_is_set_aside_and_flagged(batch_rubric):
    result = score_answer(rubric=batch_rubric, answer=GAMING_BATCH["keyword_salad"])
    assert "keyword_salad" in result.flags and result.score == 0


def test_a_bare_comma_list_of_tools_is_not_a_salad_and_keeps_half_credit(batch_rubric):
    result = score_answer(rubric=batch_rubric, answer="nsys, ncu, pytorch profiler, cuda graphs")
    assert "keyword_salad" not in result.flags
    assert 0 < result.score <= 5


def test_ruling_causes_out_with_numbers_earns_no_criterion_it_rules_out(batch_rubric):
    answer = ("In the nsys timeline the cudaMemcpy calls take 0.4 ms of a 40 ms step, so host-to-device transfer "
              "is negligible. There are only 60 kernels per step, each over 200 us, so launch overhead is not the "
              "issue. The PyTorch profiler shows no op whose time grows with the batch, so it is not a per-sample "
              "loop. Nsight Compute shows SM throughput at 35%, so the GPU is not saturated.")
    result = score_answer(rubric=batch_rubric, answer=answer)
    for criterion in ("h2d_transfer", "launch_overhead", "non_parallel_op", "hw_saturation"):
        assert by_id(result)[criterion].points == 0, criterion


def test_a_claim_after_a_denied_hypothesis_still_earns(batch_rubric):
    answer = ("It is not the host-to-device copies, but launch overhead: hundreds of tiny kernels per step, so I "
              "would count the launches and the time in cudaLaunchKernel in a trace and try CUDA graphs.")
    scored = by_id(score_answer(rubric=batch_rubric, answer=answer))
    assert scored["launch_overhead"].points == 3
    assert scored["h2d_transfer"].points == 0
    assert "It is not the host-to-device copies" not in scored["launch_overhead"].evidence


def test_a_final_rerun_of_the_load_test_earns_verify_fix(debug_rubric):
    answer = ("Compare the dashboards before and after the deploy and reproduce the drop with a benchmark of both "
              "builds. Bisect the deployment diff one change at a time. Once the fix is in, re-run the load test "
              "with warm-up and several repeated runs and confirm throughput is back to the baseline.")
    assert by_id(score_answer(rubric=debug_rubric, answer=answer))["verify_fix"].points == 1
