"""The file-name rules: no control or invisible characters in any name; on the platform, a
submission's names match the challenge's entry and starter files (check_names_for_challenge)."""
import pytest

from graders.submission_files import SubmissionFilesError, check_names_for_challenge, validate_submission_files

STARTER = {"solution.py": "", "model.py": ""}


@pytest.mark.parametrize("name", ["a\x00b.py", "a\x1b[31m.py", "new\nline.py", "x\x7f.py", "x\x9b.py", "rtl\u202eyp.py", "z\u200d.py", "p\u2029.py", "\udcff.py"])
def test_unprintable_names_are_refused(name):
    with pytest.raises(SubmissionFilesError, match="not allowed"):
        validate_submission_files({name: "x = 1\n"})


def test_printable_unicode_names_and_lone_surrogates_in_text():
    validate_submission_files({"résumé.py": "x = 'ü'\n", "数据.py": "y = 1\n"})
    with pytest.raises(SubmissionFilesError, match="not valid Unicode"):
        validate_submission_files({"solution.py": "x = '\ud800'\n"})


@pytest.mark.parametrize("files", [{"solution.py": ""}, {"solution.py": "", "model.py": ""}])
def test_the_entry_with_or_without_starter_names_passes(files):
    check_names_for_challenge(files, entry_file="solution.py", starter_files=STARTER)


@pytest.mark.parametrize("files, message", [
    ({"mine.py": ""}, "Unexpected file 'mine.py': this challenge takes model.py, solution.py."),
    ({"solution.py": "", "helper.py": ""}, "Unexpected file 'helper.py'"),
    ({"model.py": ""}, "needs its entry file 'solution.py'"),
])
def test_other_names_are_refused_with_the_names_expected(files, message):
    with pytest.raises(SubmissionFilesError, match=message.replace(".", r"\.").replace("(", r"\(")):
        check_names_for_challenge(files, entry_file="solution.py", starter_files=STARTER)


def test_a_challenge_without_starter_files_takes_its_entry_file():
    check_names_for_challenge({"answer.md": "text"}, entry_file="answer.md", starter_files={})
    with pytest.raises(SubmissionFilesError, match="this challenge takes answer.md"):
        check_names_for_challenge({"answer.txt": "text"}, entry_file="answer.md", starter_files=[])
