"""The human-scored sets: ours (graders/rubric/data) and the Mohler short-answer data."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HUMAN_SET_DIR = Path(__file__).resolve().parent / "data"
CHALLENGES_DIR = REPO_ROOT / "challenges"
SECOND_RATER_FILE = "second-rater.jsonl"
MOHLER_ENV = "HOTPATH_MOHLER_DIR"
MOHLER_FILE = "mohler_public.csv"
MOHLER_MAX = 5.0
WRITTEN_SLUGS = ("debug-regression", "batch-scaling")


@dataclass(frozen=True)
class HumanScored:
    id: str
    challenge: str
    split: str  # "train" or "holdout"; holdout never feeds fitting or tuning
    answer: str
    scores: dict[str, float]
    spans: dict[str, str] = field(default_factory=dict)  # criterion -> the passage that earned it (labelled sets)
    style: str = ""

    def total(self, max_points: float) -> float:
        return clamped_total(self.scores, max_points)


def clamped_total(scores: dict[str, float], max_points: float) -> float:
    """An answer's total: the criteria's points summed, clamped to 0..max_points."""
    return min(max(sum(scores.values()), 0.0), max_points)


@dataclass(frozen=True)
class MohlerAnswer:
    question_id: str
    question: str
    reference: str
    answer: str
    score_me: float
    score_other: float
    score_avg: float


def load_human_set(slug: str, *, directory: Path = HUMAN_SET_DIR) -> list[HumanScored]:
    return load_labels(directory / f"{slug}.jsonl")


def load_labels(path: Path) -> list[HumanScored]:
    """A JSONL file of scored answers: our sets, or reviewers' overrides exported by
    `manage.py export_review_labels`."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            data = json.loads(line)
            if data["split"] not in ("train", "holdout"):
                raise ValueError(f"{path}:{number}: split must be train or holdout")
            spans = data.get("spans", {})
            for criterion, span in spans.items():
                if span not in data["answer"]:
                    raise ValueError(f"{path}:{number}: the span for {criterion} is not in the answer")
            rows.append(HumanScored(id=data["id"], challenge=data["challenge"], split=data["split"],
                                    answer=data["answer"], scores={k: float(v) for k, v in data["scores"].items()},
                                    spans=dict(spans), style=data.get("style", "")))
    return rows


def load_second_rater(slug: str, *, directory: Path = HUMAN_SET_DIR) -> dict[str, dict[str, float]]:
    """A second rater's blind per-criterion scores of the same answers, by answer id (only
    for the answers that rater saw; never used for fitting)."""
    path = directory / SECOND_RATER_FILE
    if not path.exists():
        return {}
    rows = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            data = json.loads(line)
            if not isinstance(data.get("scores"), dict):
                raise ValueError(f"{path}:{number}: scores must be an object")
            if data.get("challenge") == slug:
                rows[data["id"]] = {k: float(v) for k, v in data["scores"].items()}
    return rows


def rubric_path(slug: str) -> Path:
    return CHALLENGES_DIR / slug / "rubric.toml"


def mohler_dir(override: str | Path | None = None) -> Path:
    """The flag wins, then $HOTPATH_MOHLER_DIR, then ../shared/data/asag-mohler beside the repo."""
    if override:
        return Path(override)
    if os.environ.get(MOHLER_ENV):
        return Path(os.environ[MOHLER_ENV])
    return REPO_ROOT.parent / "shared" / "data" / "asag-mohler"


def mohler_available(override: str | Path | None = None) -> bool:
    return (mohler_dir(override) / MOHLER_FILE).is_file()


def load_mohler(override: str | Path | None = None) -> list[MohlerAnswer]:
    path = mohler_dir(override) / MOHLER_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        return [MohlerAnswer(question_id=row["id"], question=row["question"], reference=row["desired_answer"],
                             answer=row["student_answer"], score_me=float(row["score_me"]),
                             score_other=float(row["score_other"]), score_avg=float(row["score_avg"]))
                for row in csv.DictReader(handle)]


def is_mohler_holdout(question_id: str) -> bool:
    """Fixed before any fitting: a third of the questions by hash, never used for tuning."""
    return int(hashlib.sha1(question_id.encode()).hexdigest(), 16) % 3 == 0
