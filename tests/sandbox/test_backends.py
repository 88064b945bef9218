"""The sandbox API on each backend, with raw commands (no harness): one result shape, limits
enforced, the host out of reach. Docker tests talk to the real engine; they skip, saying
why, where none runs."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import sandbox
from sandbox.api import SandboxLimits, server_caps

REPO = Path(__file__).resolve().parents[2]


def run_py(backend: str, code: str, *, bundle: Path | None = None, **limits) -> sandbox.SandboxResult:
    job = sandbox.SandboxJob(
        argv=("{python}", "-c", textwrap.dedent(code)),
        bundle=bundle or REPO / "sandbox" / "images",
        limits=SandboxLimits(**{"wall_s": 30, "memory_mb": 512, "pids": 64, **limits}),
    )
    return sandbox.run(job, backend=backend)


def test_result_shape_and_success(backend):
    result = run_py(backend, "import sys; print('out'); print('err', file=sys.stderr); sum(range(10**6))")
    assert result.error is None, result.error
    assert (result.exit_code, result.stdout, result.stderr) == (0, b"out\n", b"err\n")
    assert 0 < result.wall_s < 30 and result.cpu_s > 0
    assert not (result.timeout or result.oom_killed or result.output_limited)
    assert set(result.as_dict()) >= {"exit_code", "stdout", "stderr", "wall_s", "cpu_s", "peak_memory_mb", "timeout", "oom_killed", "output_limited", "error"}


def test_exit_status_passes_through(backend):
    assert run_py(backend, "raise SystemExit(3)").exit_code == 3


def test_wall_limit_kills_a_loop_that_ignores_sigterm(backend):
    started = time.monotonic()
    result = run_py(backend, "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: pass", wall_s=2)
    assert result.timeout and not result.oom_killed
    assert time.monotonic() - started < 2 + 10


def test_output_cap(backend):
    started = time.monotonic()
    result = run_py(backend, "import os\nwhile True: os.write(1, b'x' * 65536)", output_bytes=100_000)
    assert result.output_limited and len(result.stdout) == 100_000 and not result.timeout
    assert time.monotonic() - started < 15


def test_memory_limit_is_an_oom_kill(backend, request):
    if backend == "process":
        request.getfixturevalue("root_cgroups")
    result = run_py(backend, "hoard = []\nwhile True: hoard.append(b'\\1' * (32 << 20))", memory_mb=256)
    assert result.oom_killed and not result.timeout, result
    assert result.peak_memory_mb is not None and result.peak_memory_mb <= 256 + 8


def test_server_caps_clamp_the_job(backend, request, monkeypatch):
    if backend == "process":
        request.getfixturevalue("root_cgroups")
    monkeypatch.setenv("HOTPATH_SANDBOX_MAX_MEMORY_MB", "192")
    assert server_caps().memory_mb == 192
    result = run_py(backend, "x = b'\\1' * (300 << 20)", memory_mb=2048)
    assert result.oom_killed, result


def test_pids_limit_stops_a_fork_bomb(backend, request):
    if backend == "process":
        request.getfixturevalue("root_cgroups")
    code = """
    import os, time
    made = 0
    for _ in range(500):
        try:
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            made += 1
        except OSError:
            break
    print(made)
    """
    result = run_py(backend, code, pids=32, wall_s=20)
    assert result.exit_code == 0 and int(result.stdout) < 32, result


def test_environment_is_an_allow_list(backend, monkeypatch):
    monkeypatch.setenv("HOTPATH_TEST_SECRET", "do-not-leak")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-leak")
    result = run_py(backend, "import os, json; print(json.dumps(dict(os.environ)))")
    assert b"do-not-leak" not in result.stdout
    assert "HOTPATH_TEST_SECRET" not in result.stdout.decode()


def test_filesystem_is_read_only_but_the_working_dir(backend, tmp_path):
    (tmp_path / "bundle.txt").write_text("bundle")
    code = """
    import os
    for path in ("/usr/x", "/etc/x", "/x", "/sandbox/bundle/x", os.path.join(os.getcwd(), "ok")):
        try:
            open(path, "w").write("x")
            print("wrote", path)
        except OSError as exc:
            print("refused", path, exc.errno)
    print(open("/sandbox/bundle/bundle.txt").read())
    """
    out = run_py(backend, code, bundle=tmp_path).stdout.decode()
    assert out.count("refused") == 4 and out.count("wrote") == 1 and "bundle" in out, out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.txt"]


def test_working_dir_is_size_limited(backend):
    code = """
    try:
        with open("big", "wb") as fh:
            for _ in range(64):
                fh.write(b"\\0" * (1 << 20))
                fh.flush()
        print("wrote 64 MiB")
    except OSError as exc:
        print("stopped", exc.errno)
    """
    result = run_py(backend, code, tmpfs_mb=16)
    # ENOSPC from the tmpfs, or SIGXFSZ from RLIMIT_FSIZE: either way the file stops at 16 MiB
    assert b"wrote 64 MiB" not in result.stdout, result


def test_no_network_to_the_host(backend):
    server = socket.socket()
    server.bind(("0.0.0.0", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    try:
        code = f"""
        import socket
        for host in ("127.0.0.1", "172.17.0.1"):
            try:
                socket.create_connection((host, {port}), timeout=2)
                print("connected", host)
            except OSError as exc:
                print("refused", host)
        """
        result = run_py(backend, code)
        assert b"connected" not in result.stdout and result.stdout.count(b"refused") == 2, result
        with pytest.raises(socket.timeout):
            server.accept()
    finally:
        server.close()


def test_no_process_outlives_the_job(backend):
    token = f"hotpath-orphan-{os.getpid()}-{time.monotonic_ns()}"
    code = f"""
    import os
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["{token}", "300"])
        os._exit(0)
    os.wait()
    print("parent leaves")
    """
    result = run_py(backend, code)
    assert result.stdout == b"parent leaves\n", result
    time.sleep(0.2)
    leftovers = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and token.encode() in (entry / "cmdline").read_bytes():
                leftovers.append(entry.name)
        except OSError:
            pass
    assert leftovers == []


def test_command_cannot_see_or_signal_host_processes(backend):
    code = f"""
    import os, signal
    try:
        os.kill({os.getpid()}, signal.SIGTERM)
        print("signalled")
    except OSError:
        print("refused")
    print(len([p for p in os.listdir("/proc") if p.isdigit()]))
    """
    result = run_py(backend, code)
    refused, visible = result.stdout.decode().split()
    assert refused == "refused" and int(visible) < 10, result


def test_supervisor_capabilities_are_bounded(backend):
    """Uid 0 inside, but only chown, setuid, setgid and kill; no_new_privs set."""
    if os.geteuid() != 0:
        pytest.skip("needs root: without it the job runs as the caller's own uid, with no capabilities to bound")
    code = "print([l.split()[1] for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapBnd', 'NoNewPrivs'))])"
    result = run_py(backend, code)
    assert result.stdout.decode().strip() == "['00000000000000e1', '00000000000000e1', '1']", result


def test_worker_gets_another_uid_and_no_capabilities(backend):
    """What graders/harness/worker_process.py does inside the sandbox: the worker can neither read the
    supervisor's private files nor signal it, and the supervisor keeps only CAP_KILL."""
    if os.geteuid() != 0:
        pytest.skip("needs root: splitting uids needs setuid inside the sandbox")
    bundle = Path(os.environ.get("TMPDIR", "/tmp")) / f"hotpath-uid-test-{os.getpid()}"
    (bundle / "private").mkdir(parents=True, exist_ok=True)
    (bundle / "private" / "secret.txt").write_text("hidden")
    os.chmod(bundle / "private", 0o700)
    lib = bundle / "lib"
    if not lib.exists():
        (lib / "graders").mkdir(parents=True)
        (lib / "graders" / "__init__.py").write_text("")
        import shutil

        shutil.copytree(REPO / "graders" / "harness", lib / "graders" / "harness", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copyfile(REPO / "graders" / "verdicts.py", lib / "graders" / "verdicts.py")  # as write_libraries ships it
        sandbox.ship_runtime(lib)  # what the pipeline ships: the harness imports sandbox.privileges
    for path in [bundle, *lib.rglob("*"), lib]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    code = """
    import os, subprocess, sys
    sys.path.insert(0, "/sandbox/bundle/lib")
    from graders.harness import worker_process as workers
    probe = (
        "import os, signal\\n"
        "out = [str(os.getuid())]\\n"
        "try:\\n    open('/sandbox/bundle/private/secret.txt').read(); out.append('read')\\n"
        "except OSError: out.append('no-read')\\n"
        "try:\\n    os.kill(os.getppid(), signal.SIGTERM); out.append('signalled')\\n"
        "except OSError: out.append('no-signal')\\n"
        "out.append([l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0])\\n"
        "print(' '.join(out))\\n"
    )
    os.mkdir("scratch")
    os.chmod("scratch", 0o711)
    os.chown("scratch", workers.NOBODY, workers.NOBODY)
    worker = subprocess.run([sys.executable, "-c", probe], cwd="scratch", user=workers.NOBODY, group=workers.NOBODY,
                            extra_groups=[], preexec_fn=workers.jail_worker, capture_output=True, text=True)
    workers.drop_privileges()
    caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0]
    print(worker.stdout.strip(), worker.stderr.strip(), caps)
    """
    try:
        result = run_py(backend, code, bundle=bundle)
    finally:
        import shutil

        shutil.rmtree(bundle, ignore_errors=True)
    assert result.stdout.decode().split() == ["65534", "no-read", "no-signal", "0000000000000000", "0000000000000020"], result


# -- docker only: the configuration the engine actually applies -----------------------------------
@pytest.fixture
def engine():
    ok, why = sandbox.get_backend("docker").available()
    if not ok:
        pytest.skip(f"docker backend unavailable here: {why}")
    from sandbox.backends.docker import client

    return client()


def _created(engine, job):
    from sandbox.backends.docker import container_config

    container = engine.containers.create(**container_config(job))
    try:
        return engine.api.inspect_container(container.id)
    finally:
        container.remove(force=True)


@pytest.mark.docker
def test_docker_container_is_hardened(engine, tmp_path):
    job = sandbox.SandboxJob(argv=("{python}", "-c", "pass"), bundle=tmp_path, worker_bundle=tmp_path,
                             limits=SandboxLimits(memory_mb=768, pids=99, cpus=1.5, tmpfs_mb=64, nofile=333))
    info = _created(engine, job)
    host = info["HostConfig"]
    assert host["NetworkMode"] == "none" and host["ReadonlyRootfs"] is True
    assert host["Memory"] == host["MemorySwap"] == 768 * 2**20
    assert host["PidsLimit"] == 99 and host["NanoCpus"] == 1_500_000_000
    assert host["CapDrop"] == ["ALL"] and sorted(host["CapAdd"]) == ["CHOWN", "KILL", "SETGID", "SETUID"]
    assert host["SecurityOpt"] == ["no-new-privileges"]  # and no seccomp=unconfined: the default profile applies
    assert host["Privileged"] is False and host["Init"] is True and host["LogConfig"]["Type"] == "none"
    assert {u["Name"]: (u["Soft"], u["Hard"]) for u in host["Ulimits"]} == {"nofile": (333, 333), "fsize": (64 << 20, 64 << 20), "core": (0, 0)}
    assert "size=64m" in host["Tmpfs"]["/sandbox/work"] and "/tmp" in host["Tmpfs"]
    assert all(m["ReadOnly"] for m in host["Mounts"]) and {m["Target"] for m in host["Mounts"]} == {"/sandbox/bundle", "/sandbox/candidate"}
    assert not host.get("Binds") and not host.get("Devices") and not host.get("DeviceRequests")
    assert info["Config"]["Labels"]["hotpath.sandbox"] == "1"
    assert info["Config"]["Cmd"][:3] == ["timeout", "-s", "KILL"]


@pytest.mark.docker
def test_docker_gpu_job_requests_exactly_its_gpu(engine, tmp_path):
    """What `--gpus device=1` becomes; running it needs the NVIDIA container toolkit (docs/sandbox.md)."""
    job = sandbox.SandboxJob(argv=("{python}", "-c", "pass"), bundle=tmp_path, gpu=1)
    host = _created(engine, job)["HostConfig"]
    requests = host["DeviceRequests"]
    assert len(requests) == 1
    assert requests[0]["DeviceIDs"] == ["1"] and requests[0]["Capabilities"] == [["gpu"]] and requests[0]["Count"] in (0, None)


@pytest.mark.docker
def test_reaper_removes_containers_of_a_killed_worker(engine, tmp_path):
    from sandbox.backends.docker import LABEL, reap_stale

    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(REPO)!r})
        import sandbox
        from pathlib import Path
        sandbox.run(sandbox.SandboxJob(argv=("sleep", "120"), bundle=Path({str(tmp_path)!r})), backend="docker")
    """)
    worker = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        mine = []
        while time.monotonic() < deadline and not mine:
            mine = [c for c in engine.containers.list(filters={"label": LABEL}) if f":{worker.pid}:" in c.labels.get("hotpath.owner", "")]
            time.sleep(0.2)
        assert mine, "the job's container never started"
        os.kill(worker.pid, signal.SIGKILL)  # the grading worker dies mid-job
        worker.wait()
        assert engine.containers.get(mine[0].id).status == "running"
        removed = reap_stale(engine)
        assert mine[0].id in removed
        assert not [c for c in engine.containers.list(all=True, filters={"label": LABEL}) if c.id == mine[0].id]
    finally:
        worker.kill()


def test_gpu_slots_are_exclusive(tmp_path, monkeypatch):
    from sandbox.gpus import GpuBusy, gpu_busy, gpu_slot

    monkeypatch.setenv("HOTPATH_GPU_LOCK_DIR", str(tmp_path))
    order = []
    with gpu_slot(3):
        assert gpu_busy(3) and not gpu_busy(4)
        with pytest.raises(GpuBusy):
            with gpu_slot(3, wait_s=0.3):
                pass

        def second():
            with gpu_slot(3, wait_s=10, poll_s=0.05):
                order.append("second")

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        order.append("first done")
    thread.join(5)
    assert order == ["first done", "second"] and not gpu_busy(3)


def test_process_gpu_job_sees_only_its_device_nodes(tmp_path):
    from sandbox.backends.process import jail_config

    job = sandbox.SandboxJob(argv=("true",), bundle=REPO / "sandbox" / "images", gpu=2)
    config = jail_config(job, tmp_path)
    assert {"src": "/sys", "dst": "/sys"} in config["binds"]
    assert all(not n.startswith("/dev/nvidia") or n in ("/dev/nvidia2", "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools") for n in config["devices"])
    assert "CUDA_VISIBLE_DEVICES" not in config["env"] and "NVIDIA_VISIBLE_DEVICES" not in config["env"]
