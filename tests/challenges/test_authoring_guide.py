"""docs/authoring.md, tried as a new author would: the example package is assembled from the
guide's own code blocks (each preceded by `<!-- file: PATH -->`) and must validate."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from graders.spec import load_spec
from graders.validate import run_validate, statement_problems

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
BLOCK = re.compile(r"<!-- file: (?P<path>[^ ]+) -->\n```[a-z]*\n(?P<body>.*?)\n```\n", re.S)


def write_example(root: Path) -> Path:
    text = GUIDE.read_text(encoding="utf-8")
    blocks = list(BLOCK.finditer(text))
    assert blocks, "the guide shows no files"
    slug = re.search(r'^slug = "([a-z0-9-]+)"', text, re.M).group(1)
    package = root / slug
    for block in blocks:
        target = package / block["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block["body"] + "\n", encoding="utf-8")
    return package


def test_guide_example_is_a_valid_package(tmp_path):
    package = write_example(tmp_path)
    spec = load_spec(package)
    assert statement_problems(spec) == ""
    assert {p.name for p in spec.path("known_bad").iterdir()} and (spec.path("reference") / spec.entry_file).is_file()


@pytest.mark.slow
def test_guide_example_validates(tmp_path):
    package = write_example(tmp_path)
    out = io.StringIO()
    assert run_validate(slugs=[package.name], perf=False, device="cpu", backend="process", roots=[tmp_path], out=out) == 0, out.getvalue()
