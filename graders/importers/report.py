"""The import's report: one row per problem found, in one of five categories, with its reason."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

CPU = "gradable on CPU"
CUDA_ONLY = "gradable on CUDA only"
DEGENERATE = "degenerate"
REFUSED = "refused"
UNCHECKED = "converted, not validated"
CATEGORIES = (CPU, CUDA_ONLY, DEGENERATE, UNCHECKED, REFUSED)


@dataclass(frozen=True)
class ImportRow:
    problem: str  # the relative path in the source
    slug: str  # "" where nothing was written
    category: str
    reason: str = ""


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def imported(self) -> list[str]:
        return [r.slug for r in self.rows if r.category != REFUSED]

    @property
    def skipped(self) -> list[tuple[str, str]]:
        return [(r.problem, r.reason) for r in self.rows if r.category == REFUSED]

    def counts(self) -> dict[str, int]:
        found = Counter(r.category for r in self.rows)
        return {c: found[c] for c in CATEGORIES if found[c] or c != UNCHECKED}

    def summary(self) -> str:
        text = f"imported {len(self.imported)}, skipped {len(self.skipped)}"
        if self.skipped:
            text += ": " + "; ".join(f"{name}: {reason}" for name, reason in self.skipped)
        return text

    def table(self) -> str:
        """Markdown: the counts per category (converted = every package written), then each row."""
        counts = self.counts()
        lines = ["| category | problems |", "| --- | --- |", f"| converted | {len(self.imported)} |"]
        lines += [f"| {c} | {n} |" for c, n in counts.items()]
        lines += ["", "| problem | slug | category | reason |", "| --- | --- | --- | --- |"]
        lines += [f"| {r.problem} | {r.slug or '-'} | {r.category} | {_cell(r.reason)} |" for r in self.rows]
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]
