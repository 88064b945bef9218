import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from graders.rubric.cli import UsageError, add_score_arguments, format_score, run_score, score_options


class Command(BaseCommand):
    help = ("Score a written answer: SLUG PATH|- against the challenge's rubric, or "
            "--question TEXT --reference TEXT --max N [PATH|-] against one reference answer.")

    def add_arguments(self, parser):
        add_score_arguments(parser)

    def handle(self, *args, **options):
        try:
            result = run_score(**score_options(options), roots=list(settings.HOTPATH_CHALLENGE_DIRS), stdin=sys.stdin)
        except UsageError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(format_score(result, as_json=options["json"]))
