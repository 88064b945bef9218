"""Evidence that supports the points: the cited span is the labelled one, and one span earns
at most one criterion unless the rubric lets the criterion share it."""
from __future__ import annotations

import dataclasses
import json

import pytest

from graders.rubric import datasets, load_rubric, score_answer
from graders.rubric.evaluate import EVIDENCE_OVERLAP, evidence_hits, span_overlap
from graders.rubric.format import Rubric

TWO_IDEAS_ONE_SENTENCE = ("The CPU-side preprocessing may not keep up and the model launches hundreds of tiny kernels, "
                          "so an Nsight Systems trace would show idle gaps and many short kernels.")


def labelled_answers():
    for slug in datasets.WRITTEN_SLUGS:
        rubric = load_rubric(datasets.rubric_path(slug))
        for row in datasets.load_human_set(slug):
            if row.spans:
                yield rubric, row


def test_every_style_is_labelled_with_spans_and_every_third_is_held_out():
    rows = [row for _, row in labelled_answers()]
    assert {r.style for r in rows} >= {"terse bullets", "long narrative", "second person", "non-native English",
                                       "wrong tool names"}
    for row in rows:
        assert (row.split == "holdout") == (int(row.id.split("-")[1]) % 3 == 1)
        assert {c for c, points in row.scores.items() if points > 0} == set(row.spans)


def test_the_cited_span_overlaps_the_labelled_one_for_nine_in_ten_earned_criteria():
    hits = compared = 0
    for rubric, row in labelled_answers():
        found, seen = evidence_hits(row, score_answer(rubric=rubric, answer=row.answer))
        hits += found
        compared += seen
    assert compared >= 40
    assert hits / compared >= 0.9, (hits, compared)


def test_span_overlap_is_measured_on_the_shorter_passage():
    answer = "First sentence here. Second sentence, which is longer, here."
    assert span_overlap(answer, "Second sentence, which is longer, here.", "which is longer") == 1.0
    assert span_overlap(answer, "First sentence here.", "which is longer") == 0.0
    assert span_overlap(answer, "not in the answer", "First") == 0.0
    assert EVIDENCE_OVERLAP == 0.5


def test_one_sentence_earns_at_most_one_criterion(batch_rubric):
    result = score_answer(rubric=batch_rubric, answer=TWO_IDEAS_ONE_SENTENCE)
    cited = [c.evidence for c in result.criteria if c.points > 0]
    assert cited and len(cited) == len(set(cited))


def test_a_criterion_the_rubric_lets_share_may_cite_the_same_sentence(batch_rubric):
    sharing = Rubric(question=batch_rubric.question, max_points=batch_rubric.max_points,
                     criteria=tuple(dataclasses.replace(c, shares_evidence=True) for c in batch_rubric.criteria))
    alone = score_answer(rubric=batch_rubric, answer=TWO_IDEAS_ONE_SENTENCE)
    shared = score_answer(rubric=sharing, answer=TWO_IDEAS_ONE_SENTENCE)
    assert shared.score >= alone.score
    assert sum(c.points > 0 for c in shared.criteria) >= sum(c.points > 0 for c in alone.criteria)


def test_a_host_bound_launch_sentence_earns_launch_overhead_not_the_transfer(batch_rubric):
    answer = ("The server is CPU-bound in the launch path: the Python thread spends its time issuing hundreds of "
              "tiny kernels, and a trace shows cudaLaunchKernel calls back to back while the GPU waits.")
    scored = {c.id: c for c in score_answer(rubric=batch_rubric, answer=answer).criteria}
    assert scored["launch_overhead"].points > 0
    assert scored["h2d_transfer"].points == 0


def test_a_labelled_span_that_is_not_in_the_answer_is_refused(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"id": "x-1", "challenge": "batch-scaling", "split": "train", "answer": "Count launches.",
                                "scores": {"launch_overhead": 1.5}, "spans": {"launch_overhead": "CUDA graphs"}}) + "\n")
    with pytest.raises(ValueError, match=":1: the span for launch_overhead is not in the answer"):
        datasets.load_labels(path)
