"""Checks over the candidate's source, before anything runs: syntax, forbidden calls.

Pure AST work on the grading worker; no candidate code is executed here.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    verdict: str  # compile_error | rejected
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def check_sources(*, files: dict[str, str], forbidden_calls: list[str]) -> list[Finding]:
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
    return findings


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
