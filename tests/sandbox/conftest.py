"""Fixtures for the sandbox suites: backends that skip (saying why) where they cannot run,
and a small copy of fused-attention with tight limits, so a hostile submission meets its
limit in seconds rather than minutes."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import sandbox

REPO = Path(__file__).resolve().parents[2]
PROBE_SLUG = "sandbox-probe"
PROBE_LIMITS = {"wall_s": 25, "call_s": 8, "memory_mb": 1024, "output_kb": 256, "pids": 128}


def backend_or_skip(name: str) -> str:
    ok, why = sandbox.get_backend(name).available()
    if not ok:
        pytest.skip(f"{name} backend unavailable here: {why}")
    return name


@pytest.fixture
def root_cgroups() -> None:
    """Memory limits (and OOM verdicts) on the process backend need a cgroup we can create."""
    from sandbox.cgroups import JobCgroup

    if os.geteuid() != 0:
        pytest.skip("needs root: the process backend makes cgroups and splits uids only as root")
    probe = JobCgroup(memory_bytes=64 << 20, pids=16)
    try:
        if not probe.create():
            pytest.skip("this host lets us create no memory cgroup")
    finally:
        probe.remove()


@pytest.fixture(params=["process", pytest.param("docker", marks=pytest.mark.docker)])
def backend(request) -> str:
    return backend_or_skip(request.param)


@pytest.fixture(scope="session")
def probe_root(tmp_path_factory) -> Path:
    """challenges/fused-attention with correctness only, a 25 s wall limit and 8 s per call."""
    root = tmp_path_factory.mktemp("challenges")
    dest = root / PROBE_SLUG
    shutil.copytree(REPO / "challenges" / "fused-attention", dest, ignore=shutil.ignore_patterns("__pycache__", "known_bad"))
    text = (dest / "challenge.toml").read_text()
    text = re.sub(r'^slug = .*$', f'slug = "{PROBE_SLUG}"', text, count=1, flags=re.M)
    text = re.sub(r'^graders = .*$', 'graders = ["correctness"]', text, count=1, flags=re.M)
    text = re.sub(r'^starter_expect = .*$', "", text, flags=re.M)
    limits = ", ".join(f"{k} = {v}" for k, v in PROBE_LIMITS.items())
    cpu_block = text.split("[devices.cpu]", 1)[1].split("\n[", 1)[0]
    new_block = re.sub(r"^limits = .*$", f"limits = {{ {limits} }}", cpu_block, count=1, flags=re.M)
    new_block = re.sub(r"^hidden_shapes = .*$", "hidden_shapes = [[1, 2, 33, 16]]", new_block, count=1, flags=re.M)
    new_block = re.sub(r"^shapes = .*$", "shapes = [[1, 2, 64, 32]]", new_block, count=1, flags=re.M)
    (dest / "challenge.toml").write_text(text.replace(cpu_block, new_block))
    return root
