#!/usr/bin/env python
"""Per-job overhead of each sandbox backend for a trivial submission.

    .venv/bin/python scripts/bench_sandbox.py [--runs 20] [--backends process,docker] [--json]

It grades the fused-attention starter (correct, trivial) through the real pipeline, with
a copy of the challenge reduced to the correctness grader, and splits each job's wall
time into:

  prepare    pipeline work on the host before the sandbox (bundles, spec)
  start      sandbox.run called -> first line of the supervisor runs, split into
    up       the backend's own start (jail forked / container created, attached, started)
    python   interpreter start and, where no template holds it, the entry's torch import
  imports    supervisor imports (torch, harness) + worker start, torch import, candidate import
  reference  correctness step minus the candidate's calls (inputs, float64 oracle, comparison)
  teardown   steps done -> sandbox.run returned, split into
    finish   harness: workers stopped, environment fingerprint, result written
    exit     interpreter exit -> sandbox.run returned (jail/container and cgroup torn down)
  candidate  the candidate's own calls (excluded from the overhead)
  overhead   total - candidate

Phases inside the sandbox come from a thin driver that wraps the harness's own functions
(it adds a timeline to stderr; the result and its verdict are the harness's). Clocks:
time.time() on both sides (containers share the host kernel's clock). Prints median, IQR,
min and max per phase and backend.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sandbox  # noqa: E402
from graders import pipeline  # noqa: E402

MARK = "HOTPATH_BENCH "
DRIVER = r'''
import time
T = {"exec": time.time()}
import json, sys
import torch
from graders.harness import steps, supervisor, worker_process as workers
T["imported"] = time.time()
acc = {"candidate_s": 0.0, "load_s": 0.0, "start_workers_s": 0.0, "steps_s": 0.0}

def timed(fn, key):
    def wrapper(*args, **kwargs):
        t = time.time()
        try:
            return fn(*args, **kwargs)
        finally:
            acc[key] += time.time() - t
    return wrapper

original_request = workers.WorkerProcess.request
def request(self, header, *args, **kwargs):
    t = time.time()
    try:
        return original_request(self, header, *args, **kwargs)
    finally:
        if self.role == "candidate":
            acc["load_s" if header.get("op") == "load" else "candidate_s"] += time.time() - t
workers.WorkerProcess.request = request
supervisor.Session._start_workers = timed(supervisor.Session._start_workers, "start_workers_s")
original_load_steps = steps.load_steps
def load_steps():
    def wrap(fn):
        def step(session):
            t = time.time()
            try:
                return fn(session)
            finally:
                acc["steps_s"] += time.time() - t
                T["steps_end"] = time.time()
        return step
    return {name: wrap(fn) for name, fn in original_load_steps().items()}
steps.load_steps = load_steps
code = supervisor.main(sys.argv[1:])
T.update(acc)
T["main_end"] = time.time()
sys.stderr.write("HOTPATH_BENCH " + json.dumps(T) + "\n")
sys.stderr.flush()
sys.exit(code)
'''

PHASES = ("prepare", "start", "up", "python", "imports", "reference", "teardown", "finish", "exit", "candidate", "overhead", "total")


def probe_challenge(root: Path) -> str:
    slug = "sandbox-bench"
    dest = root / slug
    shutil.copytree(REPO / "challenges" / "fused-attention", dest, ignore=shutil.ignore_patterns("__pycache__", "known_bad"))
    text = (dest / "challenge.toml").read_text()
    text = re.sub(r"^slug = .*$", f'slug = "{slug}"', text, count=1, flags=re.M)
    text = re.sub(r"^graders = .*$", 'graders = ["correctness"]', text, count=1, flags=re.M)
    (dest / "challenge.toml").write_text(text)
    return slug


class Recorder:
    """Wraps sandbox.run as the pipeline calls it: swaps in the driver, records the timeline."""

    def __init__(self) -> None:
        self.real_run = sandbox.run
        self.timeline: dict = {}

    def __call__(self, job, *, backend="process"):
        argv = list(job.argv)
        assert argv[1:3] == ["-m", "graders.harness"], argv
        # the driver runs as a module from the bundle's lib, the way the harness itself runs
        (Path(job.bundle) / "lib" / "hotpath_bench_driver.py").write_text(DRIVER)
        job = type(job)(**{**job.__dict__, "argv": (argv[0], "-m", "hotpath_bench_driver", *argv[3:])})
        self.timeline = {"call": time.time()}
        outcome = self.real_run(job, backend=backend)
        self.timeline["returned"] = time.time()
        self.timeline["backend_start"] = outcome.phases.get("start", 0.0)
        for line in outcome.stderr.decode(errors="replace").splitlines():
            if line.startswith(MARK):
                self.timeline.update(json.loads(line[len(MARK):]))
        outcome.stderr = b"\n".join(l for l in outcome.stderr.split(b"\n") if not l.startswith(MARK.encode()))
        return outcome


def one_run(slug: str, root: Path, backend: str, recorder: Recorder) -> dict:
    files = {"solution.py": (REPO / "challenges" / "fused-attention" / "starter" / "solution.py").read_text()}
    started = time.time()
    result = pipeline.grade(pipeline.GradeJob(slug=slug, files=files, backend=backend, roots=[root]))
    total = time.time() - started
    t = recorder.timeline
    if result.verdict != "accepted" or "exec" not in t:
        raise RuntimeError(f"{backend}: {result.verdict}: {result.message}")
    phases = {
        "prepare": t["call"] - started,
        "start": t["exec"] - t["call"],
        "up": t["backend_start"],
        "python": t["exec"] - t["call"] - t["backend_start"],
        "imports": (t["imported"] - t["exec"]) + t["start_workers_s"] + t["load_s"],
        "reference": t["steps_s"] - t["candidate_s"],
        "teardown": t["returned"] - t["steps_end"],
        "finish": t["main_end"] - t["steps_end"],
        "exit": t["returned"] - t["main_end"],
        "candidate": t["candidate_s"],
        "total": total,
    }
    phases["overhead"] = total - t["candidate_s"]
    return phases


def summarise(samples: list[dict]) -> dict:
    out = {}
    for phase in PHASES:
        values = sorted(s[phase] for s in samples)
        q = statistics.quantiles(values, n=4) if len(values) >= 2 else [values[0]] * 3
        out[phase] = {"median": statistics.median(values), "iqr": q[2] - q[0], "min": values[0], "max": values[-1], "n": len(values)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backends", default="process,docker")
    parser.add_argument("--warmup", type=int, default=1, help="runs per backend not counted (page cache, image layers)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    recorder = Recorder()
    pipeline.sandbox.run = recorder
    report = {}
    with tempfile.TemporaryDirectory(prefix="hotpath-bench-") as tmp:
        root = Path(tmp)
        slug = probe_challenge(root)
        for backend in args.backends.split(","):
            ok, why = sandbox.get_backend(backend).available()
            if not ok:
                print(f"{backend}: skipped ({why})", file=sys.stderr)
                continue
            for _ in range(args.warmup):
                one_run(slug, root, backend, recorder)
            samples = [one_run(slug, root, backend, recorder) for _ in range(args.runs)]
            report[backend] = summarise(samples)
    if args.json:
        print(json.dumps(report))
        return 0
    import os
    import platform as std_platform

    import torch

    print(f"# {args.runs} runs per backend after {args.warmup} warm-up; {os.cpu_count()} CPUs; {std_platform.processor() or std_platform.machine()}; "
          f"torch {torch.__version__}; python {std_platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'backend':8} {'phase':10} {'median s':>9} {'IQR s':>8} {'min s':>7} {'max s':>7}")
    for backend, phases in report.items():
        for phase in PHASES:
            p = phases[phase]
            print(f"{backend:8} {phase:10} {p['median']:9.3f} {p['iqr']:8.3f} {p['min']:7.3f} {p['max']:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
