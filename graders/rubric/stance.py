"""What a segment commits to: a claim the answer makes, or a hypothesis it denies.

A criterion is earned by a claim, not by naming its topic. "It is not host-to-device
transfer", "launch overhead is negligible (0.4 ms of a 40 ms step), so I'd rule it out",
"maybe the GPU is saturated, but probably not" name the topic and deny it: they earn
nothing. Conditions ("if utilisation did not drop, ...") and findings ("the CPU can't feed
the GPU", "the op is not batched") are claims.

A segment is first cut at contrastive conjunctions ("It isn't the copies, but launch
overhead: ..."), so that the denied half does not take the claimed half with it; a denial
after the conjunction ("..., but probably not") denies the part before it too.
"""

from __future__ import annotations

import re

from . import text

# "but", "however", "rather", "instead", "whereas" start a new claim; the cut keeps the
# conjunction out of both parts, so each part is a plain substring of the answer.
_CONTRAST = re.compile(r"\s*[,;:\u2014-]?\s*\b(?:but|however|rather|instead|whereas)\b[,:]?\s*", re.IGNORECASE)

# A condition's own negation is not the answer's denial: "if X is not Y, ..." and
# "whether it is not ..." are set aside before the denial patterns are read.
_CONDITION = re.compile(r"\b(?:if|when|whenever|whether|unless|once|until|in case)\b[^,;:]*(?:[,;:]|$)")

_DENIALS = (
    # "it is not X", "this isn't X", "that's not X" (not a finding such as "it is not batched")
    r"\b(?:it|this|that|which)\s*(?:'s|is|was|are)\s+not\b(?!\s+(?:\w+ed|fully|busy|enough|only|just|parallel|full|fast)\b)",
    r"\b(?:it|this|that|which)\s+(?:isn't|wasn't|aren't)\b(?!\s+(?:\w+ed|fully|busy|enough|only|just|parallel|full|fast)\b)",
    # "X is not the cause / the bottleneck / an issue / a factor / saturated / the limit"
    r"\b(?:is|are|was|were|'s)\s*(?:not|n't)\s+(?:really\s+|actually\s+)?(?:the\s+|a\s+|an\s+)?"
    r"(?:cause|culprit|problem|issue|bottleneck|limit|limiter|limiting\s+factor|factor|concern|reason|explanation|"
    r"saturated|bound|limiting|responsible|relevant|involved|to\s+blame)\b",
    r"\b(?:isn't|aren't|wasn't|weren't)\s+(?:really\s+|actually\s+)?(?:the\s+|a\s+|an\s+)?"
    r"(?:cause|culprit|problem|issue|bottleneck|limit|limiter|factor|concern|reason|saturated|bound|limiting|"
    r"responsible|relevant|involved|to\s+blame)\b",
    r"^\W*not\s+(?:the|a|an|it|that|this)\b",  # "Not the transfer: ..." ("Not fed: ..." is a finding)
    r"\bnothing\s+to\s+do\s+with\b|\bhas\s+no\s+(?:effect|impact|bearing)\b|\bplays\s+no\s+(?:part|role)\b",
    # dismissals: negligible, a waste of time ("not negligible" is a claim, handled below)
    r"(?<!not\s)(?<!non-)\b(?:negligible|insignificant|a\s+red\s+herring|a\s+waste\s+of\s+time|not\s+worth)\b",
    r"\b(?:is|are|looks|seems|seem)\s+(?:fine|ok|okay|healthy|not\s+a\s+problem)\b",
    r"\b(?:not|no)\s+(?:needed|necessary|required)\b|\bunnecessary\b|\bno\s+reason\s+to\b|\bskip\s+(?:it|that|this|the)\b",
    # hedged away
    r"\bunlikely\b|\bi\s+doubt\b|\bdoubtful\b|\bprobably\s+not\b|\bhardly\b|\bnot\s+likely\b",
    # ruled out, excluded ("to rule out X" is a test, "cannot be ruled out" a claim)
    r"(?<!be\s)(?<!been\s)\bruled\s+out\b|\brules\s+out\b|\bexcluded\b|\bwe\s+can\s+exclude\b",
    r"\b(?:i'd|i\s+would|i\s+can|we\s+can|so\s+i|so\s+we|i)\s+(?:also\s+)?rule\s+out\b",
    r"\bcan\s+be\s+ruled\s+out\b",
)
_DENIAL = re.compile("|".join(f"(?:{p})" for p in _DENIALS))
_STILL_OPEN = re.compile(r"\b(?:cannot|can't|can\s+not|not)\s+be\s+ruled\s+out\b")


def is_denied(clause: str) -> bool:
    """The clause denies, dismisses or hedges away what it names (text.is_negated included)."""
    normalised = text.normalise(clause)
    if _STILL_OPEN.search(normalised):
        return False
    if text.is_negated(clause):
        return True
    return bool(_DENIAL.search(_CONDITION.sub(" ", normalised)))


def split_claims(segment: str) -> list[str]:
    """The segment's parts at contrastive conjunctions, each a substring of the segment."""
    parts, start = [], 0
    for match in _CONTRAST.finditer(segment):
        if match.start() > start:
            parts.append(segment[start:match.start()])
        start = match.end()
    parts.append(segment[start:])
    return [p.strip() for p in parts if len(text.words(p)) >= 1]


def claims_and_denials(segment: str) -> tuple[list[str], list[str]]:
    """(parts that are claims, parts that deny), in the segment's order.

    A denial after a contrast takes what came before it along ("maybe the copies, but that
    was not our problem"); a claim after it stands ("it isn't the copies, but launch
    overhead"): everything up to the last denied part is denied.
    """
    parts = split_claims(segment)
    denied = [i for i, part in enumerate(parts) if is_denied(part)]
    if not denied:
        return [segment], []  # nothing denied: the segment stays whole
    last = denied[-1]
    return parts[last + 1:], parts[:last + 1]
