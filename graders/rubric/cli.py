"""Command-line entry points shared by `python -m graders.rubric` and the Django commands.

`score`: score_answer SLUG PATH|- [--json], or --question/--reference/--max for the
reference-answer mode. `evaluate`: agreement with human scores. `train`: refit the models.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from . import datasets


class UsageError(Exception):
    """Bad arguments: the caller prints the message and exits with status 2."""


def add_score_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slug", nargs="?", help="a written challenge in the catalog roots")
    parser.add_argument("path", nargs="?", help="the answer file, or - for standard input")
    parser.add_argument("--question", help="reference-answer mode: the question text")
    parser.add_argument("--reference", help="reference-answer mode: the reference answer")
    parser.add_argument("--max", type=float, dest="max_points", help="reference-answer mode: the maximum score")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")


def score_options(options: dict) -> dict:
    """`run_score`'s keyword arguments from parsed `add_score_arguments` options (argparse or Django)."""
    return {key: options.get(key) for key in ("slug", "path", "question", "reference", "max_points")}


def run_score(*, slug: str | None = None, path: str | None = None, question: str | None = None,
              reference: str | None = None, max_points: float | None = None, roots: list[Path] | None = None,
              stdin: TextIO = sys.stdin) -> dict:
    """Score SLUG's rubric over PATH (or `-`), or against one reference answer; raises
    UsageError for anything the caller got wrong."""
    if any(v is not None for v in (question, reference, max_points)):
        # In this mode there is no SLUG, so a lone positional argument is the answer's path.
        return _score_reference(question=question, reference=reference, max_points=max_points,
                                path=path or slug or "-", stdin=stdin)
    if not slug or not path:
        raise UsageError("give SLUG PATH|-, or --question TEXT --reference TEXT --max N [PATH|-]")
    rubric = _rubric_for(slug, roots or [])
    from .scoring import score_answer

    return score_answer(rubric=rubric, answer=_read_answer(path, stdin)).as_dict()


def _score_reference(*, question: str | None, reference: str | None, max_points: float | None, path: str,
                     stdin: TextIO) -> dict:
    if not question or not reference or max_points is None:
        raise UsageError("reference-answer mode needs --question, --reference and --max together")
    if max_points <= 0:
        raise UsageError("--max must be positive")
    from .reference import score_against_reference

    return score_against_reference(question=question, reference=reference, max_points=max_points,
                                   answer=_read_answer(path, stdin)).as_dict()


def _rubric_for(slug: str, roots: list[Path]):
    from graders.catalog import UnknownChallenge, challenge_roots, load_challenge
    from graders.spec import SpecError

    from .format import RubricError, load_rubric

    try:
        spec = load_challenge(slug, roots=challenge_roots(roots))
    except (UnknownChallenge, SpecError) as exc:
        raise UsageError(str(exc)) from None
    if spec.kind != "written":
        raise UsageError(f"{slug!r} is a {spec.kind} challenge; score_answer scores written answers only")
    try:
        return load_rubric(spec.path("rubric"))
    except RubricError as exc:
        raise UsageError(str(exc)) from None


def _read_answer(path: str, stdin: TextIO) -> str:
    if path == "-":
        return stdin.read()
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{path}: no such file")
    return file.read_text(encoding="utf-8", errors="replace")


def format_score(result: dict, *, as_json: bool) -> str:
    if as_json:
        return json.dumps(result)
    lines = [f"score {result['score']:g} / {result['max']:g}" + ("  (needs review)" if result["needs_review"] else "")]
    for c in result["criteria"]:
        evidence = f'  "{c["evidence"]}"' if c["evidence"] else ""
        earned = (f"{c['points']:>5g} (misconception)" if c.get("kind") == "misconception"
                  else f"{c['points']:>5g} / {c['max']:<3g}")
        lines.append(f"  {c['id']:<28} {earned} confidence {c['confidence']:.2f}{evidence}")
    if result.get("flags"):
        lines.append(f"  flags: {', '.join(result['flags'])}")
    return "\n".join(lines)


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--split", choices=("holdout", "train", "all"), default="holdout",
                        help="which part of each human-scored set to measure (default: holdout)")
    parser.add_argument("--mohler-dir", help=f"the asag-mohler folder (default: ${datasets.MOHLER_ENV} "
                                             "or ../shared/data/asag-mohler)")
    parser.add_argument("--skip-mohler", action="store_true", help="measure our written sets only")
    parser.add_argument("--json", action="store_true", help="also print all figures as one JSON object")


def evaluate_options(options: dict) -> dict:
    """`run_evaluate`'s keyword arguments from parsed `add_evaluate_arguments` options."""
    return {key: options.get(key) for key in ("split", "mohler_dir", "skip_mohler")} | {"as_json": bool(options.get("json"))}


def run_evaluate(*, split: str = "holdout", mohler_dir: str | None = None, skip_mohler: bool = False,
                 as_json: bool = False, out: TextIO = sys.stdout) -> dict:
    from .evaluate import (Evaluation, evaluate_mohler, evaluate_written, figures_of, format_evaluation,
                           format_reliability, review_figures)

    started = time.perf_counter()
    figures: dict[str, dict] = {}
    pooled_rows, reviewed, confidences, evidence = [], [], [], [0, 0]
    for slug in datasets.WRITTEN_SLUGS:
        evaluation = evaluate_written(slug, split=split)
        figures[slug] = {**evaluation.figures, "human_human": evaluation.human_human,
                         "evidence_overlap": list(evaluation.evidence)}
        pooled_rows += evaluation.rows
        reviewed += evaluation.reviewed
        confidences += evaluation.confidences
        evidence = [a + b for a, b in zip(evidence, evaluation.evidence)]
        print(format_evaluation(evaluation), file=out)
    pooled = Evaluation("written (pooled)", split, {**figures_of(pooled_rows, step=1.0), **review_figures(pooled_rows, reviewed)},
                        pooled_rows, evidence=tuple(evidence))
    figures["written (pooled)"] = {**pooled.figures, "evidence_overlap": evidence}
    print(format_evaluation(pooled), file=out)
    print(format_reliability(confidences), file=out)
    if skip_mohler:
        pass
    elif datasets.mohler_available(mohler_dir):
        evaluation = evaluate_mohler(split=split, mohler_dir=mohler_dir)
        figures["asag-mohler"] = {**evaluation.figures, "human_human": evaluation.human_human}
        print(format_evaluation(evaluation), file=out)
    else:
        print(f"asag-mohler: skipped, no {datasets.MOHLER_FILE} under {datasets.mohler_dir(mohler_dir)}", file=out)
    print(f"({time.perf_counter() - started:.0f} s)", file=out)
    if as_json:
        print(json.dumps(figures, default=float), file=out)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.rubric")
    commands = parser.add_subparsers(dest="command", required=True)
    add_score_arguments(commands.add_parser("score", help="score one written answer"))
    add_evaluate_arguments(commands.add_parser("evaluate", help="agreement with human scores"))
    train = commands.add_parser("train", help="refit the criterion and reference models from training data")
    train.add_argument("--mohler-dir")
    train.add_argument("--only", choices=("criterion", "reference"), help="refit one model only")
    train.add_argument("--extra-labels", type=Path, action="append", default=[],
                       help="JSONL of reviewed answers (manage.py export_review_labels) to train on as well")
    validate = commands.add_parser("validate", help="check a rubric file")
    validate.add_argument("rubric", type=Path)
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "score":
        print(format_score(run_score(**score_options(vars(args))), as_json=args.json))
    elif args.command == "evaluate":
        run_evaluate(**evaluate_options(vars(args)))
    elif args.command == "train":
        from .train import train_all

        train_all(mohler_dir=args.mohler_dir, models=(args.only,) if args.only else ("criterion", "reference"),
                  extra_labels=args.extra_labels)
    elif args.command == "validate":
        from .format import RubricError, load_rubric
        from .validate import validate_rubric

        try:
            problems = validate_rubric(rubric=load_rubric(args.rubric))
        except RubricError as exc:
            raise UsageError(str(exc)) from None
        print("\n".join(problems) or "ok")
        return 1 if problems else 0
    return 0
