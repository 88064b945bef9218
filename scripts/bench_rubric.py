"""Milliseconds per written answer on the CPU, once the model is loaded.

Scores every answer of the human-scored sets (both questions) in rounds until at least
--answers answers were timed, after one untimed warm-up pass, and prints the median, the
interquartile range and the 10th/90th percentiles per answer, with the method. Then the
same for reference-answer mode on 200 Mohler answers, where that data is present.

    .venv/bin/python scripts/bench_rubric.py [--answers 200] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graders.rubric import datasets, load_rubric, score_against_reference, score_answer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200, help="timed answers, at least 100 (default 200)")
    parser.add_argument("--threads", type=int, help="torch threads while embedding (default: the grader's, 1)")
    args = parser.parse_args()
    import torch

    if args.threads:
        os.environ["HOTPATH_RUBRIC_THREADS"] = str(args.threads)
    work = [(load_rubric(datasets.rubric_path(slug)), row.answer)
            for slug in datasets.WRITTEN_SLUGS for row in datasets.load_human_set(slug)]
    started = time.perf_counter()
    for rubric, answer in work:  # warm-up: loads the model, embeds exemplars, fills caches
        score_answer(rubric=rubric, answer=answer)
    warm_up_s = time.perf_counter() - started
    timings, cpu_timings = [], []
    while len(timings) < max(args.answers, 100):
        for rubric, answer in work:
            begin, begin_cpu = time.perf_counter(), time.process_time()
            score_answer(rubric=rubric, answer=answer)
            timings.append(1000 * (time.perf_counter() - begin))
            cpu_timings.append(1000 * (time.process_time() - begin_cpu))
    chars = sorted(len(a) for _, a in work)
    print(f"method: score_answer on {len(work)} distinct answers (median {chars[len(chars) // 2]} chars, "
          f"max {chars[-1]}), {len(timings)} timed calls after a warm-up pass of {warm_up_s:.1f} s; "
          f"time.perf_counter per call")
    threads = os.environ.get("HOTPATH_RUBRIC_THREADS", "1")
    print(f"host: {platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end, "
          f"torch {torch.__version__}, {threads} embedding thread(s), Python {platform.python_version()}")
    print_timings("written mode", timings, cpu_timings)
    if datasets.mohler_available():
        reference_mode()
    return 0


def reference_mode(count: int = 200) -> None:
    every = max(1, len(datasets.load_mohler()) // count)
    answers = datasets.load_mohler()[::every][:count]
    for a in answers[:20]:  # warm-up: caches each question's and reference's encodings
        score_against_reference(question=a.question, reference=a.reference, max_points=5, answer=a.answer)
    timings, cpu_timings = [], []
    for a in answers:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        score_against_reference(question=a.question, reference=a.reference, max_points=5, answer=a.answer)
        timings.append(1000 * (time.perf_counter() - begin))
        cpu_timings.append(1000 * (time.process_time() - begin_cpu))
    print(f"method: score_against_reference on {len(answers)} Mohler answers (every {every}th), one timed "
          f"call each, the first sight of a question's texts included")
    print_timings("reference mode", timings, cpu_timings)


def print_timings(label: str, timings: list[float], cpu_timings: list[float]) -> None:
    quartiles = statistics.quantiles(timings, n=4)
    deciles = statistics.quantiles(timings, n=10)
    print(f"{label}: ms/answer: median {statistics.median(timings):.1f}  IQR {quartiles[0]:.1f}-{quartiles[2]:.1f}  "
          f"p10 {deciles[0]:.1f}  p90 {deciles[-1]:.1f}  max {max(timings):.1f}  (n={len(timings)})")
    cpu_quartiles = statistics.quantiles(cpu_timings, n=4)
    print(f"{label}: CPU ms/answer (process time, what an idle core would take): median "
          f"{statistics.median(cpu_timings):.1f}  IQR {cpu_quartiles[0]:.1f}-{cpu_quartiles[2]:.1f}  "
          f"p90 {statistics.quantiles(cpu_timings, n=10)[-1]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
