"""Running untrusted code under limits. Standard library (and the docker SDK) only; never Django."""
import os
import shutil
from pathlib import Path

from sandbox.api import SandboxJob, SandboxLimits, SandboxResult, server_caps
from sandbox.registry import backend_names, get_backend, register_backend


def run(job: SandboxJob, *, backend: str = "process") -> SandboxResult:
    return get_backend(backend).run(job)


def reap() -> list[str]:
    """Remove sandbox containers left by dead workers on this host; call it when a grading
    worker starts. Returns the removed container ids ([] where no Docker engine answers)."""
    try:
        from sandbox.backends.docker import client, reap_stale

        engine = client()
        engine.ping()
    except Exception:  # noqa: BLE001 - no SDK or no engine: nothing to reap
        return []
    return reap_stale(engine)


# The jail's runtime: standard library only, the one source of the privilege-dropping, seccomp
# and fork-server code, shipped into each job's bundle as the package `sandbox` (lib/sandbox/).
# The harness imports sandbox.privileges from there; the docker backend runs jail.py from there.
RUNTIME_FILES = ("jail.py", "forkserver.py", "privileges.py", "seccomp.py")
RUNTIME_DIR = "sandbox"  # under a bundle's lib/


def ship_runtime(lib: Path) -> Path:
    """Copy the runtime into `lib`/sandbox (with an empty __init__.py); returns that folder."""
    dest = Path(lib) / RUNTIME_DIR
    dest.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    for name in RUNTIME_FILES:
        shutil.copyfile(here / name, dest / name)
        os.chmod(dest / name, 0o644)
    (dest / "__init__.py").write_text("")
    os.chmod(dest / "__init__.py", 0o644)
    os.chmod(dest, 0o755)
    return dest


__all__ = ["RUNTIME_FILES", "ship_runtime", "SandboxJob", "SandboxLimits", "SandboxResult", "backend_names", "get_backend", "reap", "register_backend", "run", "server_caps"]
