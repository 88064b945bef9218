"""Checks over the candidate's source, before anything runs: syntax, forbidden calls and
forbidden constructs, each reported with its file and line.

Pure AST work on the grading worker; no candidate code is executed here. A static check
is a first line only: anything it misses (code built from strings, `exec`) meets the
run-time tripwires and the supervisor's own checks. The real defence against a forbidden
kernel is the worker's dispatcher block (graders/harness/candidate/op_blocks.py); here the ops it
blocks (graders/harness/shared/op_table.py) and the calls that would tamper with it are looked for
in plain text too, so the obvious attempts are refused with their line before anything runs.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from graders.harness.shared.op_table import leaf, ops_for_calls

# A construct is a family of names (module prefixes or dotted callables) a spec can forbid
# with `forbidden_constructs = ["threads", ...]`. "monkeypatching" is structural (below).
CONSTRUCTS: dict[str, tuple[str, ...]] = {
    "threads": ("threading", "_thread", "concurrent.futures", "multiprocessing", "asyncio", "os.fork", "os.register_at_fork"),
    "subprocess": ("subprocess", "os.system", "os.popen", "os.fork", "os.forkpty", "os.exec", "os.spawn", "os.posix_spawn", "pty"),
    "streams": ("torch.cuda.Stream", "torch.cuda.stream", "torch.cuda.ExternalStream", "torch.Stream", "torch.cuda.set_stream", "torch.cuda.StreamContext"),
    "introspection": ("sys._getframe", "sys._current_frames", "inspect", "gc.get_objects", "gc.get_referrers", "gc.get_referents", "ctypes", "__globals__", "f_back", "f_locals", "f_globals", "tb_frame"),
    "process_exit": ("os._exit", "os.kill", "os.killpg", "signal", "sys.exit", "os.abort"),
    "monkeypatching": (),
    # Registering kernels or steering dispatch keys: the dispatcher is where forbidden kernels are
    # blocked, and an override of an aten op can also change what the harness's own calls do.
    "dispatcher": ("torch.library", "torch._C._dispatch_", "torch._C._DispatchModule", "torch._C._EnablePythonDispatcher",
                   "torch._C._DisablePythonDispatcher", "torch._C._ExcludeDispatchKeyGuard", "torch._C._IncludeDispatchKeyGuard",
                   "torch._C._ForceDispatchKeyGuard", "torch._C._SetExcludeDispatchKeyGuard", "torch._C.ExcludeDispatchKeyGuard",
                   "torch._C._AutoDispatchBelowAutograd", "torch._C._AutoDispatchBelowADInplaceOrView", "torch._ops"),
    # The grader's own modules, importable in the worker: never part of an answer.
    "harness": ("graders",),
}
MONKEYPATCH_CALLS = ("setattr", "delattr")
# Documented knobs, not patches: `torch.backends.cudnn.benchmark = True` is tuning, not tampering.
SETTINGS = ("torch.backends.", "torch._dynamo.config.", "torch._inductor.config.")
# Constructs whose module names are also looked for in string constants (`sys.modules["graders..."]`,
# `importlib.import_module("torch.library")`); the older constructs match code only.
STRING_CONSTRUCTS = ("dispatcher", "harness")
# Calls that undo or bypass a dispatcher registration, whatever object they are reached on.
UNDO_ATTRS = ("_destroy", "_DispatchModule", "_SafeKernelFunction", "_dispatch_library")
UNDO_PREFIXES = ("_dispatch_",)
NATIVE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".cu", ".cuh", ".h", ".hh", ".hpp")


@dataclass(frozen=True)
class Finding:
    verdict: str  # compile_error | rejected
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def check_sources(*, files: dict[str, str], forbidden_calls: list[str], forbidden_constructs: list[str] = ()) -> list[Finding]:
    unknown = [c for c in forbidden_constructs if c not in CONSTRUCTS]
    if unknown:
        raise ValueError(f"unknown forbidden construct(s) {', '.join(unknown)}; known: {', '.join(CONSTRUCTS)}")
    findings: list[Finding] = []
    blocked = ops_for_calls(list(forbidden_calls))
    for name, source in sorted(files.items()):
        if name.endswith(NATIVE_SUFFIXES):
            findings.extend(_native_op_uses(name, source, blocked))
        if not name.endswith(".py"):
            continue
        try:
            tree = ast.parse(source, filename=name)
        except SyntaxError as exc:
            findings.append(Finding("compile_error", name, exc.lineno, f"{type(exc).__name__}: {exc.msg} (line {exc.lineno})"))
            continue
        except ValueError as exc:  # e.g. NUL bytes
            findings.append(Finding("compile_error", name, None, f"cannot be parsed: {exc}"))
            continue
        uses = _forbidden_uses(name, tree, forbidden_calls)
        flagged = {f.line for f in uses}  # one finding a line: the forbidden call's name says enough
        findings.extend(uses + [f for f in _forbidden_op_uses(name, tree, blocked) if f.line not in flagged])
        findings.extend(_forbidden_constructs(name, tree, list(forbidden_constructs)))
    return sorted(findings, key=lambda f: (f.verdict != "compile_error", f.file, f.line or 0))


def _forbidden_uses(name: str, tree: ast.AST, forbidden: list[str]) -> list[Finding]:
    """Any reference to a forbidden function: by attribute, by imported name, or in a string.

    Deliberately conservative: `getattr(F, "scaled_dot_product_attention")` and aliases are
    caught because the function's own name appears in the source somewhere.
    """
    if not forbidden:
        return []
    leaf_names = {dotted.rsplit(".", 1)[-1]: dotted for dotted in forbidden}
    findings = []
    seen_lines: set[tuple[int, str]] = set()
    # Strings standing alone as statements (docstrings) are prose, not calls.
    prose = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in ast.walk(tree):
        if id(node) in prose:
            continue
        for text in _identifiers(node):
            for leaf, dotted in leaf_names.items():
                if leaf in text and (node.lineno, dotted) not in seen_lines:
                    seen_lines.add((node.lineno, dotted))
                    findings.append(Finding("rejected", name, node.lineno, f"uses {dotted}, which this challenge forbids"))
    return findings


def _op_pattern(blocked: dict[str, str]) -> re.Pattern | None:
    """An op as C++ or a string spells it: `at::_softmax(`, `at::cpu::_softmax`, `aten::softmax.int`,
    `ops.aten._softmax`."""
    leaves = sorted({leaf(op) for op in blocked}, key=len, reverse=True)
    if not leaves:
        return None
    names = "|".join(map(re.escape, leaves))
    return re.compile(rf"(?:\b(?:at|aten|torch)(?:::\w+)*::|\bops\.aten\.)({names})\b")


def _forbidden_op_uses(name: str, tree: ast.AST, blocked: dict[str, str]) -> list[Finding]:
    """The ops a forbidden call reaches, named directly (`torch.ops.aten._softmax`,
    `torch._C._nn.scaled_dot_product_attention`, "aten::_softmax"), and any call that would undo the
    worker's block of them (`Library._destroy`, `torch._C._dispatch_*`, a Library over "aten")."""
    if not blocked:
        return []
    leaves = {leaf(op): op for op in blocked}
    pattern = _op_pattern(blocked)
    prose = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    findings, seen = [], set()

    def report(node: ast.AST, message: str) -> None:
        if (node.lineno, message) not in seen:
            seen.add((node.lineno, message))
            findings.append(Finding("rejected", name, node.lineno, message))

    for node in ast.walk(tree):
        if id(node) in prose or not hasattr(node, "lineno"):
            continue
        for text in _identifiers(node):
            op = _named_op(node, text, leaves, pattern)
            if op:
                report(node, f"uses {op}, the kernel behind {blocked[op]}, which this challenge forbids")
            undo = _undo_name(text)
            if undo:
                report(node, f"uses {undo}, which would undo the dispatcher block of the kernels this challenge forbids")
        if _aten_library(node):
            report(node, "registers kernels over aten ops (torch.library.Library on 'aten'), where this challenge blocks forbidden kernels")
    return findings


def _named_op(node: ast.AST, text: str, leaves: dict[str, str], pattern: re.Pattern) -> str | None:
    """An attribute or import named like a blocked op, or a string that spells one. A plain local
    name is not: a candidate may call its own kernel `_flash_attention_forward`."""
    if isinstance(node, ast.Name):
        return None
    if text in leaves:
        return leaves[text]
    match = pattern.search(text) if isinstance(node, ast.Constant) else None
    return leaves[match.group(1)] if match else None


def _undo_name(text: str) -> str | None:
    for part in re.split(r"[.:\s(]+", text):
        if part in UNDO_ATTRS or part.startswith(UNDO_PREFIXES):
            return part
    return None


def _aten_library(node: ast.AST) -> bool:
    """`Library("aten", ...)` (or a namespace the source does not spell out)."""
    if not isinstance(node, ast.Call) or not node.args:
        return False
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if called != "Library":
        return False
    first = node.args[0]
    return not (isinstance(first, ast.Constant) and isinstance(first.value, str)) or first.value == "aten"


def _native_op_uses(name: str, source: str, blocked: dict[str, str]) -> list[Finding]:
    """C++ / CUDA sources: `at::_softmax(...)`, `at::cpu::_softmax` (which skips the dispatcher)."""
    pattern = _op_pattern(blocked)
    if pattern is None:
        return []
    leaves = {leaf(op): op for op in blocked}
    findings = []
    for match in pattern.finditer(source):
        op = leaves[match.group(1)]
        line = source.count("\n", 0, match.start()) + 1
        findings.append(Finding("rejected", name, line, f"uses {op}, the kernel behind {blocked[op]}, which this challenge forbids"))
    return findings


def _identifiers(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.alias):
        return [node.name, node.asname or ""]
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    return []


# -- constructs -------------------------------------------------------------------------------------
def _forbidden_constructs(name: str, tree: ast.AST, constructs: list[str]) -> list[Finding]:
    if not constructs:
        return []
    aliases = _import_aliases(tree)
    findings: list[Finding] = []
    seen: set[tuple[int, str]] = set()

    def report(node: ast.AST, construct: str, what: str) -> None:
        line = getattr(node, "lineno", None)
        if (line, construct) not in seen:
            seen.add((line, construct))
            findings.append(Finding("rejected", name, line, f"{what}, and this challenge forbids {construct}"))

    for node in ast.walk(tree):
        for dotted in _dotted_names(node, aliases):
            for construct in constructs:
                if any(_matches(dotted, pattern) for pattern in CONSTRUCTS[construct]):
                    report(node, construct, f"uses {dotted}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for construct in (c for c in constructs if c in STRING_CONSTRUCTS):
                if any(_matches(node.value, pattern) for pattern in CONSTRUCTS[construct]):
                    report(node, construct, f"names {node.value!r}")
        if "monkeypatching" in constructs:
            target = _patched_target(node, aliases)
            if target and not target.startswith(SETTINGS):
                report(node, "monkeypatching", f"rebinds {target}")
    return findings


def _matches(dotted: str, pattern: str) -> bool:
    if pattern.endswith("_"):
        return dotted.startswith(pattern)  # a family of names: torch._C._dispatch_*
    if "." not in pattern and pattern.startswith(("f_", "tb_", "__")):
        return dotted.split(".")[-1] == pattern  # attribute names such as frame.f_back
    return dotted == pattern or dotted.startswith(pattern + ".") or (pattern.endswith(("exec", "spawn")) and dotted.startswith(pattern))


def _import_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> dotted name, for every import in the file (any scope)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _dotted_names(node: ast.AST, aliases: dict[str, str]) -> list[str]:
    """The dotted names a node refers to: imports, and attribute chains rooted at an import."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [f"{node.module}.{a.name}" for a in node.names]
    if isinstance(node, ast.Attribute):
        chain = _chain(node)
        if chain and chain[0] in aliases:
            return [".".join([aliases[chain[0]], *chain[1:]])]
        return [node.attr]  # attribute names alone (f_back, __globals__) on any object
    if isinstance(node, ast.Name) and node.id in aliases and isinstance(node.ctx, ast.Load):
        return [aliases[node.id]]
    return []


def _chain(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _patched_target(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """An assignment to (or setattr/delattr on) an attribute of an imported module or class."""
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MONKEYPATCH_CALLS and node.args:
        chain = _chain(node.args[0]) if isinstance(node.args[0], (ast.Attribute, ast.Name)) else None
        if chain and chain[0] in aliases:
            return ".".join([aliases[chain[0]], *chain[1:]]) + " (via " + node.func.id + ")"
        if chain and chain[0] in ("__builtins__", "builtins"):
            return chain[0]
    for target in targets:
        for leaf in ast.walk(target) if isinstance(target, (ast.Tuple, ast.List)) else [target]:
            if isinstance(leaf, ast.Attribute):
                chain = _chain(leaf)
                if chain and (chain[0] in aliases or chain[0] in ("__builtins__", "builtins")):
                    return ".".join([aliases.get(chain[0], chain[0]), *chain[1:]])
            if isinstance(leaf, ast.Subscript):
                chain = _chain(leaf.value)
                if chain and chain[0] in aliases and ".".join([aliases[chain[0]], *chain[1:]]) in ("sys.modules", "builtins.__dict__"):
                    return ".".join([aliases[chain[0]], *chain[1:]]) + "[...]"
    return None
