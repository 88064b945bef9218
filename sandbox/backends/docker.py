"""The `docker` backend (production): one hardened container per job, through the Docker SDK.

Every container: no network; read-only root filesystem; size-limited tmpfs working dir,
/tmp and /dev/shm; memory limit equal to memory+swap; pids limit; CPU quota; all
capabilities dropped except the four the harness needs to split into two uids (chown,
setuid, setgid, kill: the supervisor drops all but kill before candidate code runs, and
the worker, uid 65534, has none); no-new-privileges; Docker's default seccomp profile;
ulimits (nofile, fsize, core 0); nothing from the host but the two read-only job bundles;
an init process, and a `timeout` inside so that a container outlives no crashed host
process by more than its own wall limit. GPUs come through device requests
(`--gpus device=N`), one job per GPU at a time (sandbox.gpus). Containers carry the label
`hotpath.sandbox` and are always removed; `reap_stale()` removes those whose owner died.
"""
from __future__ import annotations

import dataclasses
import os
import socket
import threading
import time
from pathlib import Path

from sandbox.api import INSIDE_BUNDLE, INSIDE_WORK, INSIDE_WORKER_BUNDLE, SandboxJob, SandboxLimits, SandboxResult, inside_environment, inside_text, server_caps
from sandbox.capped import CappedReader
from sandbox.gpus import gpu_slot
from sandbox.registry import register_backend

try:
    import docker
    from docker.types import DeviceRequest, LogConfig, Mount, Ulimit
except ImportError:  # the backend then reports itself unavailable
    docker = None

LABEL = "hotpath.sandbox"
OWNER_LABEL = "hotpath.owner"
DEFAULT_IMAGE = "hotpath-sandbox:latest"
INSIDE_PYTHON = "/usr/local/bin/hotpath-python"  # made by sandbox/images/Dockerfile
# The entry point comes with the job (sandbox.ship_runtime puts it into the bundle's lib), so it
# is always the code of this checkout, never a copy baked into an image.
ENTRY = f"{INSIDE_BUNDLE}/lib/sandbox/jail.py"
SUPERVISOR_CAPS = ["CHOWN", "SETUID", "SETGID", "KILL"]
# Only for the entry's /proc remount (hidepid) and for dropping capabilities from the bounding
# set: the entry drops both for good before anything of the job runs (sandbox/forkserver.py
# harden_container), and installs the seccomp filter that takes away what Docker's profile
# allows a container holding SYS_ADMIN (unshare, mount, setns...).
ENTRY_CAPS = ["SETPCAP", "SYS_ADMIN"]
ENV_ALLOW_LIST = ("LANG", "LC_ALL", "TZ", "TRITON_INTERPRET")
POLL_S = 0.02
KILL_GRACE_S = 10  # the in-container `timeout` fires this long after our own wall limit


def image_name() -> str:
    return os.environ.get("HOTPATH_SANDBOX_IMAGE", DEFAULT_IMAGE)


def client():
    return docker.from_env(timeout=60)


@register_backend
class DockerBackend:
    name = "docker"

    def available(self) -> tuple[bool, str]:
        if docker is None:
            return False, "the docker SDK is not installed"
        try:
            engine = client()
            engine.ping()
        except Exception as exc:  # noqa: BLE001 - any failure means "no engine here"
            return False, f"no Docker engine answers ({type(exc).__name__}: {exc})"
        try:
            engine.images.get(image_name())
        except Exception:  # noqa: BLE001
            return False, f"image {image_name()} is missing: run scripts/build_sandbox_image.sh"
        return True, ""

    def run(self, job: SandboxJob) -> SandboxResult:
        if docker is None:
            return _failed("the docker SDK is not installed")
        job = dataclasses.replace(job, limits=job.limits.clamped(server_caps()))
        try:
            engine = client()
            _reap_once(engine)
        except Exception as exc:  # noqa: BLE001
            return _failed(f"no Docker engine: {type(exc).__name__}: {exc}")
        with gpu_slot(job.gpu):
            return _run(engine, job)


def _failed(why: str) -> SandboxResult:
    return SandboxResult(None, b"", b"", 0.0, 0.0, None, error=why, backend="docker")


# -- the container's configuration ------------------------------------------------------------------
def container_config(job: SandboxJob, *, image: str | None = None) -> dict:
    """Keyword arguments for `client.containers.create`: every hardening option in one place."""
    limits: SandboxLimits = job.limits
    user = "0:0" if os.geteuid() == 0 else f"{os.getuid()}:{os.getgid()}"
    mounts = [Mount(target=INSIDE_BUNDLE, source=str(job.bundle), type="bind", read_only=True)]
    if job.worker_bundle is not None:
        mounts.append(Mount(target=INSIDE_WORKER_BUNDLE, source=str(job.worker_bundle), type="bind", read_only=True))
    tmpfs_size = f"{limits.tmpfs_mb}m"
    hardened = has_entry(job)
    config = {
        "image": image or image_name(),
        "command": ["timeout", "-s", "KILL", str(int(limits.wall_s + KILL_GRACE_S)), *_command(job.argv, hardened)],
        "user": user,
        "working_dir": INSIDE_WORK,
        "environment": _environment(job),
        "labels": {LABEL: "1", OWNER_LABEL: owner_id(), "hotpath.job": job.label},
        "hostname": "hotpath",
        "network_mode": "none",
        "read_only": True,
        "tmpfs": {
            INSIDE_WORK: f"rw,exec,nosuid,nodev,size={tmpfs_size},mode=755",
            "/tmp": f"rw,exec,nosuid,nodev,size={tmpfs_size},mode=1777",
        },
        "shm_size": tmpfs_size,
        "ipc_mode": "private",
        "mem_limit": f"{limits.memory_mb}m",
        "memswap_limit": f"{limits.memory_mb}m",
        "pids_limit": limits.pids,
        "nano_cpus": int(limits.cpus * 1e9),
        "cap_drop": ["ALL"],
        "cap_add": (SUPERVISOR_CAPS + (ENTRY_CAPS if hardened else [])) if user == "0:0" else [],
        "security_opt": ["no-new-privileges"],
        "ulimits": [
            Ulimit(name="nofile", soft=limits.nofile, hard=limits.nofile),
            Ulimit(name="fsize", soft=limits.tmpfs_mb * 2**20, hard=limits.tmpfs_mb * 2**20),
            Ulimit(name="core", soft=0, hard=0),
        ],
        "mounts": mounts,
        "init": True,
        "log_config": LogConfig(type="none"),  # output is read through attach, capped; nothing lands on disk
        "stdin_open": False,
        "detach": True,
    }
    if job.gpu is not None:
        config["device_requests"] = [DeviceRequest(device_ids=[str(job.gpu)], capabilities=[["gpu"]])]
        config["environment"]["NVIDIA_DRIVER_CAPABILITIES"] = "compute,utility"
    return config


def has_entry(job: SandboxJob) -> bool:
    """Whether the job's bundle carries the jail runtime (every pipeline job does)."""
    return job.bundle is not None and (Path(job.bundle) / "lib" / "sandbox" / "jail.py").is_file()


def _command(argv, hardened: bool = False) -> list[str]:
    """With the runtime in the bundle, every command goes through its entry point, which hardens
    the container first (/proc hidepid, capabilities, seccomp); `{python} -m MODULE ...` (the
    harness) then runs in the entry's interpreter: one torch import for the supervisor and its
    workers, no interpreter teardown. Without it (raw commands), the command runs as given."""
    argv = [inside_text(a, python=INSIDE_PYTHON) for a in argv]
    if not hardened:
        return argv
    if len(argv) >= 3 and argv[0] == INSIDE_PYTHON and argv[1] == "-m" and os.environ.get("HOTPATH_SANDBOX_TEMPLATE", "1") != "0":
        return [INSIDE_PYTHON, "-I", ENTRY, "--entry", *argv[1:]]
    return [INSIDE_PYTHON, "-I", ENTRY, "--entry", "--exec", *argv]


def _environment(job: SandboxJob) -> dict[str, str]:
    # The host's PATH is not allowed through: inside the image, the image's PATH.
    return inside_environment(job, allow=ENV_ALLOW_LIST, python=INSIDE_PYTHON, path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")


# -- one run ----------------------------------------------------------------------------------------
def _run(engine, job: SandboxJob) -> SandboxResult:
    limits = job.limits
    phases: dict[str, float] = {}
    t0 = time.monotonic()
    container = None
    try:
        container = engine.containers.create(**container_config(job))
        out = CappedReader(_NullStream(), limits.output_bytes, lines=job.on_stdout_line is not None)
        err = CappedReader(_NullStream(), limits.output_bytes)
        stream = container.attach(stdout=True, stderr=True, stream=True, logs=False, demux=True)
        pump = threading.Thread(target=_pump, args=(stream, out, err), daemon=True)
        pump.start()
        container.start()
        started = time.monotonic()
        phases["start"] = started - t0
        state = _watch(engine, container, job, out, err, started)
        pump.join(timeout=5)
        out.relay(job.on_stdout_line)
        phases["run"] = time.monotonic() - started
    except Exception as exc:  # noqa: BLE001 - the platform failed, not the candidate
        return SandboxResult(None, b"", b"", time.monotonic() - t0, 0.0, None, error=f"docker: {type(exc).__name__}: {exc}", backend="docker", phases=phases)
    finally:
        t_remove = time.monotonic()
        if container is not None:
            _remove(container)
        phases["teardown"] = time.monotonic() - t_remove
    return SandboxResult(
        exit_code=state["exit_code"],
        stdout=out.data(),
        stderr=err.data(),
        wall_s=state["wall"],
        cpu_s=state["cpu"] or 0.0,
        peak_memory_mb=state["peak"],
        timeout=state["timeout"],
        oom_killed=state["oom"],
        output_limited=out.overflowed or err.overflowed,
        error=state["error"],
        backend="docker",
        phases=phases,
    )


def _watch(engine, container, job: SandboxJob, out: CappedReader, err: CappedReader, started: float) -> dict:
    """Wait for the container; kill it at the wall limit or when output overflows."""
    done = threading.Event()
    waited: dict = {}

    def wait() -> None:
        try:
            waited["status"] = container.wait(timeout=job.limits.wall_s + 3 * KILL_GRACE_S)
        except Exception as exc:  # noqa: BLE001
            waited["error"] = exc
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    cgroup = _ContainerCgroup(container.id)
    deadline = started + job.limits.wall_s
    timeout = False
    # Sampled often at first: a short job's cgroup (its CPU time) is gone the moment it exits.
    while not done.wait(POLL_S if time.monotonic() - started > 0.2 else 0.002):
        out.relay(job.on_stdout_line)
        cgroup.sample()
        if time.monotonic() > deadline:
            timeout = True
            break
        if out.overflowed or err.overflowed:
            break
    if not done.is_set():
        _kill(container)
        done.wait(15)
    wall = time.monotonic() - started
    cgroup.sample()
    state = engine.api.inspect_container(container.id)["State"]
    error = None
    if "error" in waited:
        error = f"waiting for the container failed: {waited['error']}"
    elif state.get("Error"):
        error = f"the container could not run: {state['Error']}"
    return {
        "exit_code": state.get("ExitCode"),
        "oom": bool(state.get("OOMKilled")) or cgroup.oom_killed(),
        "timeout": timeout,
        "wall": wall,
        "cpu": cgroup.cpu_s,
        "peak": cgroup.peak_mb,
        "error": error,
    }


def _pump(stream, out: CappedReader, err: CappedReader) -> None:
    try:
        for stdout_chunk, stderr_chunk in stream:
            if stdout_chunk:
                out.feed(stdout_chunk)
            if stderr_chunk:
                err.feed(stderr_chunk)
    except Exception:  # noqa: BLE001 - the stream ends however the container ends
        pass


class _NullStream:
    """CappedReader drains a stream on a thread; here the attach pump feeds it instead."""

    def read1(self, _n: int) -> bytes:
        return b""

    def close(self) -> None:
        pass


def _kill(container) -> None:
    try:
        container.kill()
    except Exception:  # noqa: BLE001 - already gone
        pass


def _remove(container) -> None:
    for _ in range(3):
        try:
            container.remove(force=True, v=True)
            return
        except Exception as exc:  # noqa: BLE001
            if getattr(exc, "status_code", None) == 404:
                return
            time.sleep(0.5)


class _ContainerCgroup:
    """Peak memory, CPU time and OOM kills read from the container's cgroup on the host."""

    def __init__(self, container_id: str) -> None:
        self.container_id = container_id
        self.memory = self.cpuacct = self.unified = None
        self._locate()
        self.peak_mb: float | None = None
        self.cpu_s: float | None = None
        self._oom = False

    def _locate(self) -> None:
        self.memory = _find_cgroup("memory", self.container_id)
        self.cpuacct = _find_cgroup("cpuacct", self.container_id)
        self.unified = _find_cgroup("", self.container_id)

    def sample(self) -> None:
        if self.memory is None and self.cpuacct is None and self.unified is None:
            self._locate()  # the engine may create the cgroup a moment after the container starts
        try:
            if self.memory is not None:
                self.peak_mb = int((self.memory / "memory.max_usage_in_bytes").read_text()) / 2**20
                self._oom = self._oom or "oom_kill 0" not in (self.memory / "memory.oom_control").read_text()
            if self.cpuacct is not None:
                self.cpu_s = int((self.cpuacct / "cpuacct.usage").read_text()) / 1e9
            if self.unified is not None:
                peak = self.unified / "memory.peak"
                current = int(((peak if peak.exists() else self.unified / "memory.current")).read_text()) / 2**20
                self.peak_mb = max(self.peak_mb or 0.0, current)
                for line in (self.unified / "cpu.stat").read_text().splitlines():
                    if line.startswith("usage_usec "):
                        self.cpu_s = int(line.split()[1]) / 1e6
                for line in (self.unified / "memory.events").read_text().splitlines():
                    if line.startswith("oom_kill ") and int(line.split()[1]) > 0:
                        self._oom = True
        except (OSError, ValueError):
            pass  # the cgroup goes away with the container

    def oom_killed(self) -> bool:
        return self._oom


def _find_cgroup(controller: str, container_id: str) -> Path | None:
    base = Path("/sys/fs/cgroup") / controller if controller else Path("/sys/fs/cgroup")
    if not controller and not (base / "cgroup.controllers").exists():
        return None
    for rel in (f"docker/{container_id}", f"system.slice/docker-{container_id}.scope"):
        if (base / rel).is_dir():
            return base / rel
    return None


# -- the reaper -------------------------------------------------------------------------------------
_REAPED = False
_REAP_LOCK = threading.Lock()


def owner_id(pid: int | None = None) -> str:
    """host:pid:start-time of a process, so that a reused pid is not mistaken for the owner."""
    pid = pid or os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def _start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def _owner_alive(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    if host != socket.gethostname():
        return True  # another machine's container: its own reaper deals with it
    pid, _, start = rest.partition(":")
    try:
        return pid.isdigit() and _start_time(int(pid)) == start and start != "?"
    except ValueError:
        return False


def reap_stale(engine=None) -> list[str]:
    """Remove every hotpath container whose owning process on this host is gone.

    Run at worker start (and by each process before its first docker job): a worker killed
    mid-job leaves its container behind, which this removes. Returns the removed ids.
    """
    engine = engine or client()
    removed = []
    for container in engine.containers.list(all=True, filters={"label": LABEL}):
        if _owner_alive(container.labels.get(OWNER_LABEL, "")):
            continue
        _remove(container)
        removed.append(container.id)
    return removed


def _reap_once(engine) -> None:
    global _REAPED
    with _REAP_LOCK:
        if not _REAPED:
            reap_stale(engine)
            _REAPED = True
