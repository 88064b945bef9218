"""The supervisor (trusted side of the sandbox): one grading session. It never loads candidate code.

It makes the inputs from a secret seed, computes expected outputs with the package's
float64 oracle, streams inputs to the worker only when they are due, checks every
output with its own comparison code, and writes the one result on its own stdout. The
candidate's stdout and stderr reach it through pipes and end up in the result's `log`.
"""
from __future__ import annotations

import argparse
import ctypes
import hashlib
import itertools
import json
import math
import os
import re
import secrets
import sys
import threading
import time
import traceback
from pathlib import Path

import torch

from graders import verdicts
from graders.harness import steps
from graders.harness.environment import fingerprint
from graders.harness.error_hints import runtime_message
from graders.harness.libraries import SUPERVISOR_LIB, TRUSTED_LIB, WORKER_LIB, supervisor_only
from graders.harness.ncu import early_ncu_worker
from graders.harness.outcome import Outcome
from graders.harness.package import Challenge
from graders.harness.phases import PACKAGE_FAULT, OracleWatchdog, PhaseClock, trusted_answer
from graders.harness.progress import Progress
from graders.harness.worker_process import WorkerProcess

WORKER_ENV_ALLOW = ("PATH", "LANG", "LC_ALL", "CUDA_VISIBLE_DEVICES", "TRITON_INTERPRET", "OMP_NUM_THREADS")


class Session:
    def __init__(self, *, job: dict, bundle: Path, worker_bundle: Path, scratch: Path, progress: Progress | None = None) -> None:
        self.job = job
        self.progress = progress or Progress(None)  # steps report their stage through it (the result channel)
        self.bundle = bundle
        self.worker_bundle = worker_bundle
        self.scratch = scratch
        self.device = torch.device(job["device"])
        self.device_spec = job["device_spec"]
        self.limits = self.device_spec["limits"]
        self.deadline = time.monotonic() + float(self.limits.get("wall_s", 60))
        # never leaves this process; a trusted caller may fix it (GradeJob.seed) to replay a grading
        self.secret = int(job["seed"]) if job.get("seed") is not None else secrets.randbits(62)
        self.phases = PhaseClock(limits=self.limits, device_type=self.device.type)  # time per phase; package faults
        self.challenge = Challenge(package_dir=bundle / "private" / "package", job=job, guard=self.phases.oracle)
        self.write_result = None  # main's: lets the oracle's watchdog end a grading stuck in the package's code
        self.checks: list[dict] = []
        self.flags: list[str] = []
        self.metrics: dict = {"speedup": None, "latency_ms": None}
        self.candidate: WorkerProcess | None = None
        self.baseline: WorkerProcess | None = None
        self.ncu_worker: WorkerProcess | None = None  # the profile step's worker under ncu, where counters are readable
        self.timing_cpus = self._choose_timing_cpus()
        self.worker_lib = bundle / WORKER_LIB
        self.trusted_lib = bundle / TRUSTED_LIB
        self.call_keys = itertools.count(1)  # latency: each sealed call's key index, never reused in a session
        self.candidate_idle_cpu: list = []  # latency: (cpu, wall) of the idle candidate per baseline batch
        self.candidate_watch_mark: tuple | None = None  # latency: (candidate CPU s, monotonic s) at the running baseline batch's start

    # -- what steps ask for ----------------------------------------------------------------
    def seed_for(self, *parts) -> int:
        digest = hashlib.blake2b(repr((self.secret, *parts)).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") >> 2

    def dtypes(self) -> list[str]:
        return list(self.device_spec["tolerance"]["per_dtype"])

    def tolerance(self, dtype: str) -> float:
        return self.device_spec["tolerance"]["per_dtype"][dtype]

    def metric(self) -> str:
        return self.device_spec["tolerance"]["metric"]

    def call_timeout(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise Outcome(verdicts.TIME_LIMIT_EXCEEDED, f"grading took longer than the {self.limits.get('wall_s', 60)} s limit")
        return min(float(self.limits.get("call_s", 30)), remaining)

    def load_timeout(self) -> float:
        """Starting a worker (interpreter, torch import) and importing the candidate's module
        may take up to the whole remaining time: compiling an extension is legitimate."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise Outcome(verdicts.TIME_LIMIT_EXCEEDED, f"grading took longer than the {self.limits.get('wall_s', 60)} s limit")
        return remaining

    def latency_budget_s(self) -> float:
        default = 10.0 if self.device.type == "cuda" else 3.0
        return float(self.device_spec["params"].get("latency_budget_s", default))

    def add_check(self, name: str, status: str, detail: str) -> None:
        self.checks.append({"name": name, "status": status, "detail": detail})

    def answer(self, worker: WorkerProcess, header: dict, tensors=(), *, timeout: float, max_bytes: int = 1 << 20):
        if worker is not self.candidate:
            return trusted_answer(self, worker, header, tensors, timeout=timeout, max_bytes=max_bytes)
        with self.phases.timed("candidate"):
            reply, outs = worker.request(header, tensors, timeout=timeout, max_bytes=max_bytes)
        self.check_answer(reply)
        return reply, outs

    def check_answer(self, reply: dict) -> None:
        hits = reply.get("tripwire") or []
        if hits:
            raise Outcome(verdicts.REJECTED, f"called {', '.join(map(str, hits))}, which this challenge forbids")
        if reply.get("rejected"):
            raise Outcome(verdicts.REJECTED, str(reply["rejected"])[:500])
        if not reply.get("ok"):
            reached = reached_for_grader_code(reply, (self.bundle / SUPERVISOR_LIB, self.trusted_lib))
            if reached:
                raise Outcome(verdicts.REJECTED, f"reached for the grader's own code ({reached}): trusted grading code is not available to submissions")
            raise Outcome(verdicts.RUNTIME_ERROR, runtime_message(reply, device_type=self.device.type), traceback=reply.get("traceback", ""))

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> dict:
        verdict, message = verdicts.ACCEPTED, ""
        watchdog = OracleWatchdog(self.phases, self._abandon) if self.write_result is not None else None
        try:
            if watchdog is not None:
                watchdog.start()
            self.progress("starting")
            self._start_workers()
            self._load_candidate()
            for name in self.job["graders"]:
                step = steps.load_steps().get(name)
                if step is None:
                    raise RuntimeError(f"grader {name!r} has no harness step")
                self.progress(name)
                step(self)
            message = "; ".join(c["detail"] for c in self.checks)
        except Outcome as outcome:
            verdict, message = outcome.verdict, self._with_phases(outcome)
            failed = next((n for n in self.job["graders"] if n not in {c["name"] for c in self.checks}), "harness")
            self.add_check(failed, "fail", message)
        finally:
            if watchdog is not None:
                watchdog.stop()
            self._stop_workers()
        return self._result(verdict, message)

    def _with_phases(self, outcome: Outcome) -> str:
        """The outcome's message; a package fault is flagged, a time limit says where the time went."""
        if outcome.detail.get("package_fault"):
            self.flags.append(PACKAGE_FAULT)
        elif outcome.verdict == verdicts.TIME_LIMIT_EXCEEDED:
            return f"{outcome.message}; {self.phases.summary()}"
        return outcome.message

    def _abandon(self, outcome: Outcome) -> None:
        """The watchdog's end of a grading whose package code runs away: the result now, then exit."""
        self.add_check("harness", "fail", self._with_phases(outcome))
        for worker in (self.candidate, self.baseline, self.ncu_worker):
            if worker is not None:
                worker.kill()
        self.write_result(self._result(outcome.verdict, outcome.message))
        os._exit(0)

    def _result(self, verdict: str, message: str) -> dict:
        self.metrics["environment"] = fingerprint(self.device)
        return {
            "verdict": verdict,
            "message": message,
            "flags": self.flags,
            "checks": self.checks,
            "metrics": self.metrics,
            "log": self.candidate.log.text() if self.candidate else "",
        }

    def worker_env(self) -> dict[str, str]:
        env = {k: os.environ[k] for k in WORKER_ENV_ALLOW if k in os.environ}
        if self.device.type == "cpu":
            # One thread and no spinning: idle OpenMP threads of one worker would steal the
            # cores the other is being timed on.
            env.update({"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE", "MKL_NUM_THREADS": "1"})
        return env

    def output_cap(self) -> int:
        return int(self.limits.get("output_kb", 1024)) * 1024

    def load_header(self) -> dict:
        entry = self.job["entry"]
        return {"op": "load", "file": entry["file"], "callable": entry["callable"], "device": self.job["device"],
                "forbidden_calls": self.job.get("forbidden_calls", []), "cpus": self.timing_cpus}

    def _choose_timing_cpus(self) -> list[int] | None:
        """On the cpu device, latency grading runs the supervisor and both workers on one core
        (`params.pin_cpu`, default on): both sides meet the same core, and a round trip needs no
        cross-core wake-up. Server challenges are not pinned: a server and its load run side by side."""
        params = self.device_spec.get("params", {})
        if self.device.type != "cpu" or "latency" not in self.job["graders"] or not params.get("pin_cpu", True):
            return None
        try:
            cpu = max(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cpu})
        except (OSError, ValueError):
            return None
        # One intra-op thread: a second one would share the one core, and every parallel region
        # (a clone, the float64 oracle) would wait for it to be scheduled there: a 256 KiB clone
        # took 14 ms instead of 3 us, the oracle 72 ms instead of 0.9 ms (2-core host, busy),
        # which left a case's budget for only about 10 rounds.
        torch.set_num_threads(1)
        return [cpu]

    def _start_workers(self) -> None:
        env, cap = self.worker_env(), self.output_cap()
        lib = self.worker_lib  # the worker side only: the supervisor's lib/ is unreadable to the candidate
        self.candidate = WorkerProcess(role="candidate", code_dir=self.worker_bundle, lib_dir=lib, scratch=self.scratch / "candidate", env=env, output_cap=cap)
        wants_baseline = "latency" in self.job["graders"] or ("throughput" in self.job["graders"] and self.job["harness"].get("baseline"))
        if wants_baseline:
            baseline_dir = self.bundle / "private" / "package"
            self.baseline = WorkerProcess(role="baseline", code_dir=baseline_dir, lib_dir=lib, scratch=self.scratch / "baseline", env=env, output_cap=cap)
            file_part, _, attr = self.job["harness"]["baseline"].partition(":")
            cap = {"data_cap_mb": float(self.limits.get("memory_mb", 2048))} if self.device.type == "cpu" else {}
            self.answer(self.baseline, {"op": "load", "file": file_part, "callable": attr, "device": self.job["device"], "cpus": self.timing_cpus, **cap},
                        timeout=self.load_timeout())
        # Before the candidate's code runs anywhere: afterwards no new worker can change uid.
        self.ncu_worker = early_ncu_worker(self)

    def _load_candidate(self) -> None:
        with self.phases.timed("candidate"):
            reply, _ = self.candidate.request(self.load_header(), timeout=self.load_timeout())
        if not reply.get("ok") and reply.get("error_type") in ("SyntaxError", "IndentationError", "TabError"):
            raise Outcome(verdicts.COMPILE_ERROR, f"{reply.get('error_type')} at line {reply.get('line')}: {reply.get('error')}")
        self.check_answer(reply)

    def _stop_workers(self) -> None:
        for worker in (self.candidate, self.baseline, self.ncu_worker):
            if worker is not None:
                worker.close()


_TRUSTED_NAMES = "|".join(sorted(name.removesuffix(".py") for name in supervisor_only(Path(__file__).parent) if name != "__main__.py"))
GRADER_MODULES = re.compile(rf"graders\.harness\.({_TRUSTED_NAMES})\b|cannot import name '({_TRUSTED_NAMES})' from 'graders\.harness'")


def reached_for_grader_code(reply: dict, protected: tuple[Path, ...]) -> str | None:
    """What trusted harness code a failed call tried to import or read, if its error says so
    (an ImportError of a supervisor-only module, an OSError on the supervisor's or the trusted
    worker's library dir). Only the candidate's own error text is read: naming trusted code
    can only turn its runtime error into a rejection."""
    if reply.get("error_type") not in ("ModuleNotFoundError", "ImportError", "PermissionError", "FileNotFoundError", "OSError"):
        return None
    error = reply.get("error", "")
    found = GRADER_MODULES.search(error)
    if found:
        return f"graders.harness.{found.group(1) or found.group(2)}"
    return next((str(path) for path in protected if str(path) in error), None)


def _make_undumpable() -> None:
    """Same-uid processes can then neither ptrace us nor open /proc/<pid>/{mem,fd}."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def finite_only(value):
    """The result with every NaN or infinity made null: JSON has no such numbers, and a database
    refuses them, which would turn a graded submission into a platform error."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_only(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_only(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.harness")
    parser.add_argument("--bundle", type=Path, required=True, help="the supervisor's bundle (lib/, private/)")
    parser.add_argument("--worker-bundle", type=Path, required=True, help="the candidate's files")
    parser.add_argument("--scratch", type=Path, default=Path.cwd(), help="writable dir for the workers")
    args = parser.parse_args(argv)
    _make_undumpable()
    result_channel = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints never land on the result channel
    write_result = ResultOnce(result_channel)
    try:
        job = json.loads((args.bundle / "private" / "job.json").read_text())
        session = Session(job=job, bundle=args.bundle, worker_bundle=args.worker_bundle, scratch=args.scratch, progress=Progress(result_channel))
        session.write_result = write_result
        result = session.run()
    except Exception as exc:  # noqa: BLE001 - the platform failed around the candidate
        traceback.print_exc()
        result = {"verdict": verdicts.INTERNAL_ERROR, "message": f"harness failure: {type(exc).__name__}: {exc}", "flags": [], "checks": [], "metrics": {}, "log": ""}
    write_result(result)
    return 0


class ResultOnce:
    """Writes the one result line (main's, or the oracle watchdog's from its thread: whichever comes first)."""

    def __init__(self, channel) -> None:
        self.channel = channel
        self.lock = threading.Lock()
        self.written = False

    def __call__(self, result: dict) -> None:
        with self.lock:
            if self.written:
                return
            self.written = True
            self.channel.write(json.dumps(finite_only(result), allow_nan=False) + "\n")
            self.channel.flush()
