"""Running untrusted code under limits. Standard library (and the docker SDK) only; never Django."""
from sandbox.api import SandboxJob, SandboxLimits, SandboxResult
from sandbox.registry import backend_names, get_backend, register_backend


def run(job: SandboxJob, *, backend: str = "process") -> SandboxResult:
    return get_backend(backend).run(job)


__all__ = ["SandboxJob", "SandboxLimits", "SandboxResult", "backend_names", "get_backend", "register_backend", "run"]
