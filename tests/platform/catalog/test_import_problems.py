"""`manage.py import_problems`: a thin command over graders.importers, with clean errors."""
import pytest
from django.core.management import CommandError, call_command

from graders.catalog import IMPORTED_ROOT, challenge_roots
from tests.graders.importers.sources import gpumode_source, kernelbench_source


def test_imports_and_prints_progress_and_summary(tmp_path, capsys):
    source = kernelbench_source(tmp_path / "src")
    call_command("import_problems", str(source), "--format", "kernelbench", "--prefix", "kb-", "--out", str(tmp_path / "out"))
    out, err = capsys.readouterr()
    assert "imported kb-level1-19-relu" in out and "imported kb-level1-2-small-matmul-with-bias" in out
    assert "imported 2, skipped 1: level1/helpers: not a KernelBench problem" in out
    assert err.strip() == "skipped  level1/helpers: not a KernelBench problem: no Model, get_inputs, get_init_inputs"
    assert (tmp_path / "out" / "kb-level1-19-relu" / "challenge.toml").is_file()


def test_gpumode_format(tmp_path, capsys):
    source = gpumode_source(tmp_path / "src")
    call_command("import_problems", str(source), "--format", "gpumode", "--out", str(tmp_path / "out"))
    assert "imported 1, skipped 1" in capsys.readouterr().out
    assert (tmp_path / "out" / "pmpp-vectoradd-py" / "challenge.toml").is_file()


def test_missing_path_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_problems", str(tmp_path / "nowhere"), "--format", "kernelbench", "--out", str(tmp_path / "out"))


def test_unknown_format_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError, match="unknown format 'leetcode'; known: gpumode, kernelbench"):
        call_command("import_problems", str(tmp_path), "--format", "leetcode", "--out", str(tmp_path / "out"))


def test_nothing_importable_fails(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.py").write_text("print('hi')\n")
    with pytest.raises(CommandError, match="no problem was imported"):
        call_command("import_problems", str(tmp_path / "src"), "--format", "kernelbench", "--out", str(tmp_path / "out"))


def test_default_out_is_a_git_ignored_catalog_root():
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()["import_problems"], "import_problems")
    parser = command.create_parser("manage.py", "import_problems")
    assert parser.get_default("out") == IMPORTED_ROOT
    assert IMPORTED_ROOT in challenge_roots()
    assert "/var/" in (IMPORTED_ROOT.parents[1] / ".gitignore").read_text().split()
