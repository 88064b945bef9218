#!/usr/bin/env python3
"""Exercise every GPU path of the graders on a CUDA machine and print one table.

    python scripts/gpu_check.py [--runs 10] [--out DIR] [--device cuda|cpu]

No Django: it drives `graders.pipeline.grade()` (what `python -m graders grade` runs), with
the process sandbox and GPU 0, on the test fixtures `tiny-softmax` (a kernel challenge, with
the profile grader) and `tiny-server` (a server challenge), on `fused-attention`, and on the
GPU-only hostile submissions in tests/hostile/gpu/; where Nsight Compute reads counters, the
ncu row shows the profile's kernel summary of the honest kernel. Then it runs the repeatability
benchmark (scripts/bench_repeatability.py, N gradings in fresh processes). Each row says what was
expected, what came back, and PASS or FAIL; the exit status is 1 when any row fails.
`--out DIR` also writes gpu-check.txt and gpu-check.json there (keep them under docs/ with
the card's name). `--device cpu` is a smoke run of the same script where no GPU is present:
GPU-only rows are reported as skipped.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import torch  # noqa: E402

from graders.catalog import challenge_roots, load_challenge  # noqa: E402
from graders.harness.environment import fingerprint  # noqa: E402
from graders.harness.steps.profile import ncu_status  # noqa: E402
from graders.pipeline import GradeJob, files_from_path, grade  # noqa: E402

FIXTURES = REPO / "tests" / "graders" / "fixtures"
GPU_HOSTILE = REPO / "tests" / "hostile" / "gpu"
HOSTILE = REPO / "tests" / "hostile" / "submissions"
TARGETS = {"long": (0.005, 0.01), "short": (0.01, None)}  # (speedup CV, median CV): >= 50 us, 10-50 us


class Table:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, check: str, expected: str, got: str, ok: bool | None, seconds: float = 0.0) -> None:
        status = "skip" if ok is None else ("PASS" if ok else "FAIL")
        self.rows.append({"check": check, "expected": expected, "got": got, "status": status, "seconds": round(seconds, 1)})
        print(f"[{status}] {check}: {got}", flush=True)

    def text(self, header: str) -> str:
        widths = [max(len(str(r[k])) for r in self.rows + [{"check": "check", "expected": "expected", "got": "got", "status": "status"}]) for k in ("check", "expected", "status")]
        lines = [header, "", f"{'check':<{widths[0]}}  {'expected':<{widths[1]}}  {'status':<{widths[2]}}  got"]
        for r in self.rows:
            lines.append(f"{r['check']:<{widths[0]}}  {r['expected']:<{widths[1]}}  {r['status']:<{widths[2]}}  {r['got']}")
        return "\n".join(lines) + "\n"

    @property
    def failed(self) -> bool:
        return any(r["status"] == "FAIL" for r in self.rows)


def run_grade(slug: str, path: Path, device: str) -> tuple[dict, float]:
    roots = [FIXTURES]
    spec = load_challenge(slug, roots=challenge_roots(roots))
    started = time.monotonic()
    job = GradeJob(slug=slug, files=files_from_path(path, entry_file=spec.entry_file), device=device, roots=roots, gpu=0 if device == "cuda" else None)
    return grade(job).as_dict(), time.monotonic() - started


def modes(result: dict) -> set[str]:
    return {c.get("mode") for c in result["metrics"].get("cases", [])}


def describe(result: dict) -> str:
    m = result["metrics"]
    lat = m.get("latency_ms") or {}
    text = f"{result['verdict']}"
    if m.get("speedup"):
        text += f", speedup {m['speedup']:.3f}"
    if lat.get("median"):
        text += f", median {lat['median'] * 1000:.1f} us (CI +/-{100 * (lat.get('ci_rel') or 0):.2f}%, n={lat.get('n')})"
    if modes(result):
        text += f", mode {'/'.join(sorted(modes(result)))}"
    if result["flags"]:
        text += f", flags {result['flags']}"
    if result["verdict"] != "accepted":
        text += f" ({result['message'][:120]})"
    return text


def check_kernels(table: Table, device: str) -> dict:
    honest, secs = run_grade("tiny-softmax", GPU_HOSTILE / "honest_naive.py", device)
    want_mode = "graph" if device == "cuda" else "eager"
    table.add("correctness + latency, honest kernel", f"accepted, mode {want_mode}", describe(honest), honest["verdict"] == "accepted" and modes(honest) == {want_mode}, secs)
    method = honest["metrics"].get("timing_method", "")
    if device == "cuda":
        table.add("L2 flush + device-wide sync in method", "stated", method[:90] + "...", "L2 flush" in method and "synchronize" in method)
    env = honest["metrics"].get("environment", {})
    table.add("environment fingerprint", "device, driver, SM clock, temperature, torch, triton", json.dumps({k: env.get(k) for k in ("device", "driver", "sm_clock_mhz", "temperature_c", "torch", "triton")}),
              bool(env.get("device")) and (device != "cuda" or bool(env.get("driver"))))
    profile = honest["metrics"].get("profile", {})
    got = f"{profile.get('kernel_count')} kernels, {profile.get('launches_per_call')} launches/call, idle {profile.get('idle_fraction')}, peak {profile.get('peak_memory_mb')} MiB, trace {'yes' if 'trace_gz_b64' in profile else 'no'}"
    ok = "trace_gz_b64" in profile and (device != "cuda" or (profile.get("kernel_count", 0) > 0 and "top_kernels_by_device_time" in profile))
    table.add("profile: torch.profiler summary + trace", "kernels, launches/call, idle gaps, peak memory, trace", got, ok)
    check_ncu(table, profile.get("ncu") or ncu_status(torch.device(device)))
    return honest


def check_ncu(table: Table, ncu: dict) -> None:
    """Where the grade found counters readable, its profile carries ncu's kernel summary."""
    if ncu.get("status") != "counters readable":
        table.add("ncu", "detected and reported", json.dumps(ncu)[:160], True)
        return
    expected = "kernels of the honest submission"
    kernels = ncu.get("kernels") or []
    if ncu.get("error") or not kernels:
        table.add("ncu: kernel summary", expected, f"counters readable, but: {ncu.get('error', 'no kernels')}"[:200], False)
        return
    top = "; ".join(f"{k['name'][:40]} x{k['launches']} median {k['median_us']} us, SM {k['sm_pct']}%, mem {k['memory_pct']}%, "
                    f"occupancy {k['occupancy_pct']}%, {k['bound']}" for k in kernels[:3])
    table.add("ncu: kernel summary", expected, f"{ncu['kernel_count']} kernels, {ncu['launches']} launches: {top}", True)


def check_gpu_hostile(table: Table, device: str, honest: dict) -> None:
    base = honest["metrics"].get("speedup") or 0
    for name, expected, check in (
        ("side_stream", "accepted, speedup <= 1.25x honest", lambda r: r["verdict"] == "accepted" and r["metrics"]["speedup"] <= 1.25 * base),
        ("event_patching", "accepted, flag timing_mismatch, speedup <= 1.25x honest", lambda r: r["verdict"] == "accepted" and "timing_mismatch" in r["flags"] and r["metrics"]["speedup"] <= 1.25 * base),
        ("uncapturable_honest", "accepted, mode eager (graph capture fell back)", lambda r: r["verdict"] == "accepted" and modes(r) == {"eager"}),
    ):
        if device != "cuda":
            table.add(f"hostile (GPU): {name}", expected, "no CUDA here", None)
            continue
        result, secs = run_grade("tiny-softmax", GPU_HOSTILE / f"{name}.py", device)
        table.add(f"hostile (GPU): {name}", expected, describe(result), check(result), secs)
    for name, verdict in (("stale_output", "wrong_answer"), ("input_mutation_correct_output", "wrong_answer"), ("result_caching", "wrong_answer"),
                          ("forge_stdout", "runtime_error"), ("timer_patching", "accepted")):
        result, secs = run_grade("tiny-softmax", HOSTILE / f"{name}.py", device)
        table.add(f"hostile: {name}", verdict, describe(result), result["verdict"] == verdict, secs)


def check_server_and_attention(table: Table, device: str) -> None:
    result, secs = run_grade("tiny-server", FIXTURES / "tiny-server" / "starter" / "server.py", device)
    tp = result["metrics"].get("throughput") or {}
    got = f"{result['verdict']}, peak {tp.get('peak_rps', 0):.0f} req/s at {tp.get('peak_at')}, x{result['metrics'].get('speedup') or 0:.2f} baseline, {len(tp.get('points', []))} points"
    table.add("throughput: batching server", "accepted, curve of 8 points", got, result["verdict"] == "accepted" and len(tp.get("points", [])) == 8, secs)
    if device != "cuda":
        table.add("fused-attention starter (fp16, bf16)", "accepted", "cuda only", None)
        return
    result, secs = run_grade("fused-attention", REPO / "challenges" / "fused-attention" / "starter" / "solution.py", device)
    table.add("fused-attention starter (fp16, bf16)", "accepted", describe(result), result["verdict"] == "accepted", secs)


def check_repeatability(table: Table, device: str, runs: int, out: Path | None) -> dict | None:
    if runs < 2:
        table.add("repeatability", f">= 2 runs", "skipped (--runs < 2)", None)
        return None
    raw = (out or Path("/tmp")) / "repeatability.json"
    cmd = [sys.executable, str(REPO / "scripts" / "bench_repeatability.py"), "tiny-softmax", str(GPU_HOSTILE / "honest_naive.py"),
           "--runs", str(runs), "--device", device, "--roots", str(FIXTURES), "--json", str(raw)]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    secs = time.monotonic() - started
    print(proc.stdout[-4000:], flush=True)
    if proc.returncode != 0:
        table.add("repeatability", "runs complete", f"failed: {proc.stderr[-300:]}", False, secs)
        return None
    summary = json.loads(raw.read_text())
    for name, case in summary["cases"].items():
        median_us = case["median_ms_mean"] * 1000
        band = "long" if median_us >= 50 else "short" if median_us >= 10 else None
        got = f"median {median_us:.1f} us, CV median {100 * (case['cv_median'] or 0):.2f}%, CV speedup {100 * (case['cv_speedup'] or 0):.2f}% ({runs} fresh processes)"
        if band is None or device != "cuda":
            table.add(f"repeatability {name}", "reported", got, True, secs)
            continue
        speedup_target, median_target = TARGETS[band]
        ok = (case["cv_speedup"] or 0) <= speedup_target and (median_target is None or (case["cv_median"] or 0) <= median_target)
        expected = f"CV speedup <= {100 * speedup_target:g}%" + (f", CV median <= {100 * median_target:g}%" if median_target else "")
        table.add(f"repeatability {name}", expected, got, ok, secs)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--runs", type=int, default=10, help="gradings for the repeatability benchmark (0 to skip)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA device here; use --device cpu for a smoke run", file=sys.stderr)
        return 2
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    env = fingerprint(torch.device(args.device))
    table = Table()
    honest = check_kernels(table, args.device)
    check_gpu_hostile(table, args.device, honest)
    check_server_and_attention(table, args.device)
    summary = check_repeatability(table, args.device, args.runs, args.out)
    header = (f"scripts/gpu_check.py on {env.get('device')} ({args.device}); driver {env.get('driver')}, CUDA {env.get('cuda')}, "
              f"torch {env.get('torch')}, triton {env.get('triton')}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
              f"{time.monotonic() - started:.0f} s")
    text = table.text(header)
    print("\n" + text)
    if args.out:
        (args.out / "gpu-check.txt").write_text(text)
        (args.out / "gpu-check.json").write_text(json.dumps({"environment": env, "rows": table.rows, "repeatability": summary}, indent=1))
    return 1 if table.failed else 0


if __name__ == "__main__":
    sys.exit(main())
