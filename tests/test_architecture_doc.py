"""docs/architecture.md stays true: every file it names exists, and every `module.function` it
names can be found (issue 11).

graders/ and sandbox/ names are imported (they run without Django); names under platform/
(Django apps, whose source root is platform/) are found in the source with `ast`, so this test
needs no Django settings.
"""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "architecture.md"
PATHS = re.compile(r"\b((?:graders|sandbox|platform)/[\w/]*\w\.py)\b")
DOTTED = re.compile(r"`([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)`")
PLATFORM_APPS = {p.name for p in (REPO / "platform").iterdir() if (p / "__init__.py").is_file()}


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def named_paths() -> list[str]:
    return sorted(set(PATHS.findall(_text())))


def named_objects() -> list[str]:
    """Dotted names in backticks whose first part is one of ours (graders, sandbox, a platform app)."""
    found = set(DOTTED.findall(_text()))
    return sorted(n for n in found if n.split(".")[0] in {"graders", "sandbox", *PLATFORM_APPS})


def _resolve_importable(name: str) -> object:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)  # AttributeError: the doc names something that is not there
        return obj
    raise ModuleNotFoundError(name)


def _platform_defines(name: str) -> bool:
    """`app.module.Name[.method]`: the def or class in platform/app/module.py (or a package's __init__)."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        base = REPO / "platform" / Path(*parts[:cut])
        source = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
        if source.is_file():
            return _defines(ast.parse(source.read_text(encoding="utf-8")).body, parts[cut:])
    return False


def _defines(body: list[ast.stmt], names: list[str]) -> bool:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == names[0]:
            return len(names) == 1 or (isinstance(node, ast.ClassDef) and _defines(node.body, names[1:]))
    return False


def test_the_doc_names_files_and_functions():
    assert len(named_paths()) >= 20 and len(named_objects()) >= 40


@pytest.mark.parametrize("path", named_paths())
def test_every_named_file_exists(path):
    assert (REPO / path).is_file(), f"docs/architecture.md names {path}, which does not exist"


@pytest.mark.parametrize("name", named_objects())
def test_every_named_function_exists(name):
    if name.split(".")[0] in PLATFORM_APPS:
        assert _platform_defines(name), f"docs/architecture.md names {name}, not defined under platform/"
    else:
        assert _resolve_importable(name) is not None


def test_a_name_that_is_not_there_is_caught():
    with pytest.raises(AttributeError):
        _resolve_importable("graders.pipeline.no_such_function")
    assert not _platform_defines("submissions.services.no_such_function")
    assert _platform_defines("api.views.submissions.SubmissionListApi.post")
