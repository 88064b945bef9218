"""The Nsight Compute summary of the profile grader, on the CPU (no GPU, no ncu here).

The parser and the summary run on a canned raw-page CSV and on hostile ones; the pass itself
runs for real against a FAKE `ncu`: a script that takes ncu's flags, runs the worker command
line that follows them, and writes a canned CSV into `--log-file` once the worker has exited,
as ncu does. That proves the worker starts under the prefix and that the step reads the log.
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest

from graders import pipeline
from graders.catalog import challenge_roots, load_challenge
from graders.harness import ncu, worker_process
from graders.harness.ncu import COLUMNS, READABLE, bound_hint, ncu_argv, parse_ncu_csv, run_ncu_pass, summarize
from graders.harness.supervisor import Session
from tests.graders.harness_runner import FIXTURES

HONEST = (FIXTURES / "tiny-softmax" / "starter" / "solution.py").read_text()
SOFTMAX = ("void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, float, float, float, "
           "at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(T4 *, const T2 *, int)")
# ncu's raw page sorts the metric columns by name; the units row has empty identification fields.
RAW_CSV = f'''==PROF== Connected to process 4242 (/usr/bin/python3.11)
==PROF== Profiling "cunn_SoftMaxForward" - 0: 0%....50%....100% - 9 passes
==WARNING== Backing up device memory in system memory. Kernel replay might be slow.
"ID","Process ID","Process Name","Host Name","Kernel Name","Context","Stream","Block Size","Grid Size","Device","CC","dram__throughput.avg.pct_of_peak_sustained_elapsed","gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed","gpu__time_duration.sum","launch__block_size","launch__grid_size","launch__registers_per_thread","sm__throughput.avg.pct_of_peak_sustained_elapsed","sm__warps_active.avg.pct_of_peak_sustained_active"
"","","","","","","","","","","","%","%","nsecond","","","register/thread","%","%"
"0","4242","python3.11","127.0.0.1","{SOFTMAX}","1","7","(128, 1, 1)","(1024, 1, 1)","0","9.0","71.00","78.20","42,144","128","1,024","32","35.10","88.00"
"1","4242","python3.11","127.0.0.1","triton_poi_fused_mul_0","1","7","(256, 1, 1)","(64, 1, 1)","0","9.0","10.00","20.00","8,000","256","64","16","12.50","40.00"
"2","4242","python3.11","127.0.0.1","{SOFTMAX}","1","7","(128, 1, 1)","(1024, 1, 1)","0","9.0","70.50","77.90","41,984","128","1,024","32","35.40","87.50"
"3","4242","python3.11","127.0.0.1","ampere_sgemm_128x64_nn","1","7","(256, 1, 1)","(2048, 1, 1)","0","9.0","30.10","45.00","1,234,567","256","2,048","122","82.50","25.00"
==PROF== Profiling "triton_poi_fused_mul_0" - 4: 0%....50%....100% - 9 passes
"4","4242","python3.11","127.0.0.1","triton_poi_fused_mul_0","1","7","(256, 1, 1)","(64, 1, 1)","0","9.0","12.00","22.00","9,000","256","64","16","13.50","42.00"
"5","4242","python3.11","127.0.0.1","{SOFTMAX}","1","7","(128, 1, 1)","(1024, 1, 1)","0","9.0","71.30","78.60","43,008","128","1,024","32","34.90","88.20"
"6","4242","python3.11","127.0.0.1","my_kernel(float *, int)","1","7","(32, 4, 1)","(8, 1, 1)","0","9.0","n/a","55.00","500","","","40","50.00","61.00"
"7","4242","python3.11","127.0.0.1","truncated_row","1","7"
==PROF== Disconnected from process 4242
'''
KERNELS = [
    {"name": "ampere_sgemm_128x64_nn", "launches": 1, "total_us": 1234.567, "median_us": 1234.567, "sm_pct": 82.5, "memory_pct": 45.0,
     "dram_pct": 30.1, "occupancy_pct": 25.0, "registers_per_thread": 122, "block_size": 256, "grid_size": 2048, "bound": "compute-bound"},
    {"name": SOFTMAX[:120], "launches": 3, "total_us": 127.136, "median_us": 42.144, "sm_pct": 35.1, "memory_pct": 78.2,
     "dram_pct": 70.9, "occupancy_pct": 87.9, "registers_per_thread": 32, "block_size": 128, "grid_size": 1024, "bound": "memory-bound"},
    {"name": "triton_poi_fused_mul_0", "launches": 2, "total_us": 17.0, "median_us": 8.5, "sm_pct": 13.0, "memory_pct": 21.0,
     "dram_pct": 11.0, "occupancy_pct": 41.0, "registers_per_thread": 16, "block_size": 256, "grid_size": 64, "bound": "latency-bound / underused"},
    {"name": "my_kernel(float *, int)", "launches": 1, "total_us": 0.5, "median_us": 0.5, "sm_pct": 50.0, "memory_pct": 55.0,
     "dram_pct": None, "occupancy_pct": 61.0, "registers_per_thread": 40, "block_size": 128, "grid_size": 8, "bound": "mixed (neither SM nor memory at 60% of peak)"},
]


# -- parsing and summary ------------------------------------------------------------------------
def test_parse_and_summarize_a_realistic_raw_page():
    parsed = parse_ncu_csv(RAW_CSV)
    assert "error" not in parsed and parsed["skipped"] == 1  # the truncated row
    assert len(parsed["rows"]) == 7
    first = parsed["rows"][0]
    assert first["duration_us"] == pytest.approx(42.144) and first["grid_size"] == 1024.0 and len(first["name"]) == 120
    summary = summarize(parsed["rows"])
    assert summary["kernel_count"] == 4 and summary["launches"] == 7
    assert summary["kernels"] == KERNELS
    json.dumps(summary, allow_nan=False)


def test_time_units_row_scales_durations_and_no_units_row_means_nanoseconds():
    header = '"ID","Kernel Name","gpu__time_duration.sum","sm__throughput.avg.pct_of_peak_sustained_elapsed"\n'
    row = '"0","k","2.5","10"\n'
    assert parse_ncu_csv(header + '"","","usecond","%"\n' + row)["rows"][0]["duration_us"] == pytest.approx(2.5)
    assert parse_ncu_csv(header + '"","","msecond","%"\n' + row)["rows"][0]["duration_us"] == pytest.approx(2500.0)
    assert parse_ncu_csv(header + row)["rows"][0]["duration_us"] == pytest.approx(0.0025)
    assert parse_ncu_csv(header + '"","","cycle","%"\n' + row)["rows"][0]["duration_us"] is None


def test_summary_keeps_the_ten_longest_kernels():
    rows = [{"name": f"k{i}", "duration_us": float(i), **{key: None for key in COLUMNS.values() if key != "duration_us"}} for i in range(15)]
    summary = summarize(rows)
    assert summary["kernel_count"] == 15 and [k["name"] for k in summary["kernels"]] == [f"k{i}" for i in range(14, 4, -1)]
    assert summary["kernels"][0]["bound"] == "unknown (no throughput figures)"


@pytest.mark.parametrize("sm, memory, hint", [
    (35.0, 78.0, "memory-bound"), (82.0, 45.0, "compute-bound"), (70.0, 70.0, "compute-bound"), (60.0, 59.9, "compute-bound"),
    (39.9, 10.0, "latency-bound / underused"), (50.0, 55.0, "mixed (neither SM nor memory at 60% of peak)"), (None, 50.0, "unknown (no throughput figures)"),
])
def test_bound_hint(sm, memory, hint):
    assert bound_hint(sm_pct=sm, memory_pct=memory) == hint


HOSTILE = {
    "empty": "",
    "garbage": "\x00\x01\xff not a csv \"\"\" ,,,\n" * 50 + "ID;Kernel Name\n1;2\n",
    "no header": '"0","4242","python","h","k","1","7"\n' * 10,
    "huge field": '"ID","Kernel Name","gpu__time_duration.sum"\n"0","' + "A" * 300_000 + '","5"\n"1","ok","' + "9" * 100_000 + '"\n',
    "huge file": '"ID","Kernel Name","gpu__time_duration.sum"\n' + '"1","k","1"\n' * 400_000,
    "missing columns": '"ID","Kernel Name"\n"0","lonely_kernel"\n',
    "nan and inf": '"ID","Kernel Name","gpu__time_duration.sum","sm__throughput.avg.pct_of_peak_sustained_elapsed","launch__block_size"\n'
                   '"0","k","nan","inf","-inf"\n"1","k","1e400","NaN","1e300"\n',
    "control chars": '"ID","Kernel Name","gpu__time_duration.sum"\n"0","evil\x1b[2J\tname\x07","3"\n',
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_csv_gives_clean_rows_or_an_error_never_an_exception(name):
    parsed = parse_ncu_csv(HOSTILE[name])
    summary = summarize(parsed["rows"])
    json.dumps(summary, allow_nan=False)  # finite numbers only
    assert len(parsed["rows"]) <= ncu.MAX_ROWS and len(summary["kernels"]) <= ncu.TOP_KERNELS
    for kernel in summary["kernels"]:
        assert isinstance(kernel["name"], str) and 0 < len(kernel["name"]) <= 120 and kernel["name"].isprintable()
        assert all(isinstance(v, (int, float, type(None))) for k, v in kernel.items() if k not in ("name", "bound"))
    if name in ("empty", "garbage", "no header"):
        assert parsed["rows"] == [] and "no ncu CSV header" in parsed["error"]
    if name == "huge field":
        # a field over the csv module's limit: that line is skipped; a 100k-digit "number" is none
        assert parsed["skipped"] == 1 and [(r["name"], r["duration_us"]) for r in parsed["rows"]] == [("ok", None)]
    if name == "huge file":
        assert len(parsed["rows"]) == ncu.MAX_ROWS
    if name == "missing columns":
        assert summary["kernels"][0]["median_us"] is None and summary["kernels"][0]["bound"].startswith("unknown")
    if name == "nan and inf":
        assert all(v is None for row in parsed["rows"] for k, v in row.items() if k != "name")
    if name == "control chars":
        assert summary["kernels"][0]["name"] == "evil [2J name"


def test_ncu_argv():
    argv = ncu_argv(log_file=Path("/scratch/ncu/ncu.csv"), launch_count=50, ncu=("/opt/cuda/bin/ncu",))
    assert argv[0] == "/opt/cuda/bin/ncu" and "--csv" in argv

    def value(flag):
        return argv[argv.index(flag) + 1]

    assert value("--page") == "raw" and value("--log-file") == "/scratch/ncu/ncu.csv" and value("--target-processes") == "all"
    assert value("--launch-skip") == "0" and value("--launch-count") == "50" and value("--clock-control") == "none"
    assert value("--metrics").split(",") == [
        "gpu__time_duration.sum", "sm__throughput.avg.pct_of_peak_sustained_elapsed", "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed",
        "dram__throughput.avg.pct_of_peak_sustained_elapsed", "sm__warps_active.avg.pct_of_peak_sustained_active",
        "launch__registers_per_thread", "launch__block_size", "launch__grid_size",
    ]
    assert ncu_argv(log_file=Path("x"), launch_count=7)[0] == "ncu"


# -- the pass, with a fake ncu ------------------------------------------------------------------
FAKE_NCU = '''#!{python}
"""A stand-in for ncu: takes its flags, runs the command after them, then writes the log."""
import json, os, subprocess, sys, time
MODE, CSV, SECRET = {mode!r}, {csv!r}, {secret!r}
VALUED = {{"--page", "--print-units", "--clock-control", "--log-file", "--target-processes", "--launch-skip", "--launch-count", "--metrics"}}
args, flags, i = sys.argv[1:], {{}}, 0
while i < len(args) and args[i].startswith("--"):
    if args[i] in VALUED:
        flags[args[i]] = args[i + 1]
        i += 2
    else:
        flags[args[i]] = True
        i += 1
log = flags["--log-file"]
if MODE == "hang":
    time.sleep(600)
code = subprocess.call(args[i:], close_fds=False)  # the worker keeps its channel fd
with open(os.path.join(os.path.dirname(log), "fake-ncu.json"), "w") as fh:
    json.dump({{"flags": flags, "app": args[i:], "app_exit": code}}, fh)
if MODE == "symlink":
    os.symlink(SECRET, log)
    sys.exit(code)
with open(log, "w") as fh:
    fh.write({{"ok": CSV, "garbage": "nothing to see\\n", "fail": "==PROF== Connected\\n==ERROR== ERR_NVGPUCTRPERM - no permission\\n"}}[MODE])
sys.exit(1 if MODE == "fail" else code)
'''


def fake_ncu(tmp_path: Path, mode: str) -> Path:
    secret = tmp_path / "secret.csv"
    secret.write_text(RAW_CSV)
    script = tmp_path / f"fake-ncu-{mode}"
    script.write_text(FAKE_NCU.format(python=sys.executable, mode=mode, csv=RAW_CSV, secret=str(secret)))
    script.chmod(0o755)
    return script


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A supervisor Session of tiny-softmax on the cpu, in this process (workers keep our uid and
    the test process keeps its capabilities)."""
    monkeypatch.setenv("HOTPATH_WORKER_KEEP_UID", "1")
    monkeypatch.setattr(worker_process, "drop_privileges", lambda: None)
    spec = load_challenge("tiny-softmax", roots=challenge_roots([FIXTURES]))
    job = pipeline.GradeJob(slug="tiny-softmax", files={spec.entry_file: HONEST}, device="cpu", roots=[FIXTURES])
    bundle, worker_bundle = pipeline._write_bundles(tmp_path, job, spec, spec.device(kind="cpu"))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    created = Session(job=json.loads((bundle / "private" / "job.json").read_text()), bundle=bundle, worker_bundle=worker_bundle, scratch=scratch)
    yield created
    created._stop_workers()


STATUS = {"status": READABLE, "probe_csv_tail": '"0","1","python","h","k"'}


def test_profile_step_summarizes_the_kernels_of_a_worker_started_under_ncu(session, tmp_path, monkeypatch):
    fake = fake_ncu(tmp_path, "ok")
    monkeypatch.setattr(ncu, "_NCU_CACHE", dict(STATUS))
    monkeypatch.setattr(ncu, "ncu_command", lambda: [str(fake)])
    session.job["graders"] = ["correctness", "profile"]
    started = {}
    real_start = session._start_workers

    def start_and_look():
        real_start()
        started["ncu_worker"] = session.ncu_worker  # there before the candidate's code is loaded

    monkeypatch.setattr(session, "_start_workers", start_and_look)
    result = session.run()
    assert result["verdict"] == "accepted", result["message"]
    assert started["ncu_worker"] is not None and started["ncu_worker"].proc.returncode == 0 and session.ncu_worker is None
    record = json.loads((session.scratch / "ncu" / "fake-ncu.json").read_text())
    assert record["app"][:3] == [sys.executable, "-m", "graders.harness.candidate.worker"] and record["app_exit"] == 0
    assert record["flags"]["--log-file"] == str(session.scratch / "ncu" / "ncu.csv") and record["flags"]["--launch-count"] == "50"
    profile = result["metrics"]["profile"]
    assert profile["ncu"]["status"] == READABLE and profile["ncu"]["probe_csv_tail"] == STATUS["probe_csv_tail"]
    assert profile["ncu"]["kernels"] == KERNELS and profile["ncu"]["kernel_count"] == 4 and profile["ncu"]["launches"] == 7
    method = profile["ncu"]["method"]
    assert "--launch-count 50" in method and "3 calls of" in method and "never change the verdict or the score" in method
    detail = next(c["detail"] for c in result["checks"] if c["name"] == "profile")
    assert detail.endswith("ncu: 4 kernels, top ampere_sgemm_128x64_nn 1234.6 µs compute-bound")
    json.dumps(result, allow_nan=False)


@pytest.mark.parametrize("mode, error", [
    ("fail", "ncu exited with status 1 (==ERROR== ERR_NVGPUCTRPERM - no permission)"),
    ("garbage", "no ncu CSV header (a row naming ID and Kernel Name)"),
    ("symlink", "could not open the ncu log: Too many levels of symbolic links"),
])
def test_a_failed_pass_is_an_error_beside_the_status(session, tmp_path, mode, error):
    ncu_result = run_ncu_pass(session, status=dict(STATUS), command=[str(fake_ncu(tmp_path, mode))])
    assert ncu_result == {**STATUS, "error": error}
    assert json.loads((session.scratch / "ncu" / "fake-ncu.json").read_text())["app_exit"] == 0  # the worker did run


def test_a_hanging_ncu_is_bounded(session, tmp_path, monkeypatch):
    monkeypatch.setattr(ncu, "NCU_TIMEOUT_S", 6.0)
    started = time.monotonic()
    ncu_result = run_ncu_pass(session, status=dict(STATUS), command=[str(fake_ncu(tmp_path, "hang"))])
    assert 5.0 < time.monotonic() - started < 20.0
    assert ncu_result["status"] == READABLE and re.match(r"a call did not finish within [56]\.\d s", ncu_result["error"])


def test_an_ncu_that_cannot_start_is_an_error(session, tmp_path):
    ncu_result = run_ncu_pass(session, status=dict(STATUS), command=[str(tmp_path / "no-such-ncu")])
    assert ncu_result["status"] == READABLE and ncu_result["error"].startswith("could not start a worker under ncu: [Errno 2]")


def test_without_readable_counters_the_status_is_all(session):
    for status in ({"status": "not applicable (cpu)"}, {"status": "installed, counters not permitted (ERR_NVGPUCTRPERM)"}):
        assert run_ncu_pass(session, status=dict(status)) == status
    assert not (session.scratch / "ncu").exists()


def test_profile_step_still_exports_ncu_status():
    from graders.harness.steps.profile import ncu_status

    assert ncu_status is ncu.ncu_status
