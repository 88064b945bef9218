"""Running untrusted code under limits. Standard library (and the docker SDK) only; never Django."""
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


__all__ = ["SandboxJob", "SandboxLimits", "SandboxResult", "backend_names", "get_backend", "reap", "register_backend", "run", "server_caps"]
