"""validate_rubric: the shipped rubrics are clean, and a bad exemplar is reported."""
from __future__ import annotations

import pytest

from graders.rubric import load_rubric, validate_rubric
from graders.rubric.datasets import WRITTEN_SLUGS, rubric_path


@pytest.mark.parametrize("slug", WRITTEN_SLUGS)
def test_every_exemplar_of_the_shipped_rubrics_scores_as_labelled(slug):
    assert validate_rubric(rubric=load_rubric(rubric_path(slug))) == []


def test_a_mislabelled_exemplar_is_reported(tmp_path):
    text = rubric_path("batch-scaling").read_text()
    broken = text.replace('positive = [\n  "The GPU may simply be saturated',
                          'positive = [\n  "Bananas are yellow and grow in bunches.",\n  "The GPU may simply be saturated')
    assert broken != text
    path = tmp_path / "rubric.toml"
    path.write_text(broken)
    problems = validate_rubric(rubric=load_rubric(path))
    assert any("hw_saturation" in p and "Bananas" in p for p in problems)


def test_a_misconception_with_partial_credit_is_reported(tmp_path):
    text = rubric_path("debug-regression").read_text()
    broken = text.replace('id = "blame_hardware_or_weights"\npoints = -1', 'id = "blame_hardware_or_weights"\npoints = -1')
    broken = broken.replace('tools = []\npositive = [\n  "The GPU is probably faulty',
                            'tools = []\npartial = ["GPU."]\npositive = [\n  "The GPU is probably faulty')
    broken = broken.replace('partial = []\nnegative = [\n  "The hardware and the weights', 'negative = [\n  "The hardware and the weights')
    path = tmp_path / "rubric.toml"
    path.write_text(broken)
    problems = validate_rubric(rubric=load_rubric(path))
    assert any("blame_hardware_or_weights" in p and "half credit" in p for p in problems)
