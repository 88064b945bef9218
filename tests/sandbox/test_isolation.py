"""Class 6 of ANTI_CHEAT.md ("watching the other side") at the sandbox level, per backend, with
raw commands over a bundle that carries the jail runtime (as every pipeline bundle does):
a uid-65534 process sees no process of another uid in /proc, while uid 0 (the supervisor)
still reads its schedstat; the seccomp filter refuses namespaces, mounts and ptrace with
EPERM; PATH is a fixed value, not the host's."""
from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

import sandbox
from sandbox.api import SandboxLimits

PROBE = r'''
import ctypes, json, os, time
libc = ctypes.CDLL(None, use_errno=True)
out = {"caps": [l.split()[1] for l in open("/proc/self/status") if l.startswith(("CapEff", "CapBnd"))], "path": os.environ.get("PATH"), "filtered": [l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0]}
r, w = os.pipe()
child = os.fork()
if child == 0:
    os.close(r)
    if os.geteuid() == 0:
        os.setgroups([]); os.setgid(65534); os.setuid(65534)
        libc.prctl(4, 1, 0, 0, 0)  # dumpable, as the workers are
    me = os.getpid()
    seen = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != me]
    readable = []
    for p in seen:
        try:
            open(f"/proc/{p}/stat").read(); readable.append(p)
        except OSError:
            pass
    ret = libc.unshare(0x10000000)
    userns = "ok" if ret == 0 else os.strerror(ctypes.get_errno())
    ret = libc.syscall(101 if os.uname().machine == "x86_64" else 117, 16, os.getppid(), 0, 0)
    ptrace = "ok" if ret == 0 else os.strerror(ctypes.get_errno())
    os.write(w, json.dumps({"readable": readable, "userns": userns, "ptrace": ptrace}).encode())
    os.close(w)
    end = time.time() + 0.3
    while time.time() < end:
        pass
    os._exit(0)
os.close(w)
data = b""
while chunk := os.read(r, 65536):
    data += chunk
time.sleep(0.1)
tasks = os.listdir(f"/proc/{child}/task")
out["schedstat_ns"] = sum(int(open(f"/proc/{child}/task/{t}/schedstat").read().split()[0]) for t in tasks)
os.waitpid(child, 0)
out.update(json.loads(data))
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def runtime_bundle(tmp_path_factory) -> Path:
    bundle = tmp_path_factory.mktemp("bundle")
    sandbox.ship_runtime(bundle / "lib")
    for path in [bundle, *bundle.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    os.chmod(bundle.parent, 0o755)
    return bundle


def _probe(backend: str, bundle: Path) -> dict:
    job = sandbox.SandboxJob(argv=("{python}", "-c", textwrap.dedent(PROBE)), bundle=bundle,
                             limits=SandboxLimits(wall_s=30, memory_mb=512, pids=64))
    result = sandbox.run(job, backend=backend)
    assert result.exit_code == 0, result
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def test_other_uids_are_invisible_but_the_supervisor_reads_schedstat(backend, runtime_bundle):
    if os.geteuid() != 0:
        pytest.skip("needs root: without it every process of the job shares one uid")
    seen = _probe(backend, runtime_bundle)
    assert seen["readable"] == [], f"uid 65534 could read /proc of: {seen['readable']}"
    assert seen["schedstat_ns"] > 0, seen  # graders/harness/clocks.py's outside clock still works
    assert seen["caps"] == ["00000000000000e1", "00000000000000e1"], seen  # SYS_ADMIN/SETPCAP (docker entry) gone


def test_seccomp_refuses_namespaces_and_ptrace(backend, runtime_bundle):
    seen = _probe(backend, runtime_bundle)
    assert seen["filtered"] == "2", seen
    assert seen["userns"] == os.strerror(1) and seen["ptrace"] == os.strerror(1), seen


def test_path_is_fixed_not_the_hosts(backend, runtime_bundle, monkeypatch):
    monkeypatch.setenv("PATH", "/work/somewhere/bin:" + os.environ.get("PATH", "/usr/bin"))
    seen = _probe(backend, runtime_bundle)
    assert "/work/somewhere" not in seen["path"] and seen["path"].startswith("/usr/local"), seen


def test_the_runtime_is_one_source(tmp_path):
    """The bundle's copy is the very source of sandbox/ (no twin), and the harness has no
    privilege code of its own left."""
    dest = sandbox.ship_runtime(tmp_path)
    here = Path(sandbox.__file__).resolve().parent
    for name in sandbox.RUNTIME_FILES:
        assert (dest / name).read_bytes() == (here / name).read_bytes()
    workers = (here.parent / "graders" / "harness" / "worker_process.py").read_text()
    for twin in ("capset", "_CapHeader", "PR_SET_NO_NEW_PRIVS", "prctl(", "setuid("):
        assert twin not in workers, twin
    shutil.rmtree(dest)
