"""Sandbox backends register here by name; the registry checks what it is given."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from sandbox.api import SandboxJob, SandboxResult


@runtime_checkable
class SandboxBackend(Protocol):
    name: str

    def available(self) -> tuple[bool, str]:
        """(usable here?, why not)."""

    def run(self, job: SandboxJob) -> SandboxResult:
        """Run the job to completion under its limits; never raises for candidate behaviour."""


_BACKENDS: dict[str, type] = {}


class RegistryError(Exception):
    pass


def register_backend(cls: type) -> type:
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise RegistryError(f"{cls.__name__}: a backend needs a non-empty `name`")
    for method in ("available", "run"):
        if not callable(getattr(cls, method, None)):
            raise RegistryError(f"{cls.__name__}: a backend must define {method}()")
    if name in _BACKENDS:
        raise RegistryError(f"sandbox backend {name!r} is already registered")
    _BACKENDS[name] = cls
    return cls


def backend_names() -> list[str]:
    _load_builtin_backends()
    return sorted(_BACKENDS)


def get_backend(name: str) -> SandboxBackend:
    _load_builtin_backends()
    try:
        return _BACKENDS[name]()
    except KeyError:
        raise RegistryError(f"unknown sandbox backend {name!r}; known: {', '.join(sorted(_BACKENDS))}") from None


def _load_builtin_backends() -> None:
    # Imported lazily so that importing `sandbox` has no side effects.
    import sandbox.backends.process  # noqa: F401
    try:
        import sandbox.backends.docker  # noqa: F401
    except ImportError:
        pass
