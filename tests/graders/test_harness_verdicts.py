"""The harness spells every verdict through graders/verdicts.py (issue 11: one value per rule).

A verdict name written as a string literal in graders/harness/ would be a second source for it:
a typo there (`"wrong-answer"`) would reach the result unnoticed. Docstrings may name verdicts,
and the worker's reply protocol has a field called `rejected` (a field name, not a verdict), so
string constants used as a mapping key (a dict display's key, a subscript, `.get(key)`) are not
verdicts either.
"""
from __future__ import annotations

import ast
from pathlib import Path

from graders import verdicts
from graders.harness import libraries

HARNESS = Path(__file__).resolve().parents[2] / "graders" / "harness"


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _mapping_keys(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            ids |= {id(k) for k in node.keys if k is not None}
        elif isinstance(node, ast.Subscript):
            ids.add(id(node.slice))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            ids.add(id(node.args[0]))
    return ids


def verdict_literals(path: Path, root: Path = HARNESS) -> list[str]:
    """`file:line "name"` for each string constant equal to a verdict name, outside docstrings and keys."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    allowed = _docstrings(tree) | _mapping_keys(tree)
    return [f"{path.relative_to(root)}:{node.lineno} {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in verdicts.ALL and id(node) not in allowed]


def test_no_verdict_literal_in_the_harness():
    found = [hit for path in sorted(HARNESS.rglob("*.py")) for hit in verdict_literals(path)]
    assert found == [], "spell verdicts as graders.verdicts constants:\n" + "\n".join(found)


def test_the_scan_finds_a_literal(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""rejected in a docstring is fine."""\nx = {"rejected": 1}\nx.get("rejected")\nraise Outcome("rejected", "why")\n')
    assert verdict_literals(sample, root=tmp_path) == ["sample.py:4 'rejected'"]


def test_verdicts_ship_to_the_supervisor_only(tmp_path):
    """The supervisor's library has graders/verdicts.py; the workers' neither has nor needs it."""
    libraries.write_libraries(tmp_path, HARNESS)
    assert (tmp_path / libraries.SUPERVISOR_LIB / "graders" / "verdicts.py").is_file()
    assert not (tmp_path / libraries.WORKER_LIB / "graders" / "verdicts.py").exists()
    assert "graders.verdicts" not in {m for f in libraries.worker_side_files(HARNESS) for m in libraries.imported_modules(HARNESS / f)}
