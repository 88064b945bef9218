"""The dispatcher block of forbidden kernels (graders/harness/candidate/op_blocks.py, shared/op_table.py).

A block lasts for the life of the process that installs it (on purpose: the candidate must not
be able to lift it), so every test that installs one runs a child interpreter and reads back
what it saw as JSON; the pytest process itself never blocks anything.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graders.harness.shared.op_table import ATTENTION_OPS, SOFTMAX_OPS, ops_for_calls, python_only

REPO = Path(__file__).resolve().parents[2]
TINY_SOFTMAX_CALLS = ["torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax", "torch.special.softmax"]

PRELUDE = """
import json, gc, importlib, operator, sys
import torch
from graders.harness.candidate.op_blocks import Tripwire
tripwire = Tripwire()
tripwire.install_all(NAMES)
results = {}
def attempt(label, fn):
    tripwire.hits.clear()  # each hit is recorded once; here every attempt starts afresh
    try:
        out = fn()
        status = "result"
    except Exception as exc:
        status = type(exc).__name__
    results[label] = {"status": status, "hits": list(tripwire.hits)}
"""


def run_child(names: list[str], body: str) -> dict:
    code = f"NAMES = {names!r}\n" + PRELUDE + textwrap.dedent(body) + "\nprint('RESULT ' + json.dumps({'results': results, 'blocked': tripwire.blocked}))\n"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT ")), None)
    assert line, proc.stderr[-3000:]
    return json.loads(line[len("RESULT "):])


def test_the_table_maps_python_names_and_op_names():
    assert set(SOFTMAX_OPS) <= set(ops_for_calls(["torch.softmax"]))
    assert set(ATTENTION_OPS) <= set(ops_for_calls(["torch.nn.functional.scaled_dot_product_attention"]))
    assert ops_for_calls(["torch.ops.aten._softmax.default"]) == {"aten::_softmax": "torch.ops.aten._softmax.default"}
    assert ops_for_calls(["torch.ops.aten.softmax.int"]) == {"aten::softmax.int": "torch.ops.aten.softmax.int"}
    assert ops_for_calls(["aten::log_softmax"]) == {"aten::log_softmax": "aten::log_softmax"}
    assert "aten::log_softmax" not in ops_for_calls(TINY_SOFTMAX_CALLS)  # a different kernel
    assert python_only(["torch.softmax", "torchvision.ops.nms"]) == ["torchvision.ops.nms"]


SOFTMAX_PATHS = """
x = torch.randn(6, 10)
name = "soft" + "max"
attempt("torch.softmax", lambda: torch.softmax(x, -1))
attempt("Tensor.softmax bound at run time", lambda: getattr(x, name)(-1))
attempt("F.softmax", lambda: torch.nn.functional.softmax(x, dim=-1))
attempt("nn.Softmax", lambda: torch.nn.Softmax(dim=-1)(x))
attempt("_VariableFunctions.softmax", lambda: getattr(torch._C._VariableFunctions, name)(x, -1))
attempt("_VariableFunctions._softmax", lambda: getattr(torch._C._VariableFunctions, "_" + name)(x, -1, False))
attempt("ops.aten._softmax.default", lambda: getattr(torch.ops.aten, "_" + name).default(x, -1, False))
attempt("ops.aten._softmax.out", lambda: getattr(torch.ops.aten, "_" + name).out(x, -1, False, out=torch.empty_like(x)))
attempt("ops.aten.softmax.int", lambda: getattr(torch.ops.aten, name).int(x, -1))
attempt("special.softmax", lambda: operator.attrgetter("special." + name)(importlib.import_module("torch"))(x, -1))
attempt("eval", lambda: eval("torch." + name)(x, -1))
attempt("requires_grad", lambda: torch.softmax(x.clone().requires_grad_(), -1))
attempt("vmap", lambda: torch.vmap(lambda r: torch.softmax(r, -1))(x))
attempt("jit.trace", lambda: torch.jit.trace(lambda t: torch.softmax(t, -1), (x,))(x))
attempt("redispatch to CPU", lambda: torch.ops.aten._softmax.default.redispatch(torch._C.DispatchKeySet(torch._C.DispatchKey.CPU), x, -1, False))
attempt("computed CPU kernel", lambda: torch._C._dispatch_get_computed_kernel_for_dispatch_key("aten::_softmax", torch._C.DispatchKey.CPU).call_boxed(torch._C.DispatchKeySet("CPU"), x, -1, False))
attempt("mkldnn", lambda: x.to_mkldnn().softmax(-1))
attempt("sparse", lambda: torch.sparse.softmax(x.to_sparse(), -1))
attempt("masked", lambda: torch._masked_softmax(x, torch.zeros_like(x, dtype=torch.bool)))
attempt("safe", lambda: torch._safe_softmax(x, -1))
attempt("softmin", lambda: torch.nn.functional.softmin(x, -1))
attempt("torch.compile", lambda: torch.compile(lambda t: getattr(torch, name)(t, -1), backend="aot_eager")(x))
# honest code, and kernels that are not the forbidden one
attempt("honest", lambda: torch.exp(x - x.amax(-1, keepdim=True)) / torch.exp(x - x.amax(-1, keepdim=True)).sum(-1, keepdim=True))
attempt("matmul and friends", lambda: (x @ x.T, x.sum(), x.max(), x.logsumexp(-1), torch.nn.functional.relu(x)))
attempt("log_softmax", lambda: torch.log_softmax(x, -1))
attempt("cross_entropy", lambda: torch.nn.functional.cross_entropy(x, torch.zeros(6, dtype=torch.long)))
"""

HONEST = {"honest", "matmul and friends", "log_softmax", "cross_entropy"}


def test_every_path_to_the_softmax_kernel_is_blocked_and_honest_ops_are_not():
    seen = run_child(TINY_SOFTMAX_CALLS, SOFTMAX_PATHS)
    for label, outcome in seen["results"].items():
        if label in HONEST:
            assert outcome == {"status": "result", "hits": []}, (label, outcome)
        else:
            assert outcome["status"] != "result", (label, outcome)
            assert outcome["hits"] and all("softmax" in hit for hit in outcome["hits"]), (label, outcome)
    blocked = seen["blocked"]
    assert {"CPU", "Autograd", "MkldnnCPU", "NestedTensorCPU"} <= set(blocked["aten::_softmax"])
    assert "CompositeImplicitAutograd" in blocked["aten::softmax.int"]
    assert "aten::_softmax.out" in blocked and "aten::softmax.int_out" in blocked
    assert not any(key == "Meta" for keys in blocked.values() for key in keys)


UNDO = """
x = torch.randn(3, 4)
lib_mod = sys.modules["torch.library"]
for obj in gc.get_objects():
    try:
        if isinstance(obj, lib_mod.Library):
            obj._destroy()
        elif type(obj).__name__.endswith("DispatchModule"):
            obj.reset()
    except Exception:
        pass
mine = lib_mod.Library("aten", "IMPL")
kernel = torch._C._dispatch_get_computed_kernel_for_dispatch_key("aten::_softmax", torch._C.DispatchKey.CPU)
mine.impl("_softmax", lambda t, d, h: kernel.call_boxed(torch._C.DispatchKeySet("CPU"), t, d, h), "CPU")
attempt("after undo", lambda: torch.ops.aten._softmax.default(x, -1, False))
mine._destroy()
attempt("after own library destroyed", lambda: torch.softmax(x, -1))
"""


def test_the_block_survives_the_candidate_resetting_every_library_it_can_find():
    seen = run_child(TINY_SOFTMAX_CALLS, UNDO)["results"]
    for label in ("after undo", "after own library destroyed"):
        assert seen[label]["status"] != "result" and seen[label]["hits"], (label, seen[label])


ATTENTION_PATHS = """
q = torch.randn(1, 2, 8, 16)
attempt("F.sdpa", lambda: torch.nn.functional.scaled_dot_product_attention(q, q, q))
attempt("_C._nn.sdpa", lambda: torch._C._nn.scaled_dot_product_attention(q, q, q, is_causal=True))
attempt("flash_for_cpu", lambda: torch.ops.aten._scaled_dot_product_flash_attention_for_cpu.default(q, q, q))
attempt("math", lambda: torch.ops.aten._scaled_dot_product_attention_math(q, q, q))
mha = torch.nn.MultiheadAttention(16, 2, batch_first=True).eval()
t = torch.randn(2, 8, 16)
with torch.no_grad():
    attempt("MultiheadAttention", lambda: mha(t, t, t, need_weights=False))
attempt("honest", lambda: torch.softmax(q @ q.transpose(-2, -1) / 4.0, -1) @ q)
"""


def test_every_path_to_fused_attention_is_blocked_and_matmul_softmax_is_not():
    seen = run_child(["torch.nn.functional.scaled_dot_product_attention"], ATTENTION_PATHS)
    for label, outcome in seen["results"].items():
        if label == "honest":
            assert outcome == {"status": "result", "hits": []}
        else:
            assert outcome["status"] != "result" and outcome["hits"], (label, outcome)
    assert "CPU" in seen["blocked"]["aten::_scaled_dot_product_flash_attention_for_cpu"]
    assert "CompositeImplicitAutograd" in seen["blocked"]["aten::scaled_dot_product_attention"]


def test_a_spec_may_name_ops_and_they_reach_the_worker(tmp_path):
    import shutil

    from graders import pipeline
    from graders.spec import SpecError, load_spec

    package = tmp_path / "tiny-softmax"
    shutil.copytree(REPO / "tests/graders/fixtures/tiny-softmax", package)
    toml = package / "challenge.toml"
    original = toml.read_text()
    toml.write_text(original.replace("[harness]", 'forbidden_ops = ["aten::log_softmax", "aten::_log_softmax.out"]\n\n[harness]', 1))
    spec = load_spec(package)
    assert spec.forbidden_ops == ["aten::log_softmax", "aten::_log_softmax.out"]
    job = pipeline.GradeJob(slug=spec.slug, files={"solution.py": ""}, roots=[tmp_path])
    document = pipeline._job_document(job, spec, spec.device(kind="cpu"))
    assert {"torch.softmax", "aten::log_softmax", "aten::_log_softmax.out"} <= set(document["forbidden_calls"])
    toml.write_text(original.replace("[harness]", 'forbidden_ops = ["torch.log_softmax"]\n\n[harness]', 1))
    with pytest.raises(SpecError, match="forbidden_ops"):
        load_spec(package)


def test_explicit_ops_are_blocked_with_every_overload():
    seen = run_child(["aten::log_softmax"], 'x = torch.randn(2, 3)\nattempt("log_softmax", lambda: torch.log_softmax(x, -1))\nattempt("softmax", lambda: torch.softmax(x, -1))\n')
    assert seen["results"]["log_softmax"]["hits"] == ["aten::log_softmax.int"]
    assert seen["results"]["softmax"] == {"status": "result", "hits": []}
    assert {"aten::log_softmax.int", "aten::log_softmax.int_out"} <= set(seen["blocked"])


# -- end to end, through graders.pipeline.grade ------------------------------------------------------
SDPA_BY_OTHER_NAMES = {
    "torch._C._nn": ("import torch\n_NAME = 'scaled_dot_product' + '_attention'\n\n"
                     "def attention(q, k, v, causal=False):\n    return getattr(torch._C._nn, _NAME)(q, k, v, is_causal=causal)\n",
                     "aten::scaled_dot_product_attention"),
    "flash_for_cpu": ("import torch\n_NAME = '_scaled_dot_product_flash' + '_attention_for_cpu'\n\n"
                      "def attention(q, k, v, causal=False):\n    return getattr(torch.ops.aten, _NAME).default(q, k, v, is_causal=causal)[0]\n",
                      "aten::_scaled_dot_product_flash_attention_for_cpu"),
}


def _grade_fused_attention(source: str, **job):
    import sandbox
    from graders import pipeline

    ok, why = sandbox.get_backend("process").available()
    if not ok:
        pytest.skip(f"the process sandbox backend is unavailable here: {why}")
    return pipeline.grade(pipeline.GradeJob(slug="fused-attention", files={"solution.py": source}, **job))


@pytest.mark.parametrize("variant", sorted(SDPA_BY_OTHER_NAMES))
def test_fused_attention_rejects_sdpa_under_another_name(variant):
    source, op = SDPA_BY_OTHER_NAMES[variant]
    result = _grade_fused_attention(source)
    assert result.verdict == "rejected" and op in result.message, (result.verdict, result.message)


@pytest.mark.slow
def test_fused_attention_reference_is_accepted_against_the_sdpa_baseline():
    """The reference runs under the block (matmul and softmax are not SDPA), and the baseline's
    own worker, which gets no block, still calls SDPA: a speedup is measured."""
    source = (REPO / "challenges/fused-attention/reference/solution.py").read_text()
    result = _grade_fused_attention(source, with_kernels=True)
    assert result.verdict == "accepted", (result.verdict, result.message)
    assert result.metrics.get("speedup"), result.metrics
