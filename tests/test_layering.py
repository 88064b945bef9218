"""graders/ and sandbox/ never import Django: a bare GPU host with only torch can grade."""
import ast
import subprocess
import sys

from tests.conftest import REPO_ROOT

FOLDERS = ("graders", "sandbox")


def _python_files():
    for folder in FOLDERS:
        yield from (REPO_ROOT / folder).rglob("*.py")


def test_no_source_file_mentions_a_django_import():
    offenders = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n == "django" or n.startswith("django.") or n in ("rest_framework", "celery") for n in names):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert offenders == []


def test_importing_every_module_loads_no_django():
    modules = []
    for path in _python_files():
        rel = path.relative_to(REPO_ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if rel.name == "__main__":
            continue
        modules.append(".".join(parts))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('DJANGO:' + ','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "DJANGO:"


def test_no_package_shadows_the_standard_platform_module():
    import platform

    assert hasattr(platform, "python_version"), "a package named `platform` shadows the standard library"
    assert not (REPO_ROOT / "platform" / "__init__.py").exists()


def test_the_grader_registry_loads_without_the_harness_dependencies():
    """The platform checks specs against the registry: that must not import torch (the harness's steps do)."""
    code = (
        "import sys\n"
        "from graders.registry import get_grader, grader_names\n"
        "names = grader_names()\n"
        "assert get_grader('latency').handler == 'latency', names\n"
        "print('TORCH:' + str('torch' in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "TORCH:False"
