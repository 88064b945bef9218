"""Checks over the candidate's source, before anything runs: syntax, forbidden calls and
forbidden constructs, each reported with its file and line.

Pure AST work on the grading worker; no candidate code is executed here. A static check
is a first line only: anything it misses (code built from strings, `exec`) meets the
run-time tripwires and the supervisor's own checks.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

# A construct is a family of names (module prefixes or dotted callables) a spec can forbid
# with `forbidden_constructs = ["threads", ...]`. "monkeypatching" is structural (below).
CONSTRUCTS: dict[str, tuple[str, ...]] = {
    "threads": ("threading", "_thread", "concurrent.futures", "multiprocessing", "asyncio", "os.fork", "os.register_at_fork"),
    "subprocess": ("subprocess", "os.system", "os.popen", "os.fork", "os.forkpty", "os.exec", "os.spawn", "os.posix_spawn", "pty"),
    "streams": ("torch.cuda.Stream", "torch.cuda.stream", "torch.cuda.ExternalStream", "torch.Stream", "torch.cuda.set_stream", "torch.cuda.StreamContext"),
    "introspection": ("sys._getframe", "sys._current_frames", "inspect", "gc.get_objects", "gc.get_referrers", "gc.get_referents", "ctypes", "__globals__", "f_back", "f_locals", "f_globals", "tb_frame"),
    "process_exit": ("os._exit", "os.kill", "os.killpg", "signal", "sys.exit", "os.abort"),
    "monkeypatching": (),
}
MONKEYPATCH_CALLS = ("setattr", "delattr")


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
    for name, source in sorted(files.items()):
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
        findings.extend(_forbidden_uses(name, tree, forbidden_calls))
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
        if "monkeypatching" in constructs:
            target = _patched_target(node, aliases)
            if target:
                report(node, "monkeypatching", f"rebinds {target}")
    return findings


def _matches(dotted: str, pattern: str) -> bool:
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
