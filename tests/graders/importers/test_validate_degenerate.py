"""validate_challenges' degeneracy row: an untagged package whose reference output is constant
is a wrong row (exit status 1); once import has tagged it `degenerate` the row is as expected;
an honest package shows `not degenerate`."""
import io

from graders.importers import import_problems
from graders.validate import run_validate
from tests.graders.importers import sources


def _validate(out, slug):
    text = io.StringIO()
    status = run_validate(roots=[out], slugs=[slug], out=text)
    return status, text.getvalue()


def _degeneracy_row(table: str) -> str:
    return next(line for line in table.splitlines() if "| degeneracy " in line)


def test_validate_flags_a_constant_reference_until_it_is_tagged(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "9_Constant.py").write_text(sources.CONSTANT_REFERENCE)
    (src / "19_ReLU.py").write_text(sources.RELU)
    import_problems(source=src, fmt="kernelbench", prefix="v-", out=out, measure=False)

    status, table = _validate(out, "v-9-constant")
    row = _degeneracy_row(table)
    assert status == 1 and "WRONG" in row and "constant (0 everywhere)" in row and "slightly wrong answer" in row

    status, table = _validate(out, "v-19-relu")
    assert status == 0 and "| not degenerate | not degenerate" in _degeneracy_row(table)

    report = import_problems(source=src / "9_Constant.py", fmt="kernelbench", prefix="v-", out=out)
    assert [r.category for r in report.rows] == ["degenerate"]
    status, table = _validate(out, "v-9-constant")
    assert status == 0 and "| degenerate " in _degeneracy_row(table) and "ok" in _degeneracy_row(table)
