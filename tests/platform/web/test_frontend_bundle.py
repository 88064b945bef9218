"""The committed editor bundle is what frontend/ builds: a fresh `scripts/build_frontend.sh`
(npm ci from the lockfile, then esbuild) into a temporary folder gives the same bytes. Skips,
saying why, where npm is not installed; `make run` itself never needs Node."""
import shutil
import subprocess

import pytest

from tests.conftest import REPO_ROOT

BUNDLE = REPO_ROOT / "platform" / "web" / "static" / "web" / "editor.bundle.js"


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (Debian: apt-get install npm); the committed bundle is not rebuilt")
def test_a_fresh_build_matches_the_committed_bundle(tmp_path):
    built = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "build_frontend.sh"), str(tmp_path)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    fresh = (tmp_path / "editor.bundle.js").read_bytes()
    assert fresh == BUNDLE.read_bytes(), ("platform/web/static/web/editor.bundle.js is not what frontend/ builds: "
                                          "run scripts/build_frontend.sh and commit the bundle")


def test_the_bundle_is_committed_with_the_editor_in_it():
    text = BUNDLE.read_text(encoding="utf-8")
    assert text.startswith("/* Hotpath editor: CodeMirror 6")
    for needle in ("data-editor", "X-CSRFToken", "Mod-Enter", "cm-editor"):  # the page's contract, CSRF, keyboard submit, CodeMirror
        assert needle in text, needle
