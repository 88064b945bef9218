"""Which harness files each process may import: three library dirs in the bundle.

- ``lib/`` (the supervisor's): the whole harness. Mode 0700, owned by the supervisor's uid:
  the candidate's uid can neither import nor read it (ANTI_CHEAT.md, "reusing the grader":
  trusted measuring and checking code is not an answer).
- ``worker_lib/`` (every worker's PYTHONPATH): only the worker side, i.e. the packages
  `graders/harness/candidate/` and `graders/harness/shared/` (`WORKER_PACKAGES`), world-readable.
  Their imports are followed in the source: one that reaches supervisor-side code (anything
  else in graders/harness, or graders/ outside it) is refused when the bundle is made.
- ``trusted_lib/``: code only the trusted benchmark worker loads (`TRUSTED_FILES`). Owned by
  the supervisor's uid and group `TRUSTED_WORKER_UID`, mode 0750: readable by a trusted worker
  running as the supervisor's uid or as 65533, never by the candidate (65534). Where the bundle
  writer cannot chown (not root), it is 0700 and the workers share one uid anyway (no isolation
  between them is claimed there: docs/sandbox.md).

Runs on the platform side (graders.pipeline, when it writes a bundle; standard library only,
no torch) and in the supervisor (which reads the library names).
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

SUPERVISOR_LIB = "lib"
WORKER_LIB = "worker_lib"
TRUSTED_LIB = "trusted_lib"
TRUSTED_WORKER_UID = 65533
WORKER_PACKAGES = ("candidate", "shared")  # the worker side: every module under these, and only these
TRUSTED_FILES = ("bench_measure.py",)
_NOT_A_SIDE = {"__init__.py", "__pycache__"}


class LibraryError(RuntimeError):
    """A worker-side module imports supervisor-only code: the bundle is not made."""


def supervisor_only(harness_dir: Path) -> frozenset[str]:
    """The top-level names of the harness (files and folders) outside the worker packages:
    the supervisor's, never in the workers' library."""
    return frozenset(p.name for p in harness_dir.iterdir() if p.name not in _NOT_A_SIDE and p.name not in WORKER_PACKAGES
                     and (p.is_dir() or p.suffix == ".py"))


def worker_side_files(harness_dir: Path) -> list[str]:
    """The harness files (names relative to `harness_dir`) of the worker side: every module of
    `WORKER_PACKAGES`, and what they import (followed in the source), which must stay inside them."""
    todo = [p.relative_to(harness_dir).as_posix() for package in WORKER_PACKAGES for p in sorted((harness_dir / package).rglob("*.py"))]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name.split("/")[0] not in WORKER_PACKAGES:
            raise LibraryError(f"the worker side imports graders/harness/{name}, which only the supervisor may load")
        seen.add(name)
        todo.extend(_harness_imports(harness_dir / name, harness_dir))
    return sorted(seen | {"__init__.py"})


def _harness_imports(path: Path, harness_dir: Path) -> list[str]:
    names = []
    for module in imported_modules(path):
        if module.startswith("graders.harness."):
            names.append(_file_of(module.removeprefix("graders.harness."), harness_dir))
        elif module.startswith("graders.") and module.split(".")[1] != "harness":
            raise LibraryError(f"{path.name} imports {module}: the workers' library holds graders/harness/ only")
    return [n for n in names if n]


def imported_modules(path: Path) -> list[str]:
    """Every module an import statement of `path` names (absolute imports; `from m import n` gives m and m.n)."""
    modules = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            modules += [a.name for a in node.names]
    return modules


def _file_of(dotted: str, harness_dir: Path) -> str | None:
    parts = dotted.split(".")
    if (harness_dir / Path(*parts)).is_dir():
        return "/".join(parts) + "/__init__.py" if parts[0] in WORKER_PACKAGES else parts[0]
    file = "/".join(parts) + ".py"
    if (harness_dir / file).is_file():
        return file
    return None  # `from graders.harness.x import name`: the name, not a module


def seal(path: Path, *, mode_dir: int, mode_file: int, gid: int | None = None) -> None:
    """Set modes (and the group, where we may) on a library tree."""
    for item in [path, *path.rglob("*")]:
        os.chmod(item, mode_dir if item.is_dir() else mode_file)
        if gid is not None:
            os.chown(item, -1, gid)


def can_chown() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def write_libraries(bundle: Path, harness_src: Path, kernels_src: Path | None = None) -> None:
    """Lay out the three library dirs of a bundle (see the module docstring)."""
    import shutil

    ignore = shutil.ignore_patterns("__pycache__")
    supervisor, worker, trusted = bundle / SUPERVISOR_LIB, bundle / WORKER_LIB, bundle / TRUSTED_LIB
    shutil.copytree(harness_src, supervisor / "graders" / "harness", ignore=ignore)
    for name in worker_side_files(harness_src):
        (worker / "graders" / "harness" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(harness_src / name, worker / "graders" / "harness" / name)
    for lib in (supervisor, worker):
        (lib / "graders" / "__init__.py").write_text("")
    # The verdict names (one source: graders/verdicts.py, standard library only) for the supervisor.
    shutil.copyfile(harness_src.parent / "verdicts.py", supervisor / "graders" / "verdicts.py")
    for lib in (supervisor, worker):
        if kernels_src is not None and kernels_src.is_dir():  # reference solutions may import kernels/
            shutil.copytree(kernels_src, lib / "kernels", ignore=ignore)
    trusted.mkdir(parents=True)
    for name in TRUSTED_FILES:
        shutil.copyfile(harness_src / name, trusted / name)
    seal(worker, mode_dir=0o755, mode_file=0o644)
    seal(supervisor, mode_dir=0o700, mode_file=0o600)
    if can_chown():
        seal(trusted, mode_dir=0o750, mode_file=0o640, gid=TRUSTED_WORKER_UID)
    else:
        seal(trusted, mode_dir=0o700, mode_file=0o600)
