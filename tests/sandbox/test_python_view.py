"""sandbox/python_view.py: the venv a job sees carries no host path."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sandbox import python_view
from sandbox.python_view import INSIDE_VENV


def _fake_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "checkout" / ".venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    (site / "hotpath-0.1.dist-info").mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "pyvenv.cfg").write_text(
        "home = /opt/python/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n"
        f"command = /opt/python/bin/python3.11 -m venv {venv}\n")
    (site / "__editable__.hotpath-0.1.pth").write_text(f"{tmp_path / 'checkout'}/platform\n")
    (site / "distutils-precedence.pth").write_text("import os\n")
    (site / "hotpath-0.1.dist-info" / "direct_url.json").write_text(f'{{"url": "file://{tmp_path / "checkout"}"}}')
    (site / "six.py").write_text("# nothing of the host\n")
    return venv


def test_pyvenv_cfg_keeps_only_what_the_interpreter_reads(tmp_path):
    venv = _fake_venv(tmp_path)
    reduced = python_view.reduced_pyvenv_cfg(venv / "pyvenv.cfg")
    assert "home = /opt/python/bin" in reduced and "version = 3.11.7" in reduced
    assert "command" not in reduced and str(venv) not in reduced


def test_the_files_that_name_the_checkout_are_found_and_no_others(tmp_path):
    venv = _fake_venv(tmp_path)
    found = {Path(p).name for p in python_view.files_naming(str(venv))}
    assert found == {"__editable__.hotpath-0.1.pth", "direct_url.json"}


def test_a_job_sees_the_venv_at_the_neutral_path(tmp_path, monkeypatch):
    venv = _fake_venv(tmp_path)
    monkeypatch.setattr(sys, "prefix", str(venv))
    view = python_view.python_view(scratch=tmp_path / "scratch")
    assert view.python.startswith(INSIDE_VENV + "/bin/")
    dsts = {b["dst"]: b["src"] for b in view.binds}
    assert dsts[f"{INSIDE_VENV}/lib"] == str(venv / "lib")
    assert "command" not in Path(dsts[f"{INSIDE_VENV}/pyvenv.cfg"]).read_text()
    hidden = [d for d in dsts if d.endswith(".pth") or d.endswith("direct_url.json")]
    assert len(hidden) == 2 and all(Path(dsts[d]).read_bytes() == b"" for d in hidden)
    assert not any(str(venv) in d for d in dsts), "no destination names the host's venv"
    assert set(view.symlinks) >= {f"{INSIDE_VENV}/bin/python3"}


def test_without_a_venv_the_interpreter_is_bound_where_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", sys.base_prefix)
    view = python_view.python_view(scratch=tmp_path / "scratch")
    assert view.python == sys.executable
    assert all(b["src"] == b["dst"] for b in view.binds)


@pytest.mark.parametrize("path", ["/", "/usr", "/usr/local"])
def test_system_directories_are_never_bound_as_the_installation(path, monkeypatch):
    monkeypatch.setattr(sys, "base_prefix", path)
    assert path not in python_view.base_prefixes(venv=None)
