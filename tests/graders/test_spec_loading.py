"""challenge.toml validation: every error names the file and the field."""
import pytest

from graders.spec import SpecError, load_spec


def edit(package, old: str, new: str) -> None:
    toml = package / "challenge.toml"
    text = toml.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    toml.write_text(text.replace(old, new))


def test_fixture_package_loads(package_copy):
    spec = load_spec(package_copy("vector-add"))
    assert spec.slug == "vector-add" and spec.kind == "kernel"
    assert spec.entry_file == "solution.py" and spec.entry_callable == "add"
    assert spec.device(kind="cpu").dtypes == ["float32"]
    assert spec.device(kind="cpu").tiers() == [0.5, 1.0]


@pytest.mark.parametrize(
    "old, new, field",
    [
        ('kind = "kernel"', 'kind = "puzzle"', "kind"),
        ('difficulty = "easy"', "difficulty = 3", "difficulty"),
        ('slug = "vector-add"', 'slug = "Vector Add!"', "slug"),
        ('slug = "vector-add"', 'slug = "other-name"', "slug"),
        ('title = "Add two vectors"', 'title = "  "', "title"),
        ('callable = "add"', 'callable = "not an identifier"', "entry.callable"),
        ('file = "solution.py"', 'file = "../escape.py"', "entry.file"),
        ('inputs = "tests/inputs.py:make_inputs"', 'inputs = "tests/missing.py:make_inputs"', "harness.inputs"),
        ('graders = ["static", "correctness", "latency"]', 'graders = ["static", "vibes"]', "graders"),
        ("shapes = [[4096]]", "shapes = [[4096, -1]]", "devices.cpu.shapes[0]"),
        ("float32 = 1e-6", "float8 = 1e-6", "devices.cpu.tolerance.float8"),
        ("targets = { speedup = [0.5, 1.0] }", "targets = { speedup = [1.0, 0.5] }", "devices.cpu.targets.speedup"),
        ("reference_tier = 1", "reference_tier = 5", "devices.cpu.reference_tier"),
        ("wall_s = 30", "wall_s = -1", "devices.cpu.limits.wall_s"),
        ("[devices.cpu]", "[devices.tpu]", "devices.tpu"),
        ('forbidden_calls = ["torch.add"]', 'forbidden_calls = ["torch.add"]\nforbidden_constructs = ["telepathy"]', "forbidden_constructs"),
    ],
)
def test_errors_name_the_file_and_the_field(package_copy, old, new, field):
    package = package_copy("vector-add")
    edit(package, old, new)
    with pytest.raises(SpecError) as error:
        load_spec(package)
    message = str(error.value)
    assert message.startswith(f"{package / 'challenge.toml'}: {field}:"), message


def test_missing_required_field(package_copy):
    package = package_copy("vector-add")
    edit(package, 'title = "Add two vectors"\n', "")
    with pytest.raises(SpecError, match=r"challenge.toml: title: required field is missing"):
        load_spec(package)


def test_not_toml_at_all(package_copy):
    package = package_copy("vector-add")
    (package / "challenge.toml").write_text("slug = [unclosed")
    with pytest.raises(SpecError, match=r"challenge.toml: not valid TOML"):
        load_spec(package)


def test_missing_statement(package_copy):
    package = package_copy("vector-add")
    (package / "statement.md").unlink()
    with pytest.raises(SpecError, match=r"challenge.toml: statement: statement.md does not exist"):
        load_spec(package)


def test_per_class_override_merges_with_the_kind(package_copy):
    package = package_copy("vector-add")
    toml = package / "challenge.toml"
    toml.write_text(toml.read_text() + "\n[devices.cpu.epyc]\ntargets = { speedup = [0.9, 2.0] }\n")
    spec = load_spec(package)
    assert spec.device(kind="cpu", device_class="epyc").tiers() == [0.9, 2.0]
    assert spec.device(kind="cpu", device_class="epyc").shapes == [[4096]]
    assert spec.device(kind="cpu", device_class="other").tiers() == [0.5, 1.0]
