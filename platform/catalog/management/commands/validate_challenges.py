from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from graders.pipeline import JobError
from graders.validate import add_validate_arguments, run_validate, validate_options


class Command(BaseCommand):
    help = "Grade every package's reference, starter and known_bad files and check their verdicts (--perf: tiers too)."

    def add_arguments(self, parser):
        add_validate_arguments(parser)

    def handle(self, *args, **options):
        try:
            status = run_validate(**validate_options(options), roots=settings.HOTPATH_CHALLENGE_DIRS, out=self.stdout)
        except JobError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if status:
            raise CommandError("some verdicts were not as expected", returncode=1)
