#!/usr/bin/env python3
"""A/A fairness: the same code as candidate and as baseline must come out even, on an idle
machine and on a busy one.

    python scripts/bench_fairness.py [--runs 5] [--device cpu|cuda] [--load both|idle|busy] [--json OUT]

Three A/A pairs, each graded `--runs` times, every grading in a fresh process through
`graders.pipeline.grade()` (scripts/bench_repeatability.py --one, the same path as
`python -m graders grade`):

- fused-attention, in a copy of the package that allows SDPA, submitting SDPA itself (the
  baseline is SDPA);
- resnet50-latency, submitting its starter (the baseline is the starter's own pipeline);
- launch-overhead, submitting its starter (the baseline is the starter's model).

"busy" runs the same gradings with one CPU-bound process per core but one (not pinned: the
scheduler puts them where it likes, as on a shared host). For each pair and load it prints the
median speedup over the gradings, its min-max, the mean of the gradings' own 95% CIs, and
whether the targets hold: median within 1.00 +/- 0.02 idle and +/- 0.03 busy, no grading
outside +/- 0.05.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REPEAT = REPO / "scripts" / "bench_repeatability.py"
SDPA = "import torch.nn.functional as F\n\n\ndef attention(q, k, v, causal=False):\n    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)\n"
TARGETS = {"idle": 0.02, "busy": 0.03}
ANY_GRADING = 0.05


def sdpa_allowed_root(workdir: Path) -> Path:
    """A catalog root holding `aa-fused-attention`: fused-attention with SDPA allowed."""
    root = workdir / "catalog"
    package = root / "aa-fused-attention"
    shutil.copytree(REPO / "challenges" / "fused-attention", package, ignore=shutil.ignore_patterns("__pycache__"))
    lines = []
    skipping = False
    for line in (package / "challenge.toml").read_text().splitlines():
        if line.startswith("slug ="):
            line = 'slug = "aa-fused-attention"'
        if line.startswith(("forbidden_calls", "forbidden_ops")):
            skipping = not line.rstrip().endswith("]")
            lines.append(line.split("=")[0] + "= []")
            continue
        if skipping:
            skipping = not line.rstrip().endswith("]")
            continue
        lines.append(line)
    (package / "challenge.toml").write_text("\n".join(lines) + "\n")
    (workdir / "sdpa.py").write_text(SDPA)
    return root


def pairs(workdir: Path) -> list[dict]:
    root = sdpa_allowed_root(workdir)
    return [
        {"name": "fused-attention: SDPA vs SDPA", "slug": "aa-fused-attention", "path": workdir / "sdpa.py", "roots": [root]},
        {"name": "resnet50-latency: starter vs its pipeline", "slug": "resnet50-latency", "path": REPO / "challenges" / "resnet50-latency" / "starter", "roots": []},
        {"name": "launch-overhead: starter vs its model", "slug": "launch-overhead", "path": REPO / "challenges" / "launch-overhead" / "starter" / "solution.py", "roots": []},
    ]


def grade_once(pair: dict, device: str, timeout: float) -> dict:
    cmd = [sys.executable, str(REPEAT), "--one", pair["slug"], str(pair["path"]), "--device", device]
    if pair["roots"]:
        cmd += ["--roots", *(str(r) for r in pair["roots"])]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SystemExit(f"{pair['name']}: grading failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["verdict"] != "accepted":
        raise SystemExit(f"{pair['name']}: {result['verdict']}: {result['message']}")
    result["_wall_s"] = time.monotonic() - started
    return result


def _spin() -> None:
    while True:
        pass


@contextmanager
def cpu_load(busy: bool):
    """One CPU-bound process per core but one, while the block runs."""
    hogs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(max((os.cpu_count() or 1) - 1, 1))] if busy else []
    for hog in hogs:
        hog.start()
    try:
        yield
    finally:
        for hog in hogs:
            hog.terminate()
            hog.join()


def measure(pair: dict, *, device: str, runs: int, load: str, timeout: float) -> dict:
    with cpu_load(load == "busy"):
        results = [grade_once(pair, device, timeout) for _ in range(runs)]
    speedups = [r["metrics"]["speedup"] for r in results]
    cis = [r["metrics"].get("speedup_ci") for r in results]
    median = statistics.median(speedups)
    worst = max(abs(s - 1.0) for s in speedups)
    return {
        "pair": pair["name"], "load": load, "runs": runs, "speedups": speedups,
        "median": median, "min": min(speedups), "max": max(speedups),
        "mean_ci": [statistics.fmean(c[0] for c in cis), statistics.fmean(c[1] for c in cis)] if all(cis) else None,
        "noisy_runs": sum("noisy" in r["flags"] for r in results),
        "wall_s": statistics.fmean(r["_wall_s"] for r in results),
        "meets_target": abs(median - 1.0) <= TARGETS[load] and worst <= ANY_GRADING,
    }


def print_row(row: dict, out=sys.stdout) -> None:
    ci = row["mean_ci"]
    ci_text = f"{ci[0]:.3f}-{ci[1]:.3f}" if ci else "n/a"
    out.write(
        f"{row['pair']:<44} {row['load']:<5} {row['median']:>7.3f} {row['min']:>7.3f}-{row['max']:<7.3f} {ci_text:>13} "
        f"{row['noisy_runs']:>2}/{row['runs']:<2} {row['wall_s']:>6.1f} {'yes' if row['meets_target'] else 'NO':>4}\n"
    )
    out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--load", default="both", choices=["both", "idle", "busy"])
    parser.add_argument("--only", default=None, help="run only the pairs whose name contains this")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures here")
    args = parser.parse_args(argv)
    loads = ["idle", "busy"] if args.load == "both" else [args.load]
    rows = []
    with tempfile.TemporaryDirectory(prefix="hotpath-fairness-") as tmp:
        print(f"A/A fairness, {args.runs} gradings per row, device {args.device}, {os.cpu_count()} cores; "
              f"targets: median within 1 +/- {TARGETS['idle']} idle, {TARGETS['busy']} busy; every grading within 1 +/- {ANY_GRADING}")
        print(f"{'pair':<44} {'load':<5} {'median':>7} {'min-max':>15} {'mean 95% CI':>13} {'noisy':>5} {'s/run':>6} {'ok':>4}")
        every_pair = pairs(Path(tmp))
        for load in loads:
            for pair in every_pair:
                if args.only and args.only not in pair["name"]:
                    continue
                row = measure(pair, device=args.device, runs=args.runs, load=load, timeout=args.timeout)
                rows.append(row)
                print_row(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0 if all(r["meets_target"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
