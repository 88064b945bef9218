"""Code shape (issue 11): no function over 60 lines outside `kernels/`, no file over 400 lines
in `graders/` and `sandbox/`.

A function's length runs from its first decorator to its last line; methods and nested
functions count on their own (an outer function's length includes what it nests). `tests/`
counts too: the rule is "outside kernels/", and a test or a helper of 60 lines is as hard to
read as any other. Data and prose (JSON, JSONL, Markdown, TOML) are not code and are left out
of the file-length rule; every source file under `graders/` and `sandbox/` is in it.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO_ROOT

MAX_FUNCTION_LINES = 60
MAX_FILE_LINES = 400
SOURCE_FOLDERS = ("platform", "graders", "sandbox", "scripts", "challenges", "tests")
SOURCE_FILES = ("manage.py",)
FILE_RULE_FOLDERS = ("graders", "sandbox")
CODE_SUFFIXES = {".py", ".sh", ".c", ".cc", ".cpp", ".cu", ".h", ".cuh", ".js", ".css", ".html"}
CODE_NAMES = {"Dockerfile", "Makefile"}
SKIPPED_PARTS = {".venv", "var", "kernels", "__pycache__", "node_modules"}
# Submissions that exist to fail to compile: a `known_bad/` file whose header expects
# `compile_error`, and the test fixture that feeds the compile_error path.
EXPECT_COMPILE_ERROR = re.compile(r"^#\s*expect(-cpu|-cuda)?:\s*compile_error\s*$")
UNPARSABLE_FIXTURES = {"tests/fixtures/submissions/attention_syntax.py"}


def _wanted(path: Path) -> bool:
    parts = path.relative_to(REPO_ROOT).parts
    return not SKIPPED_PARTS.intersection(parts[:-1]) and path.is_file()


def source_files(folders=SOURCE_FOLDERS, suffixes=frozenset({".py"}), names=frozenset()) -> list[Path]:
    """Every source file of `folders` (sorted), `kernels/`, `.venv` and `var/` left out."""
    found = [REPO_ROOT / name for name in SOURCE_FILES if Path(name).suffix in suffixes and folders == SOURCE_FOLDERS]
    for folder in folders:
        found += [p for p in (REPO_ROOT / folder).rglob("*") if p.suffix in suffixes or p.name in names]
    return sorted(p for p in found if _wanted(p))


def _relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def _unparsable_on_purpose(path: Path, text: str) -> bool:
    first_line = text.splitlines()[0] if text else ""
    return _relative(path) in UNPARSABLE_FIXTURES or bool(EXPECT_COMPILE_ERROR.match(first_line))


def long_functions(path: Path, tree: ast.AST) -> list[str]:
    """`file:line name (N lines)` for each function or method over the limit."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - start + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{_relative(path)}:{start} {node.name} ({length} lines)")
    return found


def test_the_scan_reads_every_source_folder():
    scanned = {_relative(p).split("/", 1)[0] for p in source_files()}
    assert scanned == {*SOURCE_FOLDERS, *SOURCE_FILES}
    assert not any(SKIPPED_PARTS.intersection(p.relative_to(REPO_ROOT).parts) for p in source_files())


def test_no_function_is_longer_than_60_lines():
    offenders, unreadable = [], []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text, filename=str(path))
        except SyntaxError as exc:
            if not _unparsable_on_purpose(path, text):
                unreadable.append(f"{_relative(path)}:{exc.lineno} {exc.msg}")
            continue
        offenders += long_functions(path, tree)
    assert unreadable == [], "source files that do not parse (only `# expect: compile_error` ones may)"
    assert offenders == [], f"functions over {MAX_FUNCTION_LINES} lines (split them into named pieces):\n" + "\n".join(offenders)


def test_no_file_in_graders_or_sandbox_is_longer_than_400_lines():
    offenders = []
    for path in source_files(FILE_RULE_FOLDERS, CODE_SUFFIXES, CODE_NAMES):
        length = len(path.read_text(encoding="utf-8").splitlines())
        if length > MAX_FILE_LINES:
            offenders.append(f"{_relative(path)}:1 ({length} lines)")
    assert offenders == [], f"files over {MAX_FILE_LINES} lines (split them into modules):\n" + "\n".join(offenders)
