"""Process backend, host side: where a job sees the Python installation.

A virtual environment usually lives inside a checkout (`make setup` creates `.venv` in the
repository root), so binding it at its own path would show the candidate the host's layout
through `sys.prefix`, `sys.executable`, every module's `__file__` and `/proc/self/maps`.
A job sees the venv at `INSIDE_VENV` instead:

- its `lib/` (and `lib64/` where it is a directory of its own) bound there, read-only;
- a `pyvenv.cfg` reduced to the keys the interpreter reads (`home`, `version`, ...): the
  `command` line that venv writes names the directory it was created in;
- a `bin/` holding only the interpreter (the venv's activate scripts and console scripts
  name its path);
- the site-packages files that name the venv's parent directory (an editable install's
  `.pth`, its import finder, `direct_url.json`) shown empty.

The base installation the venv was made from is bound at its own path: it is the
interpreter, as /usr is on another host. Without a venv everything is bound where it is.
What remains visible is listed in docs/sandbox.md (a bind mount's source in
`/proc/self/mountinfo`, the bytes of compiled files pip wrote).
"""
from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

INSIDE_VENV = "/sandbox/venv"
INSIDE_RUNTIME = "/sandbox/runtime"  # the template's jail.py, as a package under it
INTERPRETER_NAMES = ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}")
PYVENV_KEYS = ("home", "include-system-site-packages", "version", "executable")
SCANNED_SUFFIXES = (".pth", ".py", ".egg-link", ".json", ".txt")
HOST_BASES = ("/", "/usr", "/usr/local")


@dataclass(frozen=True)
class PythonView:
    """What a jail's root needs for `{python}` to work: binds, symlinks, the interpreter's path."""

    binds: list[dict]
    symlinks: dict[str, str]
    python: str


def venv_dir() -> str | None:
    """The virtual environment this interpreter runs in, or None."""
    return os.path.realpath(sys.prefix) if sys.prefix != sys.base_prefix else None


def python_view(*, scratch: Path) -> PythonView:
    """The view of this interpreter for a job; `scratch` (lives as long as the job) holds the
    reduced pyvenv.cfg and the empty file shown in place of files that name host paths."""
    venv = venv_dir()
    binds = [{"src": p, "dst": p} for p in base_prefixes(venv=venv)]
    if venv is None:
        return PythonView(binds=binds, symlinks={}, python=sys.executable)
    scratch.mkdir(parents=True, exist_ok=True)
    config = scratch / "pyvenv.cfg"
    config.write_text(reduced_pyvenv_cfg(Path(venv) / "pyvenv.cfg"))
    empty = scratch / "empty"
    empty.write_bytes(b"")
    for name in ("lib", "lib64"):
        path = os.path.join(venv, name)
        if os.path.isdir(path) and not os.path.islink(path):
            binds.append({"src": path, "dst": f"{INSIDE_VENV}/{name}"})
    binds.append({"src": str(config), "dst": f"{INSIDE_VENV}/pyvenv.cfg"})
    binds += [{"src": str(empty), "dst": INSIDE_VENV + f[len(venv):]} for f in files_naming(venv)]
    symlinks = {f"{INSIDE_VENV}/lib64": "lib"} if os.path.islink(os.path.join(venv, "lib64")) else {}
    interpreter = os.path.realpath(sys.executable)
    symlinks.update({f"{INSIDE_VENV}/bin/{name}": interpreter for name in INTERPRETER_NAMES})
    return PythonView(binds=binds, symlinks=symlinks, python=f"{INSIDE_VENV}/bin/{INTERPRETER_NAMES[-1]}")


def template_view(*, scratch: Path, runtime: Path, boot: str) -> dict:
    """The view the process backend's template restarts itself in (sandbox/jail.py,
    `enter_template_view`): the host's root plus the venv at INSIDE_VENV and this package at
    INSIDE_RUNTIME, so that what the template imports, and every job forked from it, carries
    no host path. `boot` is the code that starts jail.py's template server."""
    (scratch / "root").mkdir(parents=True, exist_ok=True)
    view = python_view(scratch=scratch / "python-view")
    moved = [b for b in view.binds if b["src"] != b["dst"]]  # the rest is where the host has it
    inside = f"{INSIDE_RUNTIME}/{runtime.name}"
    return {"root": str(scratch / "root"), "binds": [*moved, {"src": str(runtime), "dst": inside}],
            "symlinks": view.symlinks, "python": view.python, "jail": f"{inside}/jail.py", "boot": boot}


def base_prefixes(*, venv: str | None) -> list[str]:
    """The installation(s) the interpreter comes from, outermost only, never /, /usr or the venv."""
    candidates = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    candidates.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    candidates -= {*HOST_BASES, venv}
    return sorted(p for p in candidates if not any(p != q and p.startswith(q + "/") for q in candidates))


def reduced_pyvenv_cfg(path: Path) -> str:
    """pyvenv.cfg with only the keys the interpreter reads."""
    kept = []
    for line in path.read_text().splitlines():
        key = line.partition("=")[0].strip().lower()
        if key in PYVENV_KEYS:
            kept.append(line.strip())
    return "\n".join(kept) + "\n"


@functools.lru_cache(maxsize=4)
def files_naming(venv: str) -> tuple[str, ...]:
    """Small files directly in site-packages, and `*.dist-info` metadata, that name the
    directory the venv lives in (an editable install points into its checkout)."""
    marker = os.path.dirname(venv).encode()
    if marker in (b"", b"/"):
        return ()
    found = []
    for site in Path(venv).glob("lib/python*/site-packages"):
        for path in [*site.iterdir(), *site.glob("*.dist-info/direct_url.json"), *site.glob("*.dist-info/RECORD")]:
            if path.is_file() and not path.is_symlink() and path.suffix in (*SCANNED_SUFFIXES, "") and _names(path, marker):
                found.append(str(path))
    return tuple(sorted(found))


def _names(path: Path, marker: bytes) -> bool:
    try:
        if path.stat().st_size > 4 << 20:
            return False
        return marker in path.read_bytes()
    except OSError:
        return False
