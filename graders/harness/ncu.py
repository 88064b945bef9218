"""Nsight Compute (ncu) in the profile grader: whether counters can be read here, and where
they can, a per-kernel summary of the candidate's kernels.

The summary comes from ONE extra, short-lived candidate worker whose command line is
prefixed with `ncu`. It is started with the other workers, before any candidate code runs
(after that the supervisor can no longer switch a new process to the worker's uid, see
workers.drop_privileges), sits idle until the profile step, then loads the candidate,
stages a few inputs of the first timed case, runs them once each (`run` op) and exits; ncu
then writes its raw CSV page into the worker's scratch dir. That file is written by a
process the candidate controls, so it is read with care (no symlinks, a regular file of
the worker's uid, size-capped) and parsed into bounded strings and finite numbers. The
figures are informational: any failure becomes `{"status": ..., "error": ...}` and nothing
here changes a verdict or a score.
"""
from __future__ import annotations

import csv
import math
import os
import re
import shutil
import stat
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from graders.harness.outcome import Outcome
from graders.harness.package import split_tensors
from graders.harness.worker_process import WorkerProcess

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

READABLE = "counters readable"
NCU_CALLS = 3  # calls of the staged inputs under ncu
LAUNCH_COUNT = 50  # kernel launches profiled, import-time launches included
NCU_TIMEOUT_S = 120.0  # the whole pass: load, calls, ncu writing its log
LOG_NAME = "ncu.csv"
LOG_CAP = 4 << 20
MAX_ROWS = 1000
TOP_KERNELS = 10
NAME_CHARS = 120
# CSV column (an ncu metric) -> key of a parsed row
COLUMNS = {
    "gpu__time_duration.sum": "duration_us",
    "sm__throughput.avg.pct_of_peak_sustained_elapsed": "sm_pct",
    "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed": "memory_pct",
    "dram__throughput.avg.pct_of_peak_sustained_elapsed": "dram_pct",
    "sm__warps_active.avg.pct_of_peak_sustained_active": "occupancy_pct",
    "launch__registers_per_thread": "registers_per_thread",
    "launch__block_size": "block_size",
    "launch__grid_size": "grid_size",
}
TIME_UNITS = {"ns": 1e-3, "nsecond": 1e-3, "us": 1.0, "usecond": 1.0, "\u00b5s": 1.0, "ms": 1e3, "msecond": 1e3, "s": 1e6, "second": 1e6}


class NcuError(Exception):
    """The ncu pass failed; its message goes into `metrics.profile.ncu.error`."""


# -- the command line and its output ------------------------------------------------------------
def ncu_argv(*, log_file: Path, launch_count: int, ncu: Sequence[str] = ("ncu",)) -> list[str]:
    """The prefix that runs a worker under ncu: raw CSV page, base units, into `log_file`.

    `--clock-control none` keeps ncu from locking the GPU's clocks (a killed ncu could leave
    them locked for the gradings that follow on this GPU).
    """
    return [
        *ncu, "--csv", "--page", "raw", "--print-units", "base", "--clock-control", "none",
        "--log-file", str(log_file), "--target-processes", "all",
        "--launch-skip", "0", "--launch-count", str(launch_count), "--metrics", ",".join(COLUMNS),
    ]


def parse_ncu_csv(text: str) -> dict:
    """Rows of ncu's raw CSV page: {"rows": [...], "skipped": n} (plus "error" without a header).

    Tolerant: ==PROF==/==WARNING== lines and the application's own output are ignored, a units
    row (empty ID) sets the time unit, thousands separators are dropped, and a line that does
    not parse, or has the wrong number of fields, or no kernel name, is skipped and counted.
    """
    header: list[str] | None = None
    units: dict[str, str] = {}
    rows: list[dict] = []
    skipped = 0
    for line in text[:LOG_CAP].splitlines():
        if not line.strip() or line.lstrip().startswith("=="):
            continue
        try:
            fields = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            skipped += 1
            continue
        if header is None:
            if "ID" in fields and "Kernel Name" in fields:
                header = fields
            continue
        if len(fields) != len(header):
            skipped += 1
            continue
        record = dict(zip(header, fields))
        if not record["ID"].strip():
            units = {k: v.strip() for k, v in record.items() if v.strip()}
            continue
        row = _parse_row(record, units)
        if row is None:
            skipped += 1
            continue
        rows.append(row)
        if len(rows) >= MAX_ROWS:
            break
    if header is None:
        return {"rows": [], "skipped": skipped, "error": "no ncu CSV header (a row naming ID and Kernel Name)"}
    return {"rows": rows, "skipped": skipped}


def _parse_row(record: dict[str, str], units: dict[str, str]) -> dict | None:
    name = _clean_name(record.get("Kernel Name", ""))
    if not name:
        return None
    row: dict = {"name": name}
    for column, key in COLUMNS.items():
        value = _number(record.get(column))
        if key == "duration_us" and value is not None:
            scale = TIME_UNITS.get(units.get(column, "nsecond"))
            value = None if scale is None else value * scale
        row[key] = value
    row["block_size"] = row["block_size"] if row["block_size"] is not None else _dims(record.get("Block Size"))
    row["grid_size"] = row["grid_size"] if row["grid_size"] is not None else _dims(record.get("Grid Size"))
    return row


def _clean_name(text: str) -> str:
    printable = "".join(c if c.isprintable() else " " for c in text[: NAME_CHARS * 4])
    return " ".join(printable.split())[:NAME_CHARS]


def _number(text: str | None) -> float | None:
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        value = float(text.strip().replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) < 1e15 else None


def _dims(text: str | None) -> float | None:
    """"(256, 1, 1)" -> 256.0, ncu's Block Size / Grid Size columns."""
    match = re.fullmatch(r"\s*\(\s*(\d{1,10})\s*,\s*(\d{1,10})\s*,\s*(\d{1,10})\s*\)\s*", text or "")
    return float(math.prod(int(g) for g in match.groups())) if match else None


# -- the summary -----------------------------------------------------------------------------------
def summarize(rows: list[dict]) -> dict:
    """Per kernel name: launches, total and median µs, mean throughput figures, launch shape, a
    bound hint; the top TOP_KERNELS by total time, plus the number of kernels and launches."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["name"], []).append(row)
    kernels = sorted((_kernel(name, launches) for name, launches in groups.items()), key=lambda k: -k["total_us"])
    return {"kernels": kernels[:TOP_KERNELS], "kernel_count": len(kernels), "launches": len(rows)}


def _kernel(name: str, launches: list[dict]) -> dict:
    durations = [r["duration_us"] for r in launches if r["duration_us"] is not None]
    kernel = {
        "name": name,
        "launches": len(launches),
        "total_us": round(sum(durations), 3),
        "median_us": round(statistics.median(durations), 3) if durations else None,
        **{key: _mean(launches, key) for key in ("sm_pct", "memory_pct", "dram_pct", "occupancy_pct")},
        **{key: _most_common(launches, key) for key in ("registers_per_thread", "block_size", "grid_size")},
    }
    kernel["bound"] = bound_hint(sm_pct=kernel["sm_pct"], memory_pct=kernel["memory_pct"])
    return kernel


def _mean(launches: list[dict], key: str) -> float | None:
    values = [r[key] for r in launches if r[key] is not None]
    return round(statistics.fmean(values), 1) if values else None


def _most_common(launches: list[dict], key: str) -> int | None:
    values = [int(r[key]) for r in launches if r[key] is not None]
    return statistics.mode(values) if values else None


def bound_hint(*, sm_pct: float | None, memory_pct: float | None) -> str:
    if sm_pct is None or memory_pct is None:
        return "unknown (no throughput figures)"
    if memory_pct > sm_pct and memory_pct >= 60:
        return "memory-bound"
    if sm_pct >= memory_pct and sm_pct >= 60:
        return "compute-bound"
    if max(sm_pct, memory_pct) < 40:
        return "latency-bound / underused"
    return "mixed (neither SM nor memory at 60% of peak)"


# -- the pass ------------------------------------------------------------------------------------
def ncu_command() -> list[str]:
    return [shutil.which("ncu") or "ncu"]


def start_ncu_worker(session: "Session", *, command: Sequence[str] | None = None) -> WorkerProcess:
    """A candidate worker under ncu (raises OSError when it cannot be started)."""
    scratch = session.scratch / "ncu"
    prefix = ncu_argv(log_file=scratch / LOG_NAME, launch_count=LAUNCH_COUNT, ncu=command or ncu_command())
    return WorkerProcess(role="ncu worker", code_dir=session.worker_bundle, lib_dir=session.worker_lib, scratch=scratch,
                         env=session.worker_env(), output_cap=session.output_cap(), launch_prefix=prefix)


def early_ncu_worker(session: "Session") -> WorkerProcess | None:
    """Started with the other workers when the profile step will want it and counters are
    readable; if it cannot start, the profile step tries again and reports why."""
    if "profile" not in session.job["graders"] or ncu_status(session.device)["status"] != READABLE:
        return None
    try:
        return start_ncu_worker(session)
    except (OSError, subprocess.SubprocessError):
        return None


def run_ncu_pass(session: "Session", *, status: dict, command: Sequence[str] | None = None) -> dict:
    """`metrics.profile.ncu`: `status` as it is, plus `kernels` and `method`, or `error`.

    Uses the worker `early_ncu_worker` started, else starts one now (`command` stands for `ncu`).
    """
    if status.get("status") != READABLE:
        return status
    try:
        summary = _collect(session, command)
    except NcuError as exc:
        return {**status, "error": str(exc)[:300]}
    return {**status, "kernels": summary["kernels"], "kernel_count": summary["kernel_count"], "launches": summary["launches"],
            "method": method(launches=summary["launches"], case=summary["case"])}


def method(*, launches: int, case: str) -> str:
    flags = " ".join(ncu_argv(log_file=Path(LOG_NAME), launch_count=LAUNCH_COUNT)[1:-2])
    return (f"Nsight Compute (ncu {flags} --metrics <{len(COLUMNS)} metrics>) on a separate candidate worker: the first "
            f"{LAUNCH_COUNT} kernel launches of loading the module and {NCU_CALLS} calls of {case}; {launches} launch(es) "
            "profiled. ncu replays each launch once per metric pass with caches flushed, so its durations differ from "
            "the timed run. The figures come from a process the candidate controls: informational, they never change "
            "the verdict or the score.")


def _collect(session: "Session", command: Sequence[str] | None) -> dict:
    worker, session.ncu_worker = session.ncu_worker, None
    try:
        graders = session.job["graders"]
        remaining = session.deadline - time.monotonic()
        # never the time that graders after this one need
        budget = min(NCU_TIMEOUT_S, remaining / 2 if "profile" in graders and graders[-1] != "profile" else remaining - 5)
        if budget < 5:
            raise NcuError(f"skipped: {max(remaining, 0):.0f} s of the grading time left")
        deadline = time.monotonic() + budget
        if worker is None:
            try:
                worker = start_ncu_worker(session, command=command)
            except (OSError, subprocess.SubprocessError) as exc:
                raise NcuError(f"could not start a worker under ncu: {exc}") from None
        case, specs, tensors = timed_inputs(session, label="ncu", count=NCU_CALLS)
        log_file = session.scratch / "ncu" / LOG_NAME
        _run(worker, session.load_header(), specs, tensors, log_file=log_file, deadline=deadline)
    finally:
        if worker is not None:
            worker.kill()
    parsed = parse_ncu_csv(read_log(log_file, uid=worker.uid))
    summary = summarize(parsed["rows"])
    if not summary["kernels"]:
        raise NcuError(parsed.get("error") or f"ncu reported no kernels ({parsed['skipped']} line(s) skipped)")
    return {**summary, "case": case.name}


def _run(worker: WorkerProcess, load: dict, specs: list[dict], tensors: list, *, log_file: Path, deadline: float) -> None:
    """Load, stage, run each staged set once, exit; then wait for ncu to finish its log."""
    try:
        for header, blobs in ((load, ()), ({"op": "stage", "sets": specs}, tensors), ({"op": "run"}, ())):
            reply, _ = worker.request(header, blobs, timeout=max(deadline - time.monotonic(), 0.1))
            if not reply.get("ok"):
                raise NcuError(f"the candidate's {header['op']} failed under ncu: {reply.get('error_type')}: {reply.get('error')}")
        worker.close(grace_s=max(deadline - time.monotonic(), 0.1))
    except Outcome as outcome:
        raise NcuError(f"{outcome.message}{_complaint(worker, log_file)}") from None
    code = worker.proc.returncode
    if code != 0:
        how = "did not finish in time" if code is None or code < 0 else f"exited with status {code}"
        raise NcuError(f"ncu {how}{_complaint(worker, log_file)}")


def timed_inputs(session: "Session", *, label: str, count: int) -> tuple:
    """`count` input sets of the first timed case, packed for one `stage` op: (case, specs, tensors)."""
    case = next(c for c in session.challenge.cases() if c.timed)
    dtype = session.device_spec["params"].get("timed_dtype", session.dtypes()[0])
    specs, tensors = [], []
    for i in range(count):
        spec, ts = split_tensors(session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for(label, i)))
        specs.append({k: ({"tensor": v["tensor"] + len(tensors)} if isinstance(v, dict) else v) for k, v in spec.items()})
        tensors.extend(ts)
    return case, specs, tensors


def read_log(path: Path, *, uid: int) -> str:
    """The log as written by ncu in the worker's scratch dir: never through a symlink, only a
    regular file owned by the worker's uid, at most LOG_CAP bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise NcuError(f"could not open the ncu log: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != uid:
            raise NcuError("the ncu log is not a regular file of the worker's uid")
        chunks, size = [], 0
        while size < LOG_CAP and (chunk := os.read(fd, min(1 << 20, LOG_CAP - size))):
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


def _complaint(worker: WorkerProcess, log_file: Path) -> str:
    """ncu's first ==ERROR== line, from its log or the worker's output, as a bounded suffix."""
    try:
        text = read_log(log_file, uid=worker.uid)
    except NcuError:
        text = ""
    for line in (text + "\n" + worker.log.text()).splitlines():
        if line.startswith("==ERROR=="):
            return f" ({_clean_name(line)[:200]})"
    return ""


# -- can counters be read here? -----------------------------------------------------------------
_NCU_CACHE: dict | None = None
NCU_PROBE = "import torch; x = torch.ones(1024, device='cuda'); (x * 2).sum().item()"


def ncu_status(device) -> dict:
    """Whether Nsight Compute is installed and can read performance counters on this host.

    `ncu` refuses counters unless the driver allows non-admin profiling (ERR_NVGPUCTRPERM), and
    inside many containers it cannot at all; the probe profiles one trusted kernel and says which.
    """
    global _NCU_CACHE
    if _NCU_CACHE is not None:
        return _NCU_CACHE
    if device.type != "cuda":
        _NCU_CACHE = {"status": "not applicable (cpu)"}
    elif not shutil.which("ncu"):
        _NCU_CACHE = {"status": "not installed"}
    else:
        _NCU_CACHE = _probe_ncu()
    return _NCU_CACHE


def _probe_ncu() -> dict:
    cmd = ["ncu", "--metrics", "gpu__time_duration.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed", "--csv", "--launch-count", "1", sys.executable, "-c", NCU_PROBE]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        return {"status": f"failed to run: {exc}"[:200]}
    text = proc.stdout + proc.stderr
    if "ERR_NVGPUCTRPERM" in text:
        return {"status": "installed, counters not permitted (ERR_NVGPUCTRPERM)"}
    if "gpu__time_duration.sum" in text and proc.returncode == 0:
        return {"status": READABLE, "probe_csv_tail": proc.stdout.strip().splitlines()[-1][:300]}
    return {"status": f"installed, probe failed (exit {proc.returncode})", "output_tail": text.strip()[-300:]}
