from pathlib import Path

import pytest

from graders.static_checks import CONSTRUCTS, check_sources


def findings(source, calls=(), constructs=()):
    return check_sources(files={"solution.py": source}, forbidden_calls=list(calls), forbidden_constructs=list(constructs))


def test_syntax_error_is_a_compile_error_with_its_line():
    (f,) = findings("def f(:\n    pass\n")
    assert f.verdict == "compile_error" and f.line == 1 and "line 1" in str(f)


def test_forbidden_call_by_attribute_alias_and_string_with_lines():
    source = "import torch\nimport torch.nn.functional as F\n\ndef f(q):\n    return F.scaled_dot_product_attention(q, q, q)\n"
    (f,) = findings(source, ["torch.nn.functional.scaled_dot_product_attention"])
    assert f.verdict == "rejected" and f.line == 5
    hidden = "import torch\n\ndef f(q):\n    return getattr(torch.nn.functional, 'scaled_dot_product_attention')(q)\n"
    assert findings(hidden, ["torch.nn.functional.scaled_dot_product_attention"])[0].line == 4


def test_docstrings_are_prose_not_calls():
    source = '"""Beats scaled_dot_product_attention."""\ndef f(q):\n    """No scaled_dot_product_attention here."""\n    return q\n'
    assert findings(source, ["torch.nn.functional.scaled_dot_product_attention"]) == []


@pytest.mark.parametrize(
    "construct, source, line",
    [
        ("threads", "import threading\n", 1),
        ("threads", "from concurrent.futures import ThreadPoolExecutor\n", 1),
        ("threads", "import os\n\ndef f():\n    os.fork()\n", 4),
        ("subprocess", "import os\nos.system('ls')\n", 2),
        ("streams", "import torch\ns = torch.cuda.Stream()\n", 2),
        ("streams", "import torch\nwith torch.cuda.stream(None):\n    pass\n", 2),
        ("streams", "from torch.cuda import Stream as S\nS()\n", 1),
        ("monkeypatching", "import torch\ntorch.softmax = None\n", 2),
        ("monkeypatching", "import torch.nn.functional as F\nsetattr(F, 'relu', None)\n", 2),
        ("monkeypatching", "import sys\nsys.modules['torch'] = None\n", 2),
        ("monkeypatching", "import builtins\nbuiltins.print = None\n", 2),
        ("introspection", "import sys\nf = sys._getframe()\n", 2),
        ("introspection", "import gc\nobjs = gc.get_objects()\n", 2),
        ("introspection", "def f(g):\n    return g.f_back\n", 2),
        ("introspection", "import ctypes\n", 1),
        ("process_exit", "import os\nos._exit(0)\n", 2),
    ],
)
def test_each_forbidden_construct_is_reported_with_its_line(construct, source, line):
    found = findings(source, constructs=[construct])
    assert found, f"{construct} not found in {source!r}"
    assert found[0].verdict == "rejected" and found[0].line == line
    assert construct in found[0].message


def test_allowed_code_is_not_flagged():
    source = (
        "import math\nimport torch\n\nclass Box:\n    pass\n\n"
        "def attention(q, k, v, causal=False):\n    box = Box()\n    box.scale = 1 / math.sqrt(q.shape[-1])\n"
        "    s = (q @ k.transpose(-2, -1)) * box.scale\n    return torch.softmax(s, -1) @ v\n"
    )
    assert findings(source, constructs=list(CONSTRUCTS)) == []


def test_unknown_construct_is_a_usage_error():
    with pytest.raises(ValueError, match="unknown forbidden construct"):
        findings("x = 1\n", constructs=["teleportation"])


def test_non_python_files_are_ignored():
    assert check_sources(files={"notes.md": "def (:"}, forbidden_calls=["x.y"], forbidden_constructs=["threads"]) == []


# -- the ops a forbidden call reaches, and tampering with their dispatcher block ------------------------
SOFTMAX_CALLS = ["torch.softmax", "torch.nn.functional.softmax"]
SDPA_CALLS = ["torch.nn.functional.scaled_dot_product_attention"]


@pytest.mark.parametrize(
    "calls, source, line, words",
    [
        (SOFTMAX_CALLS, "import torch\n\ndef f(x):\n    return torch.ops.aten._softmax.default(x, -1, False)\n", 4, "softmax"),
        (SDPA_CALLS, "import torch\nk = torch.ops.aten._flash_attention_forward\n", 2, "aten::_flash_attention_forward"),
        (SDPA_CALLS, "import torch\nk = getattr(torch.ops.aten, '_efficient_attention_forward')\n", 2, "aten::_efficient_attention_forward"),
        (SDPA_CALLS, "import torch\nk = torch._C._nn.scaled_dot_product_attention\n", 2, "scaled_dot_product_attention"),
        (SDPA_CALLS, "SRC = 'return at::cpu::_native_multi_head_attention(q, k, v);'\n", 1, "aten::_native_multi_head_attention"),
        (SOFTMAX_CALLS, "import torch\nlib = torch.library.Library('aten', 'IMPL')\n", 2, "Library on 'aten'"),
        (SOFTMAX_CALLS, "from torch.library import Library\nns = 'at' + 'en'\nlib = Library(ns, 'IMPL')\n", 3, "Library on 'aten'"),
        (SOFTMAX_CALLS, "def undo(lib):\n    lib._destroy()\n", 2, "_destroy"),
        (SOFTMAX_CALLS, "import torch\nm = torch._C._dispatch_library('IMPL', 'aten', '')\n", 2, "_dispatch_library"),
        (SOFTMAX_CALLS, "import torch\nf = getattr(torch._C, '_dispatch_tls_set_dispatch_key_excluded')\n", 2, "_dispatch_tls"),
    ],
)
def test_forbidden_ops_and_dispatcher_tampering_are_found_with_their_line(calls, source, line, words):
    found = findings(source, calls)
    assert found, source
    assert found[0].verdict == "rejected" and found[0].line == line and words in found[0].message, found[0]


def test_a_candidates_own_kernel_may_share_an_ops_name():
    source = "def _flash_attention_forward(q, k, v):\n    return q\n\ndef attention(q, k, v, causal=False):\n    return _flash_attention_forward(q, k, v)\n"
    assert findings(source, SDPA_CALLS) == []
    assert findings("import torch\ny = torch.ops.aten.mm\nlib = torch.library.Library('mylib', 'DEF')\n", SOFTMAX_CALLS) == []


def test_native_sources_are_searched_for_the_ops_behind_a_forbidden_call():
    cuda = "#include <ATen/ATen.h>\n\nat::Tensor f(at::Tensor x) {\n  return at::cpu::_softmax(x, -1, false);\n}\n"
    (f,) = check_sources(files={"kernel.cu": cuda}, forbidden_calls=SOFTMAX_CALLS)
    assert f.file == "kernel.cu" and f.line == 4 and "aten::_softmax" in f.message
    assert check_sources(files={"kernel.cu": "__global__ void softmax_kernel(float* x) {}\n"}, forbidden_calls=SOFTMAX_CALLS) == []


@pytest.mark.parametrize(
    "construct, source, line",
    [
        ("dispatcher", "import torch.library\n", 1),
        ("dispatcher", "import torch\nwith torch._C._ExcludeDispatchKeyGuard(None):\n    pass\n", 2),
        ("dispatcher", "import importlib\nlib = importlib.import_module('torch.library')\n", 2),
        ("harness", "import graders.harness.candidate.worker\n", 1),
        ("harness", "import sys\nclocks = sys.modules['graders.harness.clocks']\n", 2),
    ],
)
def test_the_dispatcher_and_harness_constructs(construct, source, line):
    found = findings(source, constructs=[construct])
    assert found and found[0].line == line and construct in found[0].message, found


def test_documented_settings_are_not_monkeypatching():
    source = "import torch\ntorch.backends.cudnn.benchmark = True\ntorch.backends.cuda.matmul.allow_tf32 = True\n"
    assert findings(source, constructs=["monkeypatching"]) == []


def test_every_kernel_and_pipeline_challenge_sets_its_forbidden_constructs_deliberately():
    """Each kernel / pipeline package forbids constructs, lists them in a "What is forbidden"
    section, and says why of any construct it leaves allowed (ANTI_CHEAT.md; docs/authoring.md)."""
    from graders.spec import load_spec

    checked = 0
    for toml in sorted((Path(__file__).resolve().parents[2] / "challenges").glob("*/challenge.toml")):
        spec = load_spec(toml.parent)
        if spec.kind not in ("kernel", "pipeline"):
            continue
        checked += 1
        statement = spec.path("statement").read_text()
        assert spec.forbidden_constructs, f"{spec.slug}: no forbidden_constructs"
        assert "## What is forbidden" in statement, f"{spec.slug}: statement.md has no 'What is forbidden' section"
        paragraphs = statement.split("\n\n")
        for construct in (c for c in CONSTRUCTS if c not in spec.forbidden_constructs):
            assert any(construct in p.lower() and "allowed" in p for p in paragraphs), f"{spec.slug}: {construct} is allowed, and statement.md does not say why"
    assert checked >= 5
