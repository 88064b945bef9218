"""Similarity between candidates' code for the same item: winnowing over normalised tokens, as
MOSS does (Schleimer, Wilkerson, Aiken 2003). Identifiers and literals are normalised, so
renaming variables does not hide a copy; comments and whitespace are dropped."""
from __future__ import annotations

import hashlib
import io
import keyword
import tokenize

K = 5          # tokens per k-gram: the shortest shared run that can count
WINDOW = 4     # fingerprints kept: the smallest hash in every window of this many k-grams
THRESHOLD = 0.6  # flagged at or above this share of fingerprints in common (Jaccard)


def normalised_tokens(text: str) -> list[tuple[str, int]]:
    """(token, line) pairs: names become N, numbers 0, strings S; keywords and operators stay."""
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if tok.type == tokenize.NAME:
                value = tok.string if keyword.iskeyword(tok.string) else "N"
            elif tok.type == tokenize.NUMBER:
                value = "0"
            elif tok.type == tokenize.STRING:
                value = "S"
            else:
                value = tok.string
            out.append((value, tok.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        out = [(word.lower(), line) for line, row in enumerate(text.splitlines(), 1) for word in row.split()]
    return out


def fingerprints(text: str) -> dict[int, set[int]]:
    """Winnowed k-gram hashes -> the lines they cover."""
    tokens = normalised_tokens(text)
    grams = []
    for i in range(len(tokens) - K + 1):
        digest = hashlib.blake2b(" ".join(t for t, _ in tokens[i:i + K]).encode(), digest_size=8).digest()
        grams.append((int.from_bytes(digest, "big"), {line for _, line in tokens[i:i + K]}))
    kept: dict[int, set[int]] = {}
    for start in range(max(1, len(grams) - WINDOW + 1)):
        window = grams[start:start + WINDOW]
        if not window:
            break
        value, lines = min(window, key=lambda g: g[0])
        kept.setdefault(value, set()).update(lines)
    return kept


def compare(a: str, b: str) -> dict:
    """`score` (Jaccard of the fingerprints, 0..1), and the lines of each side that are shared."""
    fa, fb = fingerprints(a), fingerprints(b)
    if not fa or not fb:
        return {"score": 0.0, "lines_a": [], "lines_b": []}
    shared = set(fa) & set(fb)
    score = len(shared) / len(set(fa) | set(fb))
    return {"score": round(score, 3),
            "lines_a": sorted(set().union(*(fa[h] for h in shared))) if shared else [],
            "lines_b": sorted(set().union(*(fb[h] for h in shared))) if shared else []}
