"""Lexical helpers: segmentation, normalisation, negation, gibberish and bare-list checks.

Everything here is plain string work, so the gaming checks stay cheap and explainable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

MAX_ANSWER_CHARS = 20_000  # beyond this an answer is padding; the rest is ignored and flagged
BRACKET_JOIN_PIECES = 3  # a bracket left open ("a smiley :(") joins at most this many pieces
TOOL_LIST_FILLER_WORDS = 4  # content words beside two or more tool names that still make a list of tools
SHORT_PHRASE_WORDS = 6  # a list item this short made of rubric phrases names a topic and claims nothing
_SAYS_SOMETHING = re.compile(r"\w\s*(?::|->|=>|=|\u2192|\u2014)\s*\w")  # "launch overhead: many small kernels"
# An instruction to measure something ("Measure throughput versus batch size", "Plot
# throughput vs batch size first", "Count kernels per step") says what to do, however few
# words are left once the rubric phrases are removed: it is a claim, not a bare topic.
_MEASURING_VERB = re.compile(
    r"^\W*(?:then\s+|first\s+|also\s+|and\s+)?(?:measure|plot|sweep|record|count|benchmark|compare|capture|vary)\s+(?!and\b|or\b|,)\w", re.IGNORECASE)

# A number opens a list item ("1. ", "2) ", "(3) ") after punctuation or anywhere in
# brackets; "the curve went flat at 32. Then ..." ends a sentence with its number.
_SEGMENT_BREAK = re.compile(
    r"(?:\n+|(?<=[.!?;])\s+|(?<=[.!?:;,)\]])\s+(?=\(?\d{1,2}[.)]\s)|\s+(?=\(\d{1,2}\)\s)|\s+(?=step\s+\d+\s*[:.)-]))",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\(?\d{1,2}[.)]|\(?[a-h]\)|step\s+\d+\s*[:.)-]?)\s*", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9][a-z0-9_+.'/-]*[a-z0-9]|[a-z0-9]")

STOPWORDS = frozenset("""
a an the and or but if then else of to in on at by for with from as is are was were be been being
it its this that these those there here i i'd i'll i'm we you your my our they them their he she
would will should could can may might must do does did done have has had so such than too very
also just only not no yes all any each every some more most other into over under out up down
about after before again once what which who whom when where why how first next then finally step
e.g i.e etc way thing things use using look see check make sure want need get like
""".split())

# Negations aimed at the action or the idea; "cannot" alone is left out because positive
# answers use it ("larger batches cannot help").
_NEGATED_ACTION = re.compile(
    r"(?:\bnot|\bnever|n't|\bno need to|\bno point in|\bnone of)\s+(?:\w+\s+){0,2}?"
    r"(?:use|using|compare|comparing|bother|bothering|check|checking|look|looking|test|testing|"
    r"bisect|bisecting|profile|profiling|measure|measuring|reproduce|reproducing|trace|tracing|"
    r"matter|matters|think|run|running|apply|these|this|it|them)\b"
    r"|\b(?:is|are)\s+(?:irrelevant|useless|pointless|free|misleading)\b"
    r"|\b(?:does|do)\s*(?:not|n't)\s+matter\b|\bmakes?\s+no\s+difference\b"
    r"|\b(?:cannot|can'?t)\s+be\s+(?:it|that|the\s+problem|the\s+cause)\b|\bis\s+not\s+an\s+issue\b"
    r"|\brul(?:e|ed|ing)\s+(?:that|it|this|them)\s+out\b"
)

# The whole answer says it is not one. Spreadsheet debris such as "#NAME?" is not matched:
# it is a lost answer, not a declined one.
_NON_ANSWER = re.compile(
    r"^\W*(?:(?:not|un)\s*answered|no\s+answer(?:\s+given)?|(?:i\s+)?(?:do\s*not|don'?t|dont)\s+know|"
    r"(?:i\s+)?(?:have\s+)?no\s+idea|idk|n/?a|skip(?:ped)?|blank|-+|\?+)\W*$"
)


@lru_cache(maxsize=16384)  # the same segments are normalised once per alias pattern
def normalise(text: str) -> str:
    """Lower case, straight apostrophes, British spellings folded into American ones."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = re.sub(r"(?<=[a-z])is(ation|ations|e|ed|es|ing)\b", r"iz\1", text)
    return re.sub(r"(?<=[a-z])our\b", "or", text)  # behaviour -> behavior


def split_segments(answer: str) -> list[str]:
    """Sentences, list items and clauses after ';', without list markers or duplicates."""
    segments: list[str] = []
    seen: set[str] = set()
    for piece in _closed_brackets(_SEGMENT_BREAK.split(answer[:MAX_ANSWER_CHARS])):
        segment = _LIST_MARKER.sub("", piece or "").strip()
        key = " ".join(words(segment))
        if len(key) < 2 or key in seen:  # repetition earns nothing twice
            continue
        seen.add(key)
        segments.append(segment)
    return segments


def _closed_brackets(pieces: list[str | None]) -> list[str]:
    """Join a piece that opened a bracket with the ones after it until the bracket closes:
    "(count launches; try CUDA graphs)" is one thought, not two."""
    joined: list[str] = []
    open_piece, held = "", 0
    for piece in (p or "" for p in pieces):
        open_piece, held = (f"{open_piece} {piece}" if open_piece else piece), held + 1
        if open_piece.count("(") <= open_piece.count(")") or held >= BRACKET_JOIN_PIECES:
            joined.append(open_piece)
            open_piece, held = "", 0
    return joined + ([open_piece] if open_piece else [])


def is_non_answer(answer: str) -> bool:
    """'Not answered', 'I don't know', 'N/A', '???': an explicit non-answer, which earns nothing."""
    return len(answer) <= 80 and bool(_NON_ANSWER.match(normalise(answer.strip())))


def words(text: str) -> list[str]:
    return [w.strip(".'/-") for w in _WORD.findall(normalise(text)) if w.strip(".'/-")]


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match 'profiling' with 'profile', 'kernels' with 'kernel'."""
    for suffix in ("izations", "ization", "ations", "ation", "ings", "ing", "ies", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOPWORDS and not w.isdigit()}


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Match a phrase on word boundaries, tolerant of '-', '_' or spaces between its words."""
    parts = [re.escape(p) for p in re.split(r"[\s_-]+", normalise(phrase).strip()) if p]
    return re.compile(r"(?<![a-z0-9])" + r"[\s_-]*".join(parts) + r"(?![a-z0-9])")


def phrases_in(text: str, patterns: Iterable[re.Pattern[str]]) -> int:
    """How many of the phrases occur in text."""
    normalised = normalise(text)
    return sum(1 for pattern in patterns if pattern.search(normalised))


def is_negated(segment: str) -> bool:
    return bool(_NEGATED_ACTION.search(normalise(segment)))


def remove_phrases(text: str, patterns: Iterable[re.Pattern[str]]) -> str:
    normalised = normalise(text)
    for pattern in patterns:
        normalised = pattern.sub(" ", normalised)
    return normalised


def is_bare(segment: str, topics: Iterable[re.Pattern[str]], tools: Iterable[re.Pattern[str]] = ()) -> bool:
    """A segment that names tools or topics but says nothing about what to look for.

    Bare: little is left once the rubric's phrases are removed, and the segment is a list
    ("nsys, ncu, roofline"), a string of keywords without a single function word ("GPU
    kernels throughput latency"), or nothing but tool names. "Use nsys to look for idle
    gaps caused by preprocessing" is an idea built from rubric phrases, not a bare mention.
    A list item of at most SHORT_PHRASE_WORDS words made only of rubric phrases ("per-sample
    python loop") is bare too, unless it joins two of them into a claim with ':' or '->'.
    """
    tools = tuple(tools)
    if _names_only_tools(segment, tools, topics):
        return True
    left = _content_count(remove_phrases(segment, topics))
    if left >= 3:
        return False
    is_list = len(re.findall(r"[,/]", segment)) >= 2
    if _MEASURING_VERB.search(normalise(segment)) and not is_list:
        return False  # "Measure throughput versus batch size": an instruction, terse but a claim
    if _SAYS_SOMETHING.search(segment) and not is_list:
        return False  # "launch overhead: many small kernels", "GPU maxed -> compute-bound": terse, but a claim
    if len(words(segment)) <= SHORT_PHRASE_WORDS and left < 2:
        return True  # "idle gaps in the timeline", "per-sample python loop": a topic named, nothing claimed
    keywords_only = not any(w in STOPWORDS for w in words(segment))
    return is_list or keywords_only or _content_count(remove_phrases(segment, tools)) < 3


def _names_only_tools(segment: str, tools: tuple[re.Pattern[str], ...], topics: Iterable[re.Pattern[str]]) -> bool:
    """Two or more tools named with no other rubric phrase and little else ("I would profile the
    server with Nsight Systems, Nsight Compute and the PyTorch profiler and go from there"): a
    list of tools in a sentence's clothes, which says what to run but not what to look for."""
    if not tools:
        return False
    rest, named = normalise(segment), 0
    for pattern in tools:  # longest first (features.prepare), so a name is counted once
        rest, hits = pattern.subn(" ", rest)
        named += bool(hits)
    return named >= 2 and not phrases_in(rest, topics) and _content_count(rest) <= TOOL_LIST_FILLER_WORDS


def _content_count(normalised: str) -> int:
    return sum(1 for w in words(normalised) if w not in STOPWORDS)


def unknown_word_ratio(text: str, known: frozenset[str]) -> float:
    """Share of alphabetic words that are neither in the vocabulary nor in the rubric."""
    candidates = [w for w in words(text) if w.isalpha() and len(w) >= 3]
    if not candidates:
        return 0.0
    unknown = [w for w in candidates if w not in known and stem(w) not in known]
    return len(unknown) / len(candidates)


def overlap_with(text: str, reference_stems: set[str]) -> float:
    """Share of the text's content stems that also occur in the reference (1.0: a copy)."""
    stems = content_stems(text)
    if not stems:
        return 0.0
    return len(stems & reference_stems) / len(stems)
