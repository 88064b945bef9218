"""The lexical checks behind the gaming defences (no model needed)."""
from __future__ import annotations

import pytest

from graders.rubric import text


def test_segments_split_sentences_list_items_and_drop_repeats():
    answer = "1. Compare metrics. 2) Bisect the diff; then verify.\n- Compare metrics.\nStep 3: profile it"
    assert text.split_segments(answer) == ["Compare metrics.", "Bisect the diff;", "then verify.", "profile it"]


def test_a_number_ending_a_sentence_is_not_a_list_marker():
    answer = "The curve went flat at 32. Then I tested one cause at a time: (1) the loader (2) the launches."
    assert text.split_segments(answer) == ["The curve went flat at 32.", "Then I tested one cause at a time:",
                                           "the loader", "the launches."]


def test_dotted_names_do_not_split_a_sentence():
    assert text.split_segments("Use torch.profiler and torch.utils.benchmark here.") == [
        "Use torch.profiler and torch.utils.benchmark here."]


@pytest.mark.parametrize("segment", [
    "I would not use Nsight Systems here.",
    "I wouldn't check for kernel launch overhead.",
    "There is no need to reproduce the problem.",
    "I don't think data transfer matters.",
    "GPU utilisation is irrelevant.",
    "Kernel launch overhead does not matter for inference.",
])
def test_negated_statements_are_recognised(segment):
    assert text.is_negated(segment)


@pytest.mark.parametrize("segment", [
    "If GPU utilisation did not drop, compare the kernels.",
    "Larger batches cannot help once the kernels are compute-bound.",
    "A custom op that doesn't parallelise across the batch.",
    "The CPU can't feed the GPU fast enough.",
])
def test_conditions_and_findings_with_not_are_not_negations(segment):
    assert not text.is_negated(segment)


def test_british_and_american_spellings_match():
    assert text.normalise("utilisation serialised behaviour") == "utilization serialized behavior"
    assert text.phrases_in("Check GPU utilisation", [text.phrase_pattern("utilization")]) == 1


def test_a_bare_tool_list_is_bare_and_an_idea_is_not():
    tools = [text.phrase_pattern(p) for p in ("nsys", "ncu", "pytorch profiler", "nsight systems")]
    topics = [*tools, *(text.phrase_pattern(p) for p in ("idle gaps", "preprocessing", "roofline", "utilisation"))]
    assert text.is_bare("nsys, ncu, PyTorch profiler", topics, tools)
    assert text.is_bare("Nsight Systems.", topics, tools)
    assert text.is_bare("roofline, utilisation, nsys", topics, tools)  # a keyword list
    assert text.is_bare("GPU utilisation idle gaps roofline preprocessing", topics, tools)  # keywords, no sentence
    assert not text.is_bare("Trace with nsys and look for idle gaps between kernels", topics, tools)
    # an idea made of rubric phrases is not a bare mention
    assert not text.is_bare("Use nsys to look for idle gaps caused by slow preprocessing.", topics, tools)



def test_an_instruction_to_measure_is_a_claim_but_a_listed_topic_is_bare():
    topics = [text.phrase_pattern(p) for p in ("versus batch size", "vs batch size", "batch size sweep", "sweep",
                                                "plot throughput", "nsys", "ncu")]
    tools = [text.phrase_pattern(p) for p in ("nsys", "ncu")]
    assert not text.is_bare("Measure throughput versus batch size.", topics, tools)
    assert not text.is_bare("Plot throughput vs batch size first.", topics, tools)
    assert not text.is_bare("Then sweep the batch size.", topics, tools)
    assert text.is_bare("batch size sweep", topics, tools)  # the topic named, nothing said about it
    assert text.is_bare("Measure nsys, ncu, sweep.", topics, tools)  # a list after the verb stays a list

def test_unknown_word_ratio_separates_gibberish_from_english():
    known = frozenset({"the", "gpu", "was", "idle", "between", "kernels"})
    assert text.unknown_word_ratio("the gpu was idle between kernels", known) == 0
    assert text.unknown_word_ratio("qwpeo zmxnv lkjasd poiqwe", known) == 1


def test_overlap_with_the_question_is_one_for_a_copy():
    question = "Why does throughput stop improving as batch size grows?"
    stems = text.content_stems(question)
    assert text.overlap_with(question, stems) == 1.0
    assert text.overlap_with("Kernel launch overhead dominates small kernels.", stems) < 0.3


@pytest.mark.parametrize("answer", ["not answered", "Unanswered", "No answer given.", "I do not know", "dont know",
                                    "no idea", "IDK", "n/a", "skipped", "???", "--"])
def test_explicit_non_answers_are_recognised(answer):
    assert text.is_non_answer(answer)


@pytest.mark.parametrize("answer", ["#NAME?", "none of them: all are public", "one", "pass by reference",
                                    "I don't know the exact number, but it is unlimited", "no answer " * 20])
def test_answers_and_lost_text_are_not_non_answers(answer):
    assert not text.is_non_answer(answer)


@pytest.mark.parametrize("segment", ["Launch overhead is small once batches are large, so I'd rule that out.",
                                     "It can't be that the GPU is compute-bound.", "That cannot be it."])
def test_ruling_an_idea_out_is_a_negation(segment):
    assert text.is_negated(segment)


@pytest.mark.parametrize("segment", ["To rule out the driver, pin its version and rerun the benchmark.",
                                     "If the GPU is idle, launch overhead cannot be ruled out yet."])
def test_testing_to_rule_something_out_is_not_a_negation(segment):
    assert not text.is_negated(segment)


def test_tools_named_together_with_nothing_to_look_for_are_a_bare_list():
    tools = [text.phrase_pattern(p) for p in ("nsight systems", "nsight compute", "pytorch profiler", "nsys")]
    topics = [*tools, *(text.phrase_pattern(p) for p in ("idle gaps", "roofline"))]
    assert text.is_bare("I would profile the server with Nsight Systems, Nsight Compute and the PyTorch profiler "
                        "and go from there;", topics, tools)
    assert not text.is_bare("Run Nsight Systems and Nsight Compute and look for idle gaps.", topics, tools)
    assert not text.is_bare("Run Nsight Systems to see whether the GPU waits between batches while the CPU "
                            "prepares the next one.", topics, tools)  # one tool, and what it would show
