"""What evaluate_rubric prints beside agreement: the share sent to review, agreement on the
part decided automatically, evidence overlap and the reliability of the confidence."""
from __future__ import annotations

import pytest

from graders.rubric.evaluate import Evaluation, format_evaluation, format_reliability, reliability_table, review_figures

ROWS = [("a", 10.0, 10.0), ("b", 5.0, 5.0), ("c", 0.0, 6.0), ("d", 2.0, 2.5)]


def test_review_figures_count_the_share_sent_and_agree_only_on_the_rest():
    figures = review_figures(ROWS, [False, False, True, False])
    assert figures["review_share"] == 0.25 and figures["auto_n"] == 3
    assert figures["auto_adjacent"] == 1.0  # the 6-point miss went to a person
    assert figures["auto_qwk"] > 0.9


def test_nothing_decided_automatically_reports_no_agreement():
    figures = review_figures(ROWS, [True] * 4)
    assert figures == {"review_share": 1.0, "auto_n": 0}


def test_the_printed_evaluation_names_review_share_auto_agreement_and_evidence():
    figures = {"n": 4, "qwk": 0.5, "pearson": 0.5, "exact": 0.5, "adjacent": 0.75, "mean_abs_error": 1.6,
               **review_figures(ROWS, [False, False, True, False])}
    printed = format_evaluation(Evaluation("batch-scaling", "holdout", figures, ROWS, evidence=(9, 10)))
    assert "25% sent to review" in printed and "decided automatically n=3" in printed
    assert "9 of 10 cited spans overlap the labelled span (90%)" in printed


def test_the_reliability_table_bins_confidence_and_counts_levels_right():
    confidences = [(0.3, False), (0.55, True), (0.97, True), (0.99, True), (1.0, False)]
    table = {label: (n, right) for label, n, _, right in reliability_table(confidences)}
    assert table["0.00-0.50"] == (1, 0.0)
    assert table["0.95-1.00"] == (3, pytest.approx(2 / 3))
    assert "level right" in format_reliability(confidences)
