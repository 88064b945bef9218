"""The `process` backend: a jailed process tree on this host, for laptops, CI and bare GPU hosts.

Each job runs under `sandbox/jail.py`: new user, mount, PID, network, IPC and UTS
namespaces; a root filesystem built from read-only bind mounts (system libraries, the
Python installation, the job's two bundles) with a size-limited tmpfs as working dir; a
reduced environment; rlimits (core 0, nofile, fsize); memory (with swap) and pids limits
through a cgroup where the host lets us create one (v1 or v2); the whole tree killed at the
wall-time limit. As root, jobs that run `{python} -m|-c` are forked from a template that has
torch imported (`Template`) instead of exec'd. See docs/sandbox.md for what it does and does
not protect against.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sandbox.capped import CappedReader  # noqa: F401 - also docker's
from sandbox.api import INSIDE_BUNDLE, INSIDE_WORK, INSIDE_WORKER_BUNDLE, SandboxJob, SandboxResult, inside_environment, inside_text, server_caps
from sandbox.cgroups import JobCgroup, reap_stale_cgroups
from sandbox.gpus import gpu_slot
from sandbox.python_view import python_view, template_view
from sandbox.registry import register_backend

JAIL = Path(__file__).resolve().parent.parent / "jail.py"
ENV_ALLOW_LIST = ("LANG", "LC_ALL", "TZ", "TRITON_INTERPRET", "OMP_NUM_THREADS")  # never the host's PATH
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
POLL_S = 0.02
SUPERVISOR_CAPS = ["chown", "setuid", "setgid", "kill"]  # workers.drop_privileges keeps only kill
# uid 0 is the supervisor; 65533-65534 are the workers (see graders/harness/worker_process.py)
ROOT_ID_MAP = "0 0 1\n65533 65533 2"
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/opt/conda")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/localtime", "/etc/hosts")
JAIL_FAILED = 125
TEMPLATE_BOOT = ("import sys; p = sys.stdin.readline().strip(); sys.argv = [p, '--template', sys.argv[1]]; "
                 "exec(compile(open(p).read(), p, 'exec'), {'__name__': '__main__', '__file__': p})")


@register_backend
class ProcessBackend:
    name = "process"

    def available(self) -> tuple[bool, str]:
        return jail_available()

    def run(self, job: SandboxJob) -> SandboxResult:
        ok, why = jail_available()
        if not ok:
            return SandboxResult(None, b"", b"", 0.0, 0.0, None, error=f"process sandbox unavailable: {why}")
        workdir = Path(tempfile.mkdtemp(prefix="hotpath-job-"))
        try:
            with gpu_slot(job.gpu):
                return _run_in(workdir, job)
        finally:
            _remove_tree(workdir)


_PROBE: tuple[bool, str] | None = None


def jail_available() -> tuple[bool, str]:
    """Can this host create the namespaces? Probed once per process (about 30 ms), when the
    cgroups that dead processes left behind are also removed."""
    global _PROBE
    if _PROBE is None:
        try:
            reap_stale_cgroups()
        except OSError:
            pass
        probe = SandboxJob(argv=("/bin/true",), bundle=Path("/"))
        with tempfile.TemporaryDirectory(prefix="hotpath-probe-") as tmp:
            config = jail_config(probe, Path(tmp))
            proc = subprocess.run([sys.executable, "-I", "-S", str(JAIL)], input=json.dumps(config).encode(), capture_output=True, timeout=30)
        _PROBE = (True, "") if proc.returncode == 0 else (False, proc.stderr.decode(errors="replace").strip() or f"jail exited {proc.returncode}")
    return _PROBE


def jail_config(job: SandboxJob, workdir: Path) -> dict:
    """What jail.py builds: the read-only view of the host, tmpfs mounts, command and environment."""
    limits = job.limits
    root = workdir / "root"
    root.mkdir(exist_ok=True)
    binds, symlinks = [], {}
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            symlinks[path] = os.readlink(path)
        elif os.path.isdir(path):
            binds.append({"src": path, "dst": path})
    binds += [{"src": f, "dst": f} for f in ETC_FILES if os.path.isfile(f)]
    view = python_view(scratch=workdir / "python-view")
    binds += view.binds
    symlinks.update(view.symlinks)
    if job.bundle != Path("/"):
        binds.append({"src": str(job.bundle), "dst": INSIDE_BUNDLE})
    if job.worker_bundle is not None:
        binds.append({"src": str(job.worker_bundle), "dst": INSIDE_WORKER_BUNDLE})
    devices = []
    if job.gpu is not None:
        devices = _gpu_device_nodes(job.gpu)
        binds.append({"src": "/sys", "dst": "/sys"})
    tmpfs_bytes = limits.tmpfs_mb * 2**20
    return {
        "root": str(root),
        "binds": binds,
        "symlinks": symlinks,
        "devices": devices,
        "tmpfs": [
            {"dst": INSIDE_WORK, "size": tmpfs_bytes, "mode": "0755"},
            {"dst": "/tmp", "size": tmpfs_bytes, "mode": "1777"},
            {"dst": "/dev/shm", "size": tmpfs_bytes, "mode": "1777"},
        ],
        "cwd": INSIDE_WORK,
        "argv": [inside_text(a, python=view.python) for a in job.argv],
        "python": view.python,
        "env": inside_environment(job, allow=ENV_ALLOW_LIST, python=view.python, path=SAFE_PATH),
        "uid_map": ROOT_ID_MAP,
        "gid_map": ROOT_ID_MAP,
        "keep_caps": SUPERVISOR_CAPS,
        "rlimits": {"RLIMIT_CORE": 0, "RLIMIT_NOFILE": limits.nofile, "RLIMIT_FSIZE": tmpfs_bytes},
    }


def _gpu_device_nodes(gpu: int) -> list[str]:
    """Only this GPU's node plus the control nodes: the job sees one device (index 0)."""
    nodes = [f"/dev/nvidia{gpu}", "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"]
    return [n for n in nodes if os.path.exists(n)]


def _run_in(workdir: Path, job: SandboxJob) -> SandboxResult:
    job = dataclasses.replace(job, limits=job.limits.clamped(server_caps()))
    limits = job.limits
    config = jail_config(job, workdir)
    cgroup = JobCgroup(memory_bytes=limits.memory_mb * 2**20, pids=limits.pids)
    has_cgroup = cgroup.create()
    started = time.monotonic()
    template = _TEMPLATE if has_cgroup and _template_fits(config) else None
    try:
        if template is not None and template.lock.acquire(blocking=False):
            try:
                proc = template.start(config, cgroup)
            except (OSError, TemplateError):
                template.lock.release()
                template.close()
                proc = _exec_jail(config, cgroup, has_cgroup)
        else:
            proc = _exec_jail(config, cgroup, has_cgroup)
    except OSError as exc:
        cgroup.remove()
        return SandboxResult(None, b"", b"", 0.0, 0.0, None, error=f"could not start the job: {exc}", backend="process")
    phases = {"start": time.monotonic() - started}
    try:
        return _supervise(proc, job, cgroup if has_cgroup else None, started, phases)
    finally:
        _kill_group(proc.pid)
        if isinstance(proc, TemplateJob):
            proc.wait()
            template.lock.release()
        cgroup.remove()


def _exec_jail(config: dict, cgroup: JobCgroup, has_cgroup: bool) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-I", "-S", str(JAIL)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=cgroup.enter_self if has_cgroup else None,
    )
    proc.stdin.write(json.dumps(config).encode())
    proc.stdin.close()
    return proc


# -- the template: torch imported once, one fork per job -------------------------------------------
class TemplateError(Exception):
    pass


class Template:
    """`jail.py --template`: a long-lived interpreter with torch imported that forks each job's
    jail and runs `python -m graders.harness` in the fork, so a job pays neither the
    supervisor's torch import nor its interpreter teardown. Started on first use, one per
    process; HOTPATH_SANDBOX_TEMPLATE=0 turns it off (every job then execs a fresh jail.py).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.broken = False
        self.scratch: Path | None = None

    def ensure(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        if self.broken:
            raise TemplateError("the template failed before")
        self.close()  # whatever is left of a dead one
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        view = self._view()
        try:
            self.proc = subprocess.Popen(
                # jail.py's path comes on stdin, not argv: every job's /proc/self/cmdline is the template's
                [sys.executable, "-I", "-c", TEMPLATE_BOOT, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                # PASSIVE: OpenMP reads it once, at load; idle threads of one process must not
                # spin on the cores another is being timed on
                # its environment block is what /proc/<pid>/environ of every fork shows: nothing of the host's
                cwd="/", env={"PATH": SAFE_PATH, "OMP_WAIT_POLICY": "PASSIVE"}, start_new_session=True,
            )
            self.proc.stdin.write(os.fsencode(JAIL) + b"\n" + json.dumps(view).encode() + b"\n")
            self.proc.stdin.close()
        finally:
            theirs.close()
        self.sock = ours
        if self._receive(timeout=120).get("ready") is not True:
            self.broken = True
            self.close()
            raise TemplateError("the template did not start")

    def _view(self) -> dict | None:
        """Where the template restarts itself: root only (it needs a mount namespace)."""
        if os.geteuid() != 0:
            return None
        self.scratch = Path(tempfile.mkdtemp(prefix="hotpath-template-"))
        return template_view(scratch=self.scratch, runtime=JAIL.parent, boot=TEMPLATE_BOOT)

    def start(self, config: dict, cgroup: JobCgroup) -> "TemplateJob":
        self.ensure()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            config = {**config, "cgroup_procs": [str(p / "cgroup.procs") for p in cgroup.dirs.values()]}
            socket.send_fds(self.sock, [json.dumps(config).encode()], [out_w, err_w])
        finally:
            os.close(out_w)
            os.close(err_w)
        reply = self._receive(timeout=30)
        if "pid" not in reply:
            raise TemplateError(f"unexpected reply {reply}")
        return TemplateJob(self, reply["pid"], os.fdopen(out_r, "rb", buffering=0), os.fdopen(err_r, "rb", buffering=0))

    def _receive(self, *, timeout: float | None) -> dict:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (OSError, socket.timeout) as exc:
            raise TemplateError(f"the template did not answer: {exc}") from None
        if not data:
            raise TemplateError("the template exited")
        return json.loads(data)

    def close(self) -> None:
        if self.proc is not None:
            _kill_group(self.proc.pid)
            self.proc.wait()
            self.proc = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


class TemplateJob:
    """The Popen-like face of one job forked by the template (its parent reports the status)."""

    def __init__(self, template: Template, pid: int, stdout, stderr) -> None:
        self.template = template
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                reply = self.template._receive(timeout=0.0001)
            except TemplateError:
                if self.template.proc is None or self.template.proc.poll() is not None:
                    self.returncode = JAIL_FAILED  # the template died with the job
                return self.returncode
            if reply.get("pid") == self.pid and "status" in reply:
                self.returncode = reply["status"]
        return self.returncode

    def wait(self, timeout: float = 30.0) -> int | None:
        deadline = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(POLL_S)
        return self.returncode


_TEMPLATE = Template() if os.environ.get("HOTPATH_SANDBOX_TEMPLATE", "1") != "0" else None


def _template_fits(config: dict) -> bool:
    """Only `{python} -m MODULE ...` and `{python} -c CODE ...` run in the template: anything
    else (another interpreter, interpreter options) is exec'd as asked."""
    argv = config["argv"]
    return len(argv) >= 3 and argv[0] == config.get("python") and argv[1] in ("-m", "-c")


def _supervise(proc, job: SandboxJob, cgroup: JobCgroup | None, started: float, phases: dict) -> SandboxResult:
    limits = job.limits
    out = CappedReader(proc.stdout, limits.output_bytes, lines=job.on_stdout_line is not None)
    err = CappedReader(proc.stderr, limits.output_bytes)
    timeout = False
    peak_rss = 0.0
    deadline = started + limits.wall_s
    while proc.poll() is None:
        out.relay(job.on_stdout_line)
        if time.monotonic() > deadline:
            timeout = True
            break
        if out.overflowed or err.overflowed:
            break
        if cgroup is None:
            peak_rss = max(peak_rss, _group_rss_mb(proc.pid))
            if peak_rss > limits.memory_mb:
                break
        time.sleep(POLL_S)
    wall = time.monotonic() - started
    t_teardown = time.monotonic()
    _kill_group(proc.pid)
    if cgroup is not None:
        cgroup.kill_all()
    if isinstance(proc, TemplateJob):
        exit_code, usage = proc.wait(), None
    else:
        _, status, usage = os.wait4(proc.pid, 0) if proc.returncode is None else (0, None, None)
        exit_code = proc.returncode if status is None else os.waitstatus_to_exitcode(status)
        proc.returncode = exit_code
    out.join()
    err.join()
    out.relay(job.on_stdout_line)
    oom = cgroup.oom_killed() if cgroup is not None else peak_rss > limits.memory_mb
    peak = cgroup.peak_memory_mb() if cgroup is not None else peak_rss
    stderr = err.data()
    error = None
    if exit_code == JAIL_FAILED and b"jail:" in stderr:
        error = "the jail could not be set up: " + stderr.decode(errors="replace").strip()[-500:]
    cpu = cgroup.cpu_seconds() if cgroup is not None else None
    if cpu is None and usage is not None:
        cpu = usage.ru_utime + usage.ru_stime
    return SandboxResult(
        exit_code=exit_code,
        stdout=out.data(),
        stderr=stderr,
        wall_s=wall,
        cpu_s=cpu or 0.0,
        peak_memory_mb=peak,
        timeout=timeout,
        oom_killed=oom,
        output_limited=out.overflowed or err.overflowed,
        error=error,
        backend="process",
        phases={**phases, "run": wall - phases.get("start", 0.0), "teardown": time.monotonic() - t_teardown},
    )


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _remove_tree(path: Path) -> None:
    """The jail's mountpoint is empty on the host once the namespace is gone."""
    shutil.rmtree(path, ignore_errors=True)


def _group_rss_mb(pgid: int) -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20
