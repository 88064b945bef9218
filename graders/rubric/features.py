"""Evidence features for each criterion of a rubric, computed from one answer.

An answer is cut into segments (sentences, list items). Segments that cannot be evidence
are set aside first: negated statements, gibberish, and copies of the question. The rest
are embedded once; for every criterion the best segment is the one closest to the
criterion's positive exemplars (the negative exemplars, mostly denials, sit next to the
claims they deny in embedding space, so they are features, not part of the choice). Its
similarities and alias counts become the features a small classifier turns into a level
(0, half, full).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import embedding, stance, text
from .format import Criterion, Rubric

FEATURE_NAMES = (
    "best_positive", "best_negative", "margin", "best_partial", "aliases_in_segment",
    "aliases_in_answer", "tool_named", "bare_segment", "second_positive", "foreign_tool",
)
MAX_ENCODED_SEGMENTS = 16  # keeps one answer under the 50 ms budget on 2 CPU cores
QUESTION_COPY_SIMILARITY = 0.8
QUESTION_COPY_OVERLAP = 0.8
GIBBERISH_UNKNOWN_RATIO = 0.5
# A keyword salad: one sentence of at least SALAD_MIN_WORDS content words that strings
# together aliases of SALAD_MIN_CRITERIA or more criteria, rubric phrases making up
# SALAD_ALIAS_SHARE of its content words ("the pinned memory roofline dispatches the
# per-sample cudaLaunchKernel sweep..."). A real sentence explains one or two ideas; a
# short comma list of tools is a bare list instead, which the rules give half credit.
SALAD_MIN_CRITERIA = 4
BARE_RANK_PENALTY = 0.15
SALAD_MIN_WORDS = 12
SALAD_ALIAS_SHARE = 0.6


@dataclass(frozen=True)
class PreparedCriterion:
    criterion: Criterion
    alias_patterns: tuple[re.Pattern[str], ...]
    tool_patterns: tuple[re.Pattern[str], ...]
    positive_texts: tuple[str, ...]
    partial_texts: tuple[str, ...]
    negative_texts: tuple[str, ...]


@dataclass(frozen=True)
class PreparedRubric:
    rubric: Rubric
    criteria: tuple[PreparedCriterion, ...]
    topic_patterns: tuple[re.Pattern[str], ...]  # every alias and tool: for bare-list checks
    tool_patterns: tuple[re.Pattern[str], ...]   # every tool of every criterion
    known_words: frozenset[str]
    question_stems: frozenset[str]


@dataclass
class Segmented:
    """The answer's segments and why some of them cannot be evidence."""
    eligible: list[str]
    vectors: np.ndarray
    flags: set[str] = field(default_factory=set)
    negated: list[str] = field(default_factory=list)
    bare: list[bool] | None = None  # text.is_bare of each eligible segment, once per answer


@dataclass(frozen=True)
class CriterionEvidence:
    features: np.ndarray
    segment: str | None
    bare: bool
    tool_segment: str | None = None  # the first bare segment naming one of the criterion's tools
    index: int | None = None  # the segment's position in Segmented.eligible


@lru_cache(maxsize=64)
def prepare(rubric: Rubric) -> PreparedRubric:
    criteria = tuple(_prepare_criterion(c) for c in rubric.criteria)
    # Longest first, in a fixed order: removing "nsight systems" before "systems" keeps the
    # bare-list check the same in every process (set order varies with the hash seed).
    phrases = sorted({*rubric.all_aliases(), *rubric.all_tools()}, key=lambda p: (-len(p), p))
    topics = tuple(text.phrase_pattern(p) for p in phrases)
    rubric_words = set(text.words(rubric.question))
    for criterion in rubric.criteria:
        for chunk in (criterion.description, *criterion.aliases, *criterion.tools,
                      *(t for _, t in criterion.exemplars())):
            rubric_words.update(text.words(chunk))
    known = embedding.vocabulary() | frozenset(rubric_words) | frozenset(map(text.stem, rubric_words))
    tools = tuple(text.phrase_pattern(p) for p in sorted(rubric.all_tools(), key=lambda p: (-len(p), p)))
    return PreparedRubric(rubric=rubric, criteria=criteria, topic_patterns=topics, tool_patterns=tools, known_words=known,
                          question_stems=frozenset(text.content_stems(rubric.question)))


def _prepare_criterion(criterion: Criterion) -> PreparedCriterion:
    return PreparedCriterion(
        criterion=criterion,
        alias_patterns=tuple(text.phrase_pattern(a) for a in dict.fromkeys((*criterion.aliases, *criterion.tools))),
        tool_patterns=tuple(text.phrase_pattern(t) for t in criterion.tools),
        positive_texts=(criterion.description, *criterion.positive),
        partial_texts=criterion.partial,
        negative_texts=criterion.negative,
    )


def segment_answer(prepared: PreparedRubric, answer: str) -> Segmented:
    flags: set[str] = set()
    if len(answer) > text.MAX_ANSWER_CHARS:
        flags.add("truncated")
    candidates, negated = [], []
    segments = text.split_segments(answer)
    for segment in _claims(segments, negated):
        if text.unknown_word_ratio(segment, prepared.known_words) > GIBBERISH_UNKNOWN_RATIO:
            flags.add("gibberish")
        elif text.overlap_with(segment, set(prepared.question_stems)) >= QUESTION_COPY_OVERLAP:
            flags.add("copies_question")
        elif is_keyword_salad(prepared, segment):
            flags.add("keyword_salad")
        else:
            candidates.append(segment)
    if negated:
        flags.add("negated_statements")
    chosen = _most_relevant(prepared, candidates)
    if len(candidates) > len(chosen):
        flags.add("segments_skipped")
    vectors = embedding.encode([in_first_person(s) for s in chosen])
    return _drop_question_copies(prepared, Segmented(chosen, vectors, flags, negated))


def _claims(segments: list[str], denied: list[str]) -> list[str]:
    """The parts of the segments that make a claim; the denied parts go to `denied`."""
    claims = []
    for segment in segments:
        said, unsaid = stance.claims_and_denials(segment)
        claims += said
        denied += unsaid
    return claims


_SECOND_PERSON = ((re.compile(r"\byour\b", re.IGNORECASE), "the"), (re.compile(r"\byou(?:'d)?\b", re.IGNORECASE), "I"))


def in_first_person(segment: str) -> str:
    """"You count the launches in your trace" -> "I count the launches in the trace": the
    exemplars are written in the first person or as imperatives, and an answer addressed to
    the reader means the same (only the embedded text changes, never the evidence)."""
    for pattern, replacement in _SECOND_PERSON:
        segment = pattern.sub(replacement, segment)
    return segment


def is_keyword_salad(prepared: PreparedRubric, segment: str) -> bool:
    content = [w for w in text.words(segment) if w not in text.STOPWORDS]
    if len(content) < SALAD_MIN_WORDS:
        return False
    criteria = sum(1 for item in prepared.criteria
                   if not item.criterion.is_misconception and text.phrases_in(segment, item.alias_patterns))
    if criteria < SALAD_MIN_CRITERIA:
        return False
    left = [w for w in text.words(text.remove_phrases(segment, prepared.topic_patterns)) if w not in text.STOPWORDS]
    return 1 - len(left) / len(content) >= SALAD_ALIAS_SHARE


def _most_relevant(prepared: PreparedRubric, segments: list[str]) -> list[str]:
    """Keep the segments with most rubric vocabulary, in answer order, within the budget."""
    if len(segments) <= MAX_ENCODED_SEGMENTS:
        return segments
    ranked = sorted(range(len(segments)),
                    key=lambda i: -text.phrases_in(segments[i], prepared.topic_patterns))
    keep = sorted(ranked[:MAX_ENCODED_SEGMENTS])
    return [segments[i] for i in keep]


def _drop_question_copies(prepared: PreparedRubric, segmented: Segmented) -> Segmented:
    if not segmented.eligible:
        return segmented
    question = embedding.encode_fixed([prepared.rubric.question])[0]
    similar = segmented.vectors @ question >= QUESTION_COPY_SIMILARITY
    if similar.any():
        segmented.flags.add("copies_question")
        keep = ~similar
        segmented.eligible = [s for s, k in zip(segmented.eligible, keep) if k]
        segmented.vectors = segmented.vectors[keep]
    return segmented


def criterion_evidence(prepared: PreparedRubric, item: PreparedCriterion, segmented: Segmented,
                       *, exclude: str | None = None, blocked: frozenset[int] = frozenset()) -> CriterionEvidence:
    """Features for one criterion; `exclude` leaves one exemplar out (for validation and training);
    `blocked` segments (the evidence of another criterion) cannot be this one's."""
    if len(blocked) >= len(segmented.eligible):
        return CriterionEvidence(np.zeros(len(FEATURE_NAMES), dtype=np.float32), None, False)
    positive = _max_similarity(segmented.vectors, item.positive_texts, exclude)
    partial = _max_similarity(segmented.vectors, item.partial_texts, exclude)
    negative = _max_similarity(segmented.vectors, item.negative_texts, exclude)
    alias_hits = np.array([text.phrases_in(s, item.alias_patterns) for s in segmented.eligible])
    bares = np.array(segment_bares(prepared, segmented))
    # A bare mention can only earn a tool's half credit, so a segment that says something wins ties.
    # Similarity to the negative exemplars is not subtracted: they are mostly denials, and a claim
    # worded like one ("the data loader can't keep up") would lose its own evidence (docs/rubric.md).
    rank = positive + 0.03 * np.minimum(alias_hits, 3) - BARE_RANK_PENALTY * bares
    rank[list(blocked)] = -np.inf
    best = int(np.argmax(rank))
    segment = segmented.eligible[best]
    bare = bool(bares[best])
    answer_aliases = sum(1 for p in item.alias_patterns if any(p.search(text.normalise(s)) for s in segmented.eligible))
    tool_named = any(text.phrases_in(s, item.tool_patterns) for s in segmented.eligible)
    # Only a bare mention earns the rule's half credit; a tool named in a sentence about
    # something else (Nsight Systems for launch gaps) is evidence for that other criterion.
    tool_segment = next((s for s, b in zip(segmented.eligible, bares) if b and text.phrases_in(s, item.tool_patterns)),
                        None)
    second = float(np.sort(positive)[-2]) if len(positive) > 1 else 0.0
    values = [positive[best], negative[best], positive[best] - negative[best], partial[best],
              min(alias_hits[best], 3) / 3, min(answer_aliases, 5) / 5, float(tool_named), float(bare), second,
              float(names_foreign_tool(prepared, item, segment))]
    return CriterionEvidence(np.asarray(values, dtype=np.float32), segment, bare, tool_segment, best)


def segment_bares(prepared: PreparedRubric, segmented: Segmented) -> list[bool]:
    if segmented.bare is None or len(segmented.bare) != len(segmented.eligible):
        segmented.bare = [text.is_bare(s, prepared.topic_patterns, prepared.tool_patterns) for s in segmented.eligible]
    return segmented.bare


def names_foreign_tool(prepared: PreparedRubric, item: PreparedCriterion, segment: str) -> bool:
    """The segment tests this criterion's idea with another criterion's tool and none of its
    own ("a timeline in Nsight Compute", "DCGM to compare kernel durations"): a wrong tool."""
    if text.phrases_in(segment, item.tool_patterns):
        return False
    own = {p.pattern for p in item.tool_patterns}
    return bool(text.phrases_in(segment, [p for p in prepared.tool_patterns if p.pattern not in own]))


def _max_similarity(vectors: np.ndarray, texts: tuple[str, ...], exclude: str | None) -> np.ndarray:
    pool = tuple(t for t in texts if t != exclude)
    if not pool:
        return np.zeros(len(vectors), dtype=np.float32)
    return (vectors @ embedding.encode_fixed(pool).T).max(axis=1)
