from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from graders.cli import add_grade_arguments, grade_options, print_result, run_grade
from graders.pipeline import JobError


class Command(BaseCommand):
    help = "Grade one file or folder synchronously (the same pipeline as the queue). Exit 0 whenever a verdict was reached."

    def add_arguments(self, parser):
        add_grade_arguments(parser)

    def handle(self, *args, **options):
        try:
            result = run_grade(**grade_options(options), roots=settings.HOTPATH_CHALLENGE_DIRS)
        except JobError as exc:
            raise CommandError(str(exc), returncode=2) from None
        print_result(result, as_json=options["json"], out=self.stdout)
