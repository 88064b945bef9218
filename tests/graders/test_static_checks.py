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
