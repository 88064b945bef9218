"""Reference-answer mode: one criterion, scored by closeness to one model answer."""
from __future__ import annotations

import pytest

from graders.rubric import score_against_reference

QUESTION = "What is the role of a stack in evaluating a postfix expression?"
REFERENCE = "Operands are pushed on the stack; an operator pops the top two operands, applies itself and pushes the result."


def score(answer: str, max_points: float = 5):
    return score_against_reference(question=QUESTION, reference=REFERENCE, max_points=max_points, answer=answer)


def test_the_result_has_one_reference_criterion_in_the_designs_shape():
    data = score("Push each operand; when an operator comes, pop two operands and push the result.").as_dict()
    assert {"score", "max", "needs_review", "criteria"} <= set(data)
    assert [c["id"] for c in data["criteria"]] == ["reference"]
    assert data["max"] == 5 and 0 <= data["score"] <= 5


def test_a_paraphrase_beats_a_copied_question_and_off_topic_text():
    paraphrase = score("Each operand goes onto the stack, and each operator takes the two top values off, "
                       "combines them, and puts the result back.").score
    copied = score(QUESTION).score
    off_topic = score("Paris is the capital of France and has many museums.").score
    assert paraphrase > copied + 1
    assert paraphrase > off_topic + 1


def test_points_scale_with_the_maximum():
    answer = "Operands are pushed; an operator pops two, applies itself and pushes the result."
    assert score(answer, max_points=10).score == pytest.approx(2 * score(answer, max_points=5).score, abs=0.02)


def test_an_empty_answer_scores_zero_without_review():
    result = score("   ")
    assert result.score == 0 and not result.needs_review


def test_a_non_positive_maximum_is_refused():
    with pytest.raises(ValueError):
        score("anything", max_points=0)


@pytest.mark.parametrize("answer", ["not answered", "NO ANSWER", "I don't know.", "idk", "N/A"])
def test_an_explicit_non_answer_scores_zero_and_says_why(answer):
    result = score(answer)
    assert result.score == 0 and not result.needs_review
    assert "non_answer" in result.as_dict()["flags"]


def test_a_short_real_answer_is_not_taken_for_a_non_answer():
    result = score("A stack: push operands, pop two for each operator.")
    assert result.score > 1 and "non_answer" not in result.as_dict()["flags"]


def test_token_encodings_share_the_models_sentence_embedding():
    import numpy as np

    from graders.rubric import embedding

    texts = [REFERENCE, "pop two, push one"]
    encodings = embedding.encode_with_tokens(texts)
    assert np.allclose(np.stack([e.sentence for e in encodings]), embedding.encode(texts), atol=1e-5)
    for encoding in encodings:
        assert encoding.tokens.shape == encoding.mid_tokens.shape and encoding.tokens.shape[1] == 384
        assert np.allclose(np.linalg.norm(encoding.mid_tokens, axis=1), 1.0, atol=1e-4)


def test_the_in_context_encoding_keeps_the_texts_tokens_apart_from_the_questions():
    import numpy as np

    from graders.rubric import embedding

    encoding = embedding.encode_in_context(QUESTION, "pop two, push one")
    tokenizer = embedding._load_model()[0].tokenizer
    assert len(encoding.tokens) == len(tokenizer.tokenize("pop two, push one"))
    assert len(encoding.question_tokens) == len(tokenizer.tokenize(QUESTION))
    assert np.allclose(np.linalg.norm(encoding.tokens, axis=1), 1.0, atol=1e-4)
    assert abs(float(np.linalg.norm(encoding.sentence)) - 1.0) < 1e-4


def test_the_same_words_read_differently_after_a_different_question():
    import numpy as np

    from graders.rubric import embedding

    after_stack = embedding.encode_in_context(QUESTION, "file scope")
    after_globals = embedding.encode_in_context("What is the scope of global variables?", "file scope")
    assert after_stack.tokens.shape == after_globals.tokens.shape
    assert not np.allclose(after_stack.tokens, after_globals.tokens, atol=1e-3)


@pytest.mark.parametrize("question, answer", [("", "Push operands, pop two per operator."),
                                              (QUESTION, "\x00\x01\x02"), (QUESTION, "word " * 3000),
                                              ("why " * 400, "Push operands, pop two per operator.")])
def test_odd_questions_and_answers_score_within_range(question, answer):
    result = score_against_reference(question=question, reference=REFERENCE, max_points=5, answer=answer)
    assert 0 <= result.score <= 5


def test_a_model_fitted_on_other_features_is_refused_with_the_command_to_refit(monkeypatch):
    from dataclasses import replace

    from graders.rubric import classifier, reference

    stale = replace(classifier.load_model(reference.REFERENCE_MODEL), features=reference.ALONE_FEATURES)
    monkeypatch.setattr(classifier, "load_model", lambda name: stale)
    with pytest.raises(RuntimeError, match="graders.rubric train --only reference"):
        score("Push each operand; pop two for each operator.")
