"""Importers that turn problems from other benchmarks into Hotpath challenge packages.

`import_problems(source=, fmt=, prefix=, out=)` is the service behind `manage.py
import_problems`; each format (`kernelbench`, `gpumode`) registers itself in
`graders.importers.base`. No Django here: the platform calls this, not the other way round.
"""
from graders.importers import gpumode, kernelbench  # noqa: F401 - registers the formats
from graders.importers.base import ImportProblemsError, ImportReport, format_names, get_format, slug_for
from graders.importers.service import import_problems

__all__ = ["ImportProblemsError", "ImportReport", "format_names", "get_format", "import_problems", "slug_for"]
