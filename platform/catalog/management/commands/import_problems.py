from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from graders.catalog import IMPORTED_ROOT
from graders.importers import ImportProblemsError, format_names, import_problems
from graders.importers.base import SLUG_MAX


class Command(BaseCommand):
    help = ("Turn KernelBench or GPU MODE problems into challenge packages under --out (default var/challenges/), "
            "each sized for the CPU by measurement in the sandbox and validated; prints the validation table.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a KernelBench folder or .py file, or a GPU MODE problems folder")
        parser.add_argument("--format", required=True, dest="fmt", help=f"one of: {', '.join(format_names())}")
        parser.add_argument("--prefix", default="", help="prepended to every slug, e.g. kb-")
        parser.add_argument("--out", type=Path, default=IMPORTED_ROOT, help="where packages are written (a catalog root)")
        parser.add_argument("--slug-max", type=int, default=SLUG_MAX, dest="slug_max",
                            help=f"longer slugs are cut, with a stable hash of the problem's path added (default and most: {SLUG_MAX})")
        parser.add_argument("--no-validate", action="store_false", dest="measure",
                            help="write the packages only: CPU at the published sizes, nothing run (fast, unchecked)")
        parser.add_argument("--backend", default="process", help="sandbox backend for sizing and validation (default: process)")

    def handle(self, *args, **options):
        try:
            report = import_problems(source=options["path"], fmt=options["fmt"], prefix=options["prefix"], out=options["out"],
                                     slug_max=options["slug_max"], measure=options["measure"], backend=options["backend"], log=self._progress)
        except ImportProblemsError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(report.table())
        self.stdout.write(report.summary())
        if not report.imported and report.skipped:
            raise CommandError("no problem was imported", returncode=1)

    def _progress(self, line: str) -> None:
        (self.stderr if line.startswith("skipped") else self.stdout).write(line)
