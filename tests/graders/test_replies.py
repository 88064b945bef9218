"""Worker replies are checked field by field before supervisor code reads them
(graders/harness/replies.py), and the worker side has a library of its own without trusted
code (graders/harness/libraries.py)."""
from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graders.harness import libraries, replies

HARNESS = Path(__file__).resolve().parents[2] / "graders" / "harness"


@pytest.mark.parametrize("header", [
    {"ok": "yes"}, {"t": -1}, {"t": "fast"}, {"t": 10**30}, {"t": True}, {"times_ns": [1, "2"]}, {"mode": {"graph": 1}},
    {"mode": "turbo"}, {"tripwire": {"a": 1}}, {"tripwire": [1]}, {"line": "12"}, {"outputs": "tensor"}, {"outputs": [1]},
    {"outputs": [{"type": 3}]}, {"id": [1]}, {"id": 1.5}, {"error": 3}, {"summary": []}, {"inputs_after": -1}, [],
])
def test_malformed_fields_are_refused(header):
    with pytest.raises(replies.ReplyError):
        replies.checked(header, [])


def test_good_replies_pass_and_text_is_capped():
    reply = replies.checked({"ok": False, "error_type": "E" * 5000, "error": "x" * 10**6, "line": None, "tripwire": ["torch.softmax"]}, [])
    assert len(reply["error"]) == replies.TEXT_CAP and len(reply["error_type"]) == replies.NAME_CAP
    assert replies.checked({"ok": True, "t": 5, "mode": "graph", "outputs": [{"type": "tensor", "device": "cpu"}]}, [object()])["t"] == 5
    assert replies.checked({"op": "ended", "unanswered": 0, "close_error": None}, [])["close_error"] is None


def test_the_tensor_count_must_match_what_the_reply_announces():
    with pytest.raises(replies.ReplyError):
        replies.checked({"ok": True, "outputs": [{"type": "tensor", "device": "cpu"}], "inputs_after": 2}, [object()])
    replies.checked({"ok": True, "outputs": [{"type": "NoneType"}], "inputs_after": 1}, [object()])


def test_every_field_the_worker_side_sends_has_a_rule():
    sent = set()
    for name in ("candidate/worker.py", "candidate/serving.py"):
        for node in ast.walk(ast.parse((HARNESS / name).read_text())):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                if keys & {"ok", "op"} and not keys & {"kwargs", "sets", "argv"}:
                    sent |= keys
    assert sent - set(replies.RULES) - {"tensors"} == set()


def test_the_worker_side_library_holds_no_trusted_code():
    files = libraries.worker_side_files(HARNESS)
    assert {"candidate/worker.py", "shared/channel.py", "shared/cipher.py", "candidate/profiling.py", "candidate/serving.py",
            "candidate/bench_variants.py"} <= set(files)
    assert {f.split("/")[0] for f in files} == {"candidate", "shared", "__init__.py"}
    assert not {f.split("/")[0] for f in files} & libraries.supervisor_only(HARNESS)
    assert {"supervisor.py", "worker_process.py", "outcome.py", "steps", "bench_measure.py"} <= libraries.supervisor_only(HARNESS)


def test_a_worker_module_importing_trusted_code_is_refused(tmp_path):
    (tmp_path / "candidate").mkdir()
    (tmp_path / "candidate" / "worker.py").write_text("from graders.harness.compare import close\n")
    (tmp_path / "compare.py").write_text("")
    with pytest.raises(libraries.LibraryError, match="compare.py"):
        libraries.worker_side_files(tmp_path)


def test_a_worker_module_importing_graders_outside_the_harness_is_refused(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "table.py").write_text("from graders import verdicts\nimport graders.verdicts\n")
    with pytest.raises(libraries.LibraryError, match="graders.verdicts"):
        libraries.worker_side_files(tmp_path)


def test_bundle_libraries_import_trace_and_modes(tmp_path):
    libraries.write_libraries(tmp_path, HARNESS)
    worker_lib = tmp_path / libraries.WORKER_LIB
    probe = ("import sys, graders.harness.candidate.worker, graders.harness.candidate.bench_variants\n"
             "for name in ('graders.harness.steps', 'graders.harness.supervisor', 'graders.harness.bench_measure', 'graders.harness.compare',\n"
             "             'graders.harness.worker_process', 'graders.harness.outcome', 'graders.harness.output_checks', 'graders.verdicts'):\n"
             "    try:\n        __import__(name)\n    except ImportError:\n        continue\n    raise SystemExit(name + ' is importable')\n"
             "print(sorted(m for m in sys.modules if m.startswith('graders')))")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(worker_lib)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    assert stat.S_IMODE(os.stat(tmp_path / libraries.SUPERVISOR_LIB).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(worker_lib).st_mode) == 0o755
    trusted = os.stat(tmp_path / libraries.TRUSTED_LIB)
    if libraries.can_chown():
        assert stat.S_IMODE(trusted.st_mode) == 0o750 and trusted.st_gid == libraries.TRUSTED_WORKER_UID
    else:
        assert stat.S_IMODE(trusted.st_mode) == 0o700
